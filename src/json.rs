//! JSON request bodies to typed requests, with errors that name the offending field.

use serde::de::DeserializeOwned;

use crate::error::AppError;

/// Deserialize a request body.
pub fn parse<T: DeserializeOwned>(bytes: &[u8]) -> Result<T, AppError> {
    if bytes.iter().all(u8::is_ascii_whitespace) {
        return Err(AppError::BadRequest(
            "The request body is empty; send a JSON object.".into(),
        ));
    }
    if has_nul(bytes) {
        return Err(AppError::BadRequest(
            crate::http::hygiene::NUL_REFUSED.into(),
        ));
    }
    let mut de = serde_json::Deserializer::from_slice(bytes);
    let value = serde_path_to_error::deserialize(&mut de).map_err(field_error)?;
    de.end()
        .map_err(|e| AppError::BadRequest(format!("The body is not valid JSON: {e}")))?;
    Ok(value)
}

/// Whether a JSON text holds a NUL character: the escape `\u0000` (not an escaped backslash
/// followed by `u0000`), or a raw NUL byte.
fn has_nul(bytes: &[u8]) -> bool {
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            0 => return true,
            b'\\' => {
                if bytes.get(i + 1) == Some(&b'u')
                    && bytes.get(i + 2..i + 6) == Some(b"0000".as_slice())
                {
                    return true;
                }
                i += 2;
            }
            _ => i += 1,
        }
    }
    false
}

/// Deserialize an already parsed body (used after authorisation, so that a role that may not
/// act is told so before being told what is wrong with the body).
pub fn from_value<T: DeserializeOwned>(value: serde_json::Value) -> Result<T, AppError> {
    serde_path_to_error::deserialize(value).map_err(field_error)
}

/// For a nullable field of a patch, with `#[serde(default, deserialize_with = "present")]` on an
/// `Option<Option<T>>`: absent → `None` (leave alone), `null` → `Some(None)` (clear), a value →
/// `Some(Some(v))`.
pub fn present<'de, T, D>(de: D) -> Result<Option<Option<T>>, D::Error>
where
    T: serde::Deserialize<'de>,
    D: serde::Deserializer<'de>,
{
    <Option<T> as serde::Deserialize>::deserialize(de).map(Some)
}

fn field_error(e: serde_path_to_error::Error<serde_json::Error>) -> AppError {
    let path = e.path().to_string();
    let inner = e.into_inner();
    if inner.is_syntax() || inner.is_eof() {
        return AppError::BadRequest(format!("The body is not valid JSON: {inner}"));
    }
    let message = inner.to_string();
    let message = message
        .split(" at line ")
        .next()
        .unwrap_or(&message)
        .to_string();
    if let Some(field) = missing_field(&message) {
        let field = if path == "." {
            field.to_string()
        } else {
            format!("{path}.{field}")
        };
        return AppError::invalid(field, "is required");
    }
    let field = if path == "." {
        "body".to_string()
    } else {
        path
    };
    AppError::invalid(field, message)
}

fn missing_field(message: &str) -> Option<&str> {
    message
        .strip_prefix("missing field `")
        .and_then(|rest| rest.split('`').next())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_nul_character_is_found_but_an_escaped_backslash_is_not_one() {
        assert!(has_nul(br#"{"summary": "a\u0000b"}"#));
        assert!(has_nul(b"{\"summary\": \"a\0b\"}"));
        assert!(!has_nul(br#"{"summary": "a\\u0000b"}"#));
        assert!(!has_nul(br#"{"summary": "a\u0001b \n"}"#));
    }

    #[derive(Debug, serde::Deserialize)]
    #[serde(deny_unknown_fields)]
    #[expect(dead_code)]
    struct Body {
        email: String,
        inner: Option<Inner>,
    }

    #[derive(Debug, serde::Deserialize)]
    #[expect(dead_code)]
    struct Inner {
        count: u8,
    }

    fn field(e: AppError) -> String {
        match e {
            AppError::Validation(errors) => errors[0].field.clone(),
            other => panic!("expected a validation error, got {other:?}"),
        }
    }

    #[test]
    fn errors_name_the_field() {
        assert_eq!(field(parse::<Body>(b"{}").unwrap_err()), "email");
        assert_eq!(
            field(parse::<Body>(br#"{"email":"a","inner":{"count":999}}"#).unwrap_err()),
            "inner.count"
        );
        assert_eq!(
            field(parse::<Body>(br#"{"email":"a","inner":{}}"#).unwrap_err()),
            "inner.count"
        );
        assert!(matches!(
            parse::<Body>(br#"{"email":"#).unwrap_err(),
            AppError::BadRequest(_)
        ));
        assert!(matches!(
            parse::<Body>(b"").unwrap_err(),
            AppError::BadRequest(_)
        ));
    }

    #[test]
    fn values_report_fields_the_same_way() {
        let v = serde_json::json!({"email": "a", "inner": {"count": "x"}});
        assert_eq!(field(from_value::<Body>(v).unwrap_err()), "inner.count");
        assert_eq!(
            field(from_value::<Body>(serde_json::json!({})).unwrap_err()),
            "email"
        );
    }
}
