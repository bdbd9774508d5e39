//! The client's address: the peer's, or, when the peer is a trusted reverse proxy
//! (`server.trusted_proxies`), the nearest address in `X-Forwarded-For` that is not one.

use std::net::IpAddr;

use actix_web::HttpRequest;

/// The address of the client that sent `req`, as text.
pub fn address(req: &HttpRequest, trusted: &[IpAddr]) -> String {
    let peer = req.peer_addr().map(|a| a.ip());
    let Some(peer) = peer else {
        return "unknown".to_string();
    };
    if !trusted.contains(&peer) {
        return peer.to_string();
    }
    // Right to left: each trusted proxy appended the address it was reached from.
    let forwarded: Vec<IpAddr> = req
        .headers()
        .get_all("x-forwarded-for")
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .filter_map(|a| a.trim().parse().ok())
        .collect();
    forwarded
        .into_iter()
        .rev()
        .find(|a| !trusted.contains(a))
        .unwrap_or(peer)
        .to_string()
}

#[cfg(test)]
mod tests {
    use super::*;
    use actix_web::test::TestRequest;

    fn req(peer: &str, xff: Option<&str>) -> HttpRequest {
        let mut r = TestRequest::default().peer_addr(peer.parse().unwrap());
        if let Some(x) = xff {
            r = r.insert_header(("x-forwarded-for", x));
        }
        r.to_http_request()
    }

    #[test]
    fn forwarded_for_is_believed_only_from_a_trusted_proxy() {
        let proxy: IpAddr = "10.0.0.5".parse().unwrap();
        let spoofed = req("192.0.2.7:5000", Some("198.51.100.1"));
        assert_eq!(address(&spoofed, &[proxy]), "192.0.2.7");
        assert_eq!(address(&spoofed, &[]), "192.0.2.7");
        let proxied = req("10.0.0.5:5000", Some("198.51.100.1, 203.0.113.9"));
        assert_eq!(
            address(&proxied, &[proxy]),
            "203.0.113.9",
            "the nearest untrusted hop"
        );
        assert_eq!(address(&proxied, &[]), "10.0.0.5", "not trusted: the peer");
        let only_proxy = req("10.0.0.5:5000", None);
        assert_eq!(address(&only_proxy, &[proxy]), "10.0.0.5");
    }
}
