//! Request bodies as every endpoint takes them: the declared content type is required, the
//! size limit is enforced while reading, NUL characters (which PostgreSQL text cannot hold)
//! are refused, and every refusal is a problem. Handlers take `Json<T>` or `MaybeJson<T>`
//! from here, never actix's own, so a new endpoint gets all of it by its signature.

use crate::error::ApiError;
use actix_web::dev::Payload;
use actix_web::http::{header, StatusCode};
use actix_web::{web, FromRequest, HttpMessage, HttpRequest};
use futures_util::future::LocalBoxFuture;
use futures_util::StreamExt;
use serde::de::DeserializeOwned;

/// The JSON body limit in bytes, set once per app from `http.json_limit_bytes`.
#[derive(Debug, Clone, Copy)]
pub struct BodyLimit(pub usize);

/// A JSON body: `Content-Type: application/json` (or `application/*+json`), at most the
/// configured size, with no NUL character in any string.
#[derive(Debug)]
pub struct Json<T>(pub T);

impl<T> Json<T> {
    pub fn into_inner(self) -> T {
        self.0
    }
}

/// An optional JSON body: an empty body is `None`; anything else is read as `Json<T>` is.
#[derive(Debug)]
pub struct MaybeJson<T>(pub Option<T>);

impl<T> MaybeJson<T> {
    pub fn into_inner(self) -> Option<T> {
        self.0
    }
}

fn too_large(limit: usize) -> ApiError {
    ApiError::new(
        StatusCode::PAYLOAD_TOO_LARGE,
        "request.too_large",
        format!("the body is larger than the {limit} bytes accepted"),
    )
}

/// Whether the request declares a JSON body.
fn declares_json(req: &HttpRequest) -> bool {
    use actix_web::mime::{APPLICATION, JSON};
    req.mime_type().ok().flatten().is_some_and(|m| {
        m.type_() == APPLICATION && (m.subtype() == JSON || m.suffix() == Some(JSON))
    })
}

fn wrong_content_type() -> ApiError {
    ApiError::new(
        StatusCode::UNSUPPORTED_MEDIA_TYPE,
        "request.content_type",
        "the body must be JSON sent with Content-Type: application/json",
    )
}

/// Reads the whole body, refusing it as soon as it passes `limit` bytes (at once when a
/// declared length already does).
async fn read_limited(
    req: &HttpRequest,
    payload: &mut Payload,
    limit: usize,
) -> Result<web::BytesMut, ApiError> {
    let declared = req
        .headers()
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<u64>().ok());
    if declared.is_some_and(|n| n > limit as u64) {
        return Err(too_large(limit));
    }
    let mut body = web::BytesMut::new();
    while let Some(chunk) = payload.next().await {
        let chunk = chunk.map_err(|e| {
            ApiError::bad_request(
                "request.unreadable_body",
                format!("the body cannot be read: {e}"),
            )
        })?;
        if body.len().saturating_add(chunk.len()) > limit {
            return Err(too_large(limit));
        }
        body.extend_from_slice(&chunk);
    }
    Ok(body)
}

/// A whole body read under the app's `http.json_limit_bytes` (413 `request.too_large` past
/// it), for a handler that must check who is asking before it reads a byte.
pub async fn read_body(req: &HttpRequest, payload: web::Payload) -> Result<web::Bytes, ApiError> {
    let mut payload = payload.into_inner();
    Ok(read_limited(req, &mut payload, limit_of(req))
        .await?
        .freeze())
}

/// Whether a JSON text holds a `\u0000` escape in any string. Backslashes occur in valid JSON
/// only inside strings, each starting a two-character escape, so a scan by escapes is exact.
pub fn has_nul_escape(json: &[u8]) -> bool {
    let mut i = 0;
    while i < json.len() {
        match json[i] {
            0 => return true,
            b'\\' => {
                if json.get(i + 1) == Some(&b'u') && json.get(i + 2..i + 6) == Some(b"0000") {
                    return true;
                }
                i += 2;
            }
            _ => i += 1,
        }
    }
    false
}

/// Parses a JSON body into `T`, refusing NUL characters and naming what is wrong.
pub fn parse_json<T: DeserializeOwned>(body: &[u8]) -> Result<T, ApiError> {
    if has_nul_escape(body) {
        return Err(ApiError::unprocessable(
            "request.nul_character",
            "text fields may not contain the NUL character (\\u0000)",
        ));
    }
    let refused = |err: serde_json::Error| {
        let code = if err.is_data() {
            "request.invalid_field"
        } else {
            "request.malformed_json"
        };
        ApiError::bad_request(code, format!("the JSON body cannot be read: {err}"))
    };
    // Structs are read from objects only (`strict`), as the documents describe them.
    let mut reader = serde_json::Deserializer::from_slice(body);
    let read = T::deserialize(crate::strict::Strict(&mut reader)).and_then(|v| {
        reader.end()?;
        Ok(v)
    });
    match read {
        Ok(v) => Ok(v),
        // JSON has one number type: `25.0` is the integer 25, as JSON Schema says. Only a body
        // that failed as written pays for the second reading.
        Err(first) if first.is_data() => {
            let mut value: serde_json::Value = serde_json::from_slice(body).map_err(refused)?;
            if !integral_floats_as_integers(&mut value) {
                return Err(refused(first));
            }
            T::deserialize(crate::strict::Strict(value)).map_err(|_| refused(first))
        }
        Err(first) => Err(refused(first)),
    }
}

/// Rewrites every number with no fractional part (`25.0`) as an integer; whether any was.
fn integral_floats_as_integers(value: &mut serde_json::Value) -> bool {
    use serde_json::Value;
    match value {
        Value::Number(n) if n.is_f64() => match n.as_f64() {
            Some(f) if f.fract() == 0.0 && f.abs() < 9.0e15 => {
                // Exact: |f| < 2^53, so the conversion loses nothing.
                #[allow(clippy::cast_possible_truncation)]
                let i = f as i64;
                *value = Value::from(i);
                true
            }
            _ => false,
        },
        // Every element is rewritten: no short cut once one was.
        Value::Array(items) => {
            let mut any = false;
            for v in items {
                any |= integral_floats_as_integers(v);
            }
            any
        }
        Value::Object(map) => {
            let mut any = false;
            for v in map.values_mut() {
                any |= integral_floats_as_integers(v);
            }
            any
        }
        _ => false,
    }
}

fn limit_of(req: &HttpRequest) -> usize {
    req.app_data::<BodyLimit>()
        .or_else(|| req.app_data::<web::Data<BodyLimit>>().map(|d| d.get_ref()))
        .map_or(256 * 1024, |l| l.0)
}

impl<T: DeserializeOwned + 'static> FromRequest for Json<T> {
    type Error = ApiError;
    type Future = LocalBoxFuture<'static, Result<Self, ApiError>>;

    fn from_request(req: &HttpRequest, payload: &mut Payload) -> Self::Future {
        let req = req.clone();
        let mut payload = payload.take();
        Box::pin(async move {
            if !declares_json(&req) {
                return Err(wrong_content_type());
            }
            let body = read_limited(&req, &mut payload, limit_of(&req)).await?;
            parse_json(&body).map(Json)
        })
    }
}

impl<T: DeserializeOwned + 'static> FromRequest for MaybeJson<T> {
    type Error = ApiError;
    type Future = LocalBoxFuture<'static, Result<Self, ApiError>>;

    fn from_request(req: &HttpRequest, payload: &mut Payload) -> Self::Future {
        let req = req.clone();
        let mut payload = payload.take();
        Box::pin(async move {
            let body = read_limited(&req, &mut payload, limit_of(&req)).await?;
            let text = body.trim_ascii();
            if text.is_empty() || (text == b"null" && declares_json(&req)) {
                return Ok(MaybeJson(None));
            }
            if !declares_json(&req) {
                return Err(wrong_content_type());
            }
            parse_json(&body).map(|v| MaybeJson(Some(v)))
        })
    }
}

#[cfg(test)]
mod tests {
    use super::{has_nul_escape, parse_json};

    #[test]
    fn integral_floats_are_integers() {
        #[derive(serde::Deserialize, Debug, PartialEq)]
        struct V {
            version: i32,
            list: Vec<u8>,
        }
        let v: V = parse_json(br#"{"version": 25.0, "list": [1.0, 2]}"#).expect("integral");
        assert_eq!(
            v,
            V {
                version: 25,
                list: vec![1, 2]
            }
        );
        assert!(parse_json::<V>(br#"{"version": 25.5, "list": []}"#).is_err());
        assert!(parse_json::<V>(br#"{"version": 1e300, "list": []}"#).is_err());
    }

    #[test]
    fn nul_escapes_are_found_only_where_they_are() {
        assert!(has_nul_escape(br#"{"a":"x\u0000y"}"#));
        assert!(has_nul_escape(br#"{"a\u0000":1}"#));
        assert!(has_nul_escape(b"{\"a\":\"\x00\"}"));
        // An escaped backslash followed by the text u0000 is not a NUL.
        assert!(!has_nul_escape(br#"{"a":"\\u0000"}"#));
        assert!(has_nul_escape(br#"{"a":"\\\u0000"}"#));
        assert!(!has_nul_escape(br#"{"a":"\u0001"}"#));
        assert!(!has_nul_escape(br#"{"a":"plain"}"#));
    }
}
