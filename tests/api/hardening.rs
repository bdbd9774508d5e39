//! Production hardening: the binary refuses plain-http links and unencrypted SMTP unless an
//! explicit override says so (naming the setting either way).

use std::process::Command;

/// The binary in production, with a clean environment and otherwise acceptable settings.
fn production(data_dir: &std::path::Path) -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_candour"));
    for (key, _) in std::env::vars() {
        if key.starts_with("CANDOUR") {
            cmd.env_remove(key);
        }
    }
    let db = format!("sqlite://{}", data_dir.join("candour.db").display());
    cmd.env("CANDOUR_ENV", "production")
        .env("CANDOUR_CONFIG_DIR", data_dir.join("no-config"))
        .env("CANDOUR__DATABASE__URL", db)
        .env("CANDOUR__DATA__DIR", data_dir)
        .env("CANDOUR__AUTH__JWT_SECRET", "x".repeat(48))
        .env("CANDOUR__EMAIL__TRANSPORT", "smtp")
        .env("CANDOUR__EMAIL__SMTP_HOST", "127.0.0.1")
        .env("RUST_LOG", "warn")
        .arg("migrate");
    cmd
}

#[test]
fn production_refuses_http_links_and_smtp_without_tls_unless_overridden() {
    let dir = tempfile::tempdir().unwrap();
    let out = production(dir.path())
        .env(
            "CANDOUR__SERVER__PUBLIC_URL",
            "http://complaints.trust.nhs.uk",
        )
        .env("CANDOUR__EMAIL__SMTP_TLS", "none")
        .output()
        .unwrap();
    assert!(!out.status.success());
    let stderr = String::from_utf8_lossy(&out.stderr);
    for setting in [
        "server.public_url",
        "server.allow_insecure_public_url",
        "email.smtp_tls",
        "email.allow_insecure_smtp",
    ] {
        assert!(stderr.contains(setting), "{setting} in {stderr}");
    }
    assert!(!dir.path().join("candour.db").exists(), "nothing may start");

    // No public_url at all means http://host:port links: refused too.
    let out = production(dir.path()).output().unwrap();
    assert!(!out.status.success());
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("server.public_url"), "{stderr}");
    assert!(
        !stderr.contains("email.smtp_tls"),
        "STARTTLS is fine: {stderr}"
    );

    // The explicit overrides let it run.
    let out = production(dir.path())
        .env(
            "CANDOUR__SERVER__PUBLIC_URL",
            "http://complaints.trust.nhs.uk",
        )
        .env("CANDOUR__EMAIL__SMTP_TLS", "none")
        .env("CANDOUR__SERVER__ALLOW_INSECURE_PUBLIC_URL", "true")
        .env("CANDOUR__EMAIL__ALLOW_INSECURE_SMTP", "true")
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    // And so does an https address with STARTTLS, without any override.
    let out = production(dir.path())
        .env(
            "CANDOUR__SERVER__PUBLIC_URL",
            "https://complaints.trust.nhs.uk",
        )
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}
