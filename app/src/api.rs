//! Typed client of `/api/v1`, over the very types the edge serialises (`tongban-shared`), so a change
//! of shape is a compile error on both sides.

use serde::de::DeserializeOwned;
use tongban_shared::catalogue::{Bundle, Center, CenterDetail, Department, ItemDetail, ItemPage};
use tongban_shared::error::ErrorBody;
use tongban_shared::query::ItemQuery;
use tongban_shared::{ErrorCode, Lang, Text};

#[derive(Debug, Clone, PartialEq)]
pub enum ApiError {
    /// No answer at all (offline, server down): the user can retry.
    Network,
    /// The server answered with an error body.
    Server { status: u16, code: Option<ErrorCode>, field: Option<String> },
}

impl ApiError {
    pub fn is_not_found(&self) -> bool {
        matches!(self, ApiError::Server { status: 404, .. })
    }

    /// What to tell the user: the shared text of the error code, so the browser and the edge agree.
    pub fn text(&self) -> Text {
        match self {
            ApiError::Network => Text::new(crate::i18n::ZH.offline, crate::i18n::EN.offline),
            ApiError::Server { code: Some(c), .. } => c.text(),
            ApiError::Server { .. } => ErrorCode::Internal.text(),
        }
    }
}

/// Decodes a non-2xx answer. A body that is not our error JSON (a proxy page) still yields the status.
pub fn decode_error(status: u16, body: &str) -> ApiError {
    match serde_json::from_str::<ErrorBody>(body) {
        Ok(b) => ApiError::Server {
            status,
            code: serde_json::from_value(serde_json::Value::String(b.error.code)).ok(),
            field: b.error.field,
        },
        Err(_) => ApiError::Server { status, code: None, field: None },
    }
}

/// `?a=1&b=2`, percent-encoded, or empty.
pub fn query_string(pairs: &[(&str, String)]) -> String {
    if pairs.is_empty() {
        return String::new();
    }
    let enc: Vec<String> = pairs.iter().map(|(k, v)| format!("{k}={}", encode(v))).collect();
    format!("?{}", enc.join("&"))
}

/// RFC 3986 percent-encoding of everything but unreserved characters.
pub fn encode(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.' | b'~') {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

async fn get<T: DeserializeOwned>(path: &str, lang: Lang) -> Result<T, ApiError> {
    let resp = gloo_net::http::Request::get(path)
        .header("Accept-Language", lang.code())
        .send()
        .await
        .map_err(|_| ApiError::Network)?;
    let status = resp.status();
    if resp.ok() {
        resp.json::<T>().await.map_err(|_| ApiError::Server { status, code: None, field: None })
    } else {
        let body = resp.text().await.unwrap_or_default();
        Err(decode_error(status, &body))
    }
}

pub async fn items(q: &ItemQuery, lang: Lang) -> Result<ItemPage, ApiError> {
    get(&format!("/api/v1/items{}", query_string(&q.to_pairs())), lang).await
}

pub async fn item(id: &str, version: Option<u32>, lang: Lang) -> Result<ItemDetail, ApiError> {
    let id = encode(id);
    match version {
        Some(v) => get(&format!("/api/v1/items/{id}/versions/{v}"), lang).await,
        None => get(&format!("/api/v1/items/{id}"), lang).await,
    }
}

pub async fn departments(lang: Lang) -> Result<Vec<Department>, ApiError> {
    get("/api/v1/departments", lang).await
}

pub async fn centers(lang: Lang) -> Result<Vec<Center>, ApiError> {
    get("/api/v1/centers", lang).await
}

pub async fn center(id: &str, lang: Lang) -> Result<CenterDetail, ApiError> {
    get(&format!("/api/v1/centers/{}", encode(id)), lang).await
}

pub async fn bundles(lang: Lang) -> Result<Vec<Bundle>, ApiError> {
    get("/api/v1/bundles", lang).await
}

pub async fn bundle(id: &str, lang: Lang) -> Result<Bundle, ApiError> {
    get(&format!("/api/v1/bundles/{}", encode(id)), lang).await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[wasm_bindgen_test::wasm_bindgen_test]
    fn encodes_chinese_and_metacharacters() {
        assert_eq!(encode("营业"), "%E8%90%A5%E4%B8%9A");
        assert_eq!(encode("a b&c=%'"), "a%20b%26c%3D%25%27");
        assert_eq!(query_string(&[]), "");
        assert_eq!(query_string(&[("q", "x y".into()), ("page", "2".into())]), "?q=x%20y&page=2");
    }

    #[wasm_bindgen_test::wasm_bindgen_test]
    fn decodes_error_bodies() {
        let e = decode_error(400, r#"{"error":{"code":"query_too_long","message":"…","field":"q"}}"#);
        assert_eq!(e, ApiError::Server { status: 400, code: Some(ErrorCode::QueryTooLong), field: Some("q".into()) });
        assert_eq!(e.text().get(Lang::En), "Search text must be at most 100 characters");
        let proxy = decode_error(502, "<html>bad gateway</html>");
        assert_eq!(proxy, ApiError::Server { status: 502, code: None, field: None });
        assert!(decode_error(404, r#"{"error":{"code":"item_not_found","message":"","field":null}}"#).is_not_found());
    }
}
