//! Request context and response helpers shared by every resource module: JSON with ETag revalidation,
//! the error body, and the security headers every API answer carries.

use tongban_shared::etag::{if_none_match_hits, strong_etag};

/// Headers on every API response. JSON is never a document, so it may load nothing and frame nothing.
pub const SECURITY_HEADERS: &[(&str, &str)] = &[
    ("X-Content-Type-Options", "nosniff"),
    ("Referrer-Policy", "strict-origin-when-cross-origin"),
    ("Content-Security-Policy", "default-src 'none'; frame-ancestors 'none'"),
    ("X-Frame-Options", "DENY"),
];

/// What to answer for a cacheable body: `(status, etag)`, where 304 means "send no body".
pub fn conditional(body: &[u8], if_none_match: Option<&str>) -> (u16, String) {
    let etag = strong_etag(body);
    let status = match if_none_match {
        Some(h) if if_none_match_hits(h, &etag) => 304,
        _ => 200,
    };
    (status, etag)
}

#[cfg(target_arch = "wasm32")]
pub use wasm::Ctx;

#[cfg(target_arch = "wasm32")]
mod wasm {
    use super::*;
    use crate::error::ApiError;
    use crate::routes::{Cache, PathParams, Route};
    use serde::Serialize;
    use tongban_shared::catalogue::is_valid_slug;
    use tongban_shared::{ErrorCode, FieldError, Lang};
    use worker::{D1Database, Env, Headers, Request, Response};

    pub struct Ctx {
        pub req: Request,
        pub env: Env,
        pub url: worker::Url,
        pub lang: Lang,
        pub route: &'static Route,
        pub params: PathParams,
    }

    impl Ctx {
        pub fn db(&self) -> Result<D1Database, ApiError> {
            Ok(self.env.d1("DB")?)
        }

        pub fn query_pairs(&self) -> Vec<(String, String)> {
            self.url.query_pairs().map(|(k, v)| (k.into_owned(), v.into_owned())).collect()
        }

        /// A path parameter that must be a slug id.
        pub fn slug(&self, name: &'static str) -> Result<String, ApiError> {
            match self.params.get(name) {
                Some(v) if is_valid_slug(v) => Ok(v.to_string()),
                _ => Err(FieldError::new(ErrorCode::BadId, name).into()),
            }
        }

        /// A path parameter that must be a positive integer.
        pub fn number(&self, name: &'static str) -> Result<u32, ApiError> {
            self.params
                .get(name)
                .and_then(|v| v.parse::<u32>().ok())
                .filter(|n| *n >= 1)
                .ok_or_else(|| FieldError::new(ErrorCode::BadId, name).into())
        }

        /// Serialises `value`, and answers 304 when the client's ETag still matches.
        pub fn json<T: Serialize>(&self, value: &T, cache: Cache) -> Result<Response, ApiError> {
            let body = serde_json::to_vec(value)?;
            let inm = self.req.headers().get("If-None-Match")?;
            let (status, etag) = conditional(&body, inm.as_deref());
            let headers = Headers::new();
            headers.set("Cache-Control", &cache.header())?;
            if matches!(cache, Cache::Public { .. }) {
                headers.set("ETag", &etag)?;
            }
            if status == 304 {
                return Ok(Response::empty()?.with_status(304).with_headers(headers));
            }
            headers.set("Content-Type", "application/json; charset=utf-8")?;
            Ok(Response::from_bytes(body)?.with_headers(headers))
        }
    }

    pub fn error_response(err: &ApiError, lang: Lang) -> Response {
        let body = serde_json::to_vec(&err.body(lang)).unwrap_or_default();
        let headers = Headers::new();
        let _ = headers.set("Content-Type", "application/json; charset=utf-8");
        let _ = headers.set("Cache-Control", "no-store");
        let resp = Response::from_bytes(body).unwrap_or_else(|_| Response::empty().expect("empty response"));
        resp.with_status(err.status()).with_headers(headers)
    }

    pub fn with_security_headers(mut resp: Response) -> Response {
        let h = resp.headers_mut();
        for (k, v) in SECURITY_HEADERS {
            let _ = h.set(k, v);
        }
        resp
    }
}

#[cfg(target_arch = "wasm32")]
pub use wasm::{error_response, with_security_headers};

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn revalidation() {
        let (s, etag) = conditional(b"[1,2]", None);
        assert_eq!(s, 200);
        assert_eq!(conditional(b"[1,2]", Some(&etag)).0, 304);
        assert_eq!(conditional(b"[1,2,3]", Some(&etag)).0, 200);
    }
}
