//! Request context and response helpers shared by every resource module: JSON with ETag revalidation,
//! the error body, and the security headers every API answer carries.

use tongban_shared::etag::{if_none_match_hits, strong_etag};

/// Headers on every API response. JSON is never a document, so it may load nothing and frame nothing.
/// HSTS is sent on every answer: browsers ignore it over plain http (local dev), and in production
/// everything is https.
pub const SECURITY_HEADERS: &[(&str, &str)] = &[
    ("Strict-Transport-Security", "max-age=31536000; includeSubDomains"),
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

/// CSRF defence for state-changing requests: the browser's `Origin` must be our own. A missing Origin is
/// refused too; every browser sends one on POST/DELETE, and other clients can set it.
pub fn origin_allowed(origin: Option<&str>, own_origin: &str) -> bool {
    origin.is_some_and(|o| o.trim_end_matches('/') == own_origin)
}

/// `__Host-`: the browser takes this cookie only from a secure origin, with `Path=/` and no `Domain`, so
/// no subdomain (or a man in the middle on plain http) can plant a session for this site.
pub use tongban_shared::error::JSON_BODY_MAX as JSON_MAX;

/// Whether a signed-in read may run, from the browser's `Sec-Fetch-Site`: the app's own requests say
/// `same-origin`, a typed address or bookmark `none`; a link or image on another site (which the Lax
/// session cookie would accompany) says `cross-site` or `same-site` and is refused, so nobody can make a
/// clerk's browser open an audited record. Clients that send no such header are not browsers carrying
/// someone's cookie (every current browser sends it), and are let through.
pub fn fetch_site_allowed(sec_fetch_site: Option<&str>) -> bool {
    !matches!(sec_fetch_site.map(str::trim), Some("cross-site") | Some("same-site"))
}

pub const SESSION_COOKIE: &str = "__Host-tb_session";

/// The session cookie: HttpOnly (no script can read it), Secure, SameSite=Lax, for the whole site.
/// `max_age` None makes it a browser-session cookie; Some(0) deletes it.
pub fn session_cookie(token: &str, max_age: Option<i64>) -> String {
    let mut c = format!("{SESSION_COOKIE}={token}; HttpOnly; Secure; SameSite=Lax; Path=/");
    if let Some(a) = max_age {
        c.push_str(&format!("; Max-Age={a}"));
    }
    c
}

/// A cookie's value from a `Cookie` header.
pub fn cookie<'a>(header: &'a str, name: &str) -> Option<&'a str> {
    header.split(';').find_map(|kv| {
        let (k, v) = kv.trim().split_once('=')?;
        (k == name).then_some(v)
    })
}

#[cfg(target_arch = "wasm32")]
pub use wasm::{read_capped, Answer, Body, Ctx, Reply};

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
        /// The request body, read once before dispatch (empty for GET).
        pub body: String,
        /// The body of a route that takes bytes ([`Route::takes_bytes`]); None when it was over the
        /// route's limit and so not read to the end.
        pub raw: Option<Vec<u8>>,
        /// Seconds since the epoch, taken once per request.
        pub now: i64,
        /// The caller, loaded by the dispatcher for every route that is not public.
        pub principal: Option<tongban_shared::authz::Principal>,
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

        /// A path parameter that must be a 32-character hex id.
        pub fn hex_id(&self, name: &'static str) -> Result<String, ApiError> {
            match self.params.get(name) {
                Some(v) if v.len() == 32 && v.bytes().all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b)) => Ok(v.to_string()),
                _ => Err(FieldError::new(ErrorCode::BadId, name).into()),
            }
        }

        /// A path parameter that must be a positive integer.
        pub fn number(&self, name: &'static str) -> Result<u32, ApiError> {
            self.params.get(name).and_then(|v| v.parse::<u32>().ok()).filter(|n| *n >= 1).ok_or_else(|| FieldError::new(ErrorCode::BadId, name).into())
        }

        /// The JSON body as `T`; anything else is `malformed_json`. It is at most [`JSON_MAX`] bytes: the
        /// dispatcher refused a longer one before reading it. Handlers read it through the [`Body`] their
        /// route's row gives them, so they cannot read another type.
        fn json_body<T: serde::de::DeserializeOwned>(&self) -> Result<T, ApiError> {
            serde_json::from_str(&self.body).map_err(|_| ApiError::from(ErrorCode::MalformedJson))
        }

        /// Who is calling, for throttling: Cloudflare's client address, or `local` under wrangler dev.
        pub fn client(&self) -> String {
            self.req.headers().get("CF-Connecting-IP").ok().flatten().unwrap_or_else(|| "local".into())
        }

        /// The signed-in caller; the dispatcher has already refused anonymous calls on non-public routes.
        pub fn principal(&self) -> Result<&tongban_shared::authz::Principal, ApiError> {
            self.principal.as_ref().ok_or_else(|| ErrorCode::Unauthenticated.into())
        }

        pub fn keyring(&self) -> Result<crate::crypto::Keyring, ApiError> {
            let data = self.env.secret("DATA_KEYS").map_err(|_| ApiError::Internal("secret DATA_KEYS is not set".into()))?;
            let lookup = self.env.secret("LOOKUP_KEY").map_err(|_| ApiError::Internal("secret LOOKUP_KEY is not set".into()))?;
            crate::crypto::Keyring::parse(&data.to_string(), &lookup.to_string())
                .ok_or_else(|| ApiError::Internal("secrets DATA_KEYS / LOOKUP_KEY are malformed".into()))
        }

        /// The password peppers (`crate::password`), from the `PASSWORD_PEPPER` secret.
        pub fn peppers(&self) -> Result<crate::password::Peppers, ApiError> {
            let p = self.env.secret("PASSWORD_PEPPER").map_err(|_| ApiError::Internal("secret PASSWORD_PEPPER is not set".into()))?;
            crate::password::Peppers::parse(&p.to_string()).ok_or_else(|| ApiError::Internal("secret PASSWORD_PEPPER is malformed".into()))
        }

        /// The answer of a handler: `value` as JSON under the route's cache rule, typed so the dispatcher can
        /// hold it to the type the route's row documents.
        pub fn reply<T: Serialize>(&self, value: &T) -> Result<Reply<T>, ApiError> {
            Ok(Reply::of(self.json(value, self.route.cache)?))
        }

        /// Serialises `value`, and answers 304 when the client's ETag still matches ([`Ctx::reply`] types it).
        fn json<T: Serialize>(&self, value: &T, cache: Cache) -> Result<Response, ApiError> {
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

    /// The JSON body a route's row names, for the endpoint marker `E` (`crate::routes::ep`). The dispatcher
    /// hands each handler the one its row declares; reading it is the handler's call, where it always was
    /// (after its path checks).
    pub struct Body<E>(std::marker::PhantomData<fn() -> E>);

    impl<E: tongban_shared::api::Endpoint> Body<E>
    where
        E::Body: serde::de::DeserializeOwned,
    {
        #[allow(clippy::new_without_default)]
        pub fn new() -> Self {
            Body(std::marker::PhantomData)
        }

        pub fn read(&self, ctx: &Ctx) -> Result<E::Body, ApiError> {
            ctx.json_body()
        }
    }

    /// What the handler of endpoint `E` returns: a [`Reply`] of the type its row documents, or an error.
    pub type Answer<E> = Result<Reply<<E as tongban_shared::api::Endpoint>::Reply>, ApiError>;

    /// A handler's answer, typed by what it holds (`tongban_shared::api::Endpoint::Reply`): the dispatcher takes from each
    /// handler only a `Reply` of the type its row documents, so the document cannot describe another.
    pub struct Reply<T> {
        resp: Response,
        holds: std::marker::PhantomData<fn() -> T>,
    }

    impl<T> Reply<T> {
        fn of(resp: Response) -> Self {
            Reply { resp, holds: std::marker::PhantomData }
        }

        /// An answer the handler already serialised from a `T` (the appraisal's cache keeps the bytes).
        pub(crate) fn serialized(resp: Response) -> Self {
            Reply::of(resp)
        }

        /// An error answer the handler builds itself (a form's field-by-field problems): it is documented
        /// with the route's errors, not as its answer, so any row's handler may send one.
        pub(crate) fn failure(resp: Response) -> Self {
            Reply::of(resp)
        }

        pub fn with_status(self, status: u16) -> Self {
            Reply::of(self.resp.with_status(status))
        }

        pub fn headers_mut(&mut self) -> &mut Headers {
            self.resp.headers_mut()
        }

        pub fn into_response(self) -> Response {
            self.resp
        }
    }

    impl Reply<()> {
        /// `204 No Content`, for rows that answer nothing.
        pub fn no_content() -> Result<Self, ApiError> {
            Ok(Reply::of(Response::empty()?.with_status(204)))
        }
    }

    impl Reply<crate::routes::Raw> {
        /// Bytes that are not JSON (an image, a CSV, a file), for rows that answer [`crate::routes::Raw`].
        pub fn raw(resp: Response) -> Self {
            Reply::of(resp)
        }
    }

    /// Reads a body as bytes, chunk by chunk as it streams in, and stops at `max` + 1: a declared or
    /// streamed body over the limit is never held in the isolate's 128 MB (Workers accept bodies up to
    /// 100 MB). None when it is over the limit.
    pub async fn read_capped(req: &mut Request, max: usize) -> Option<Vec<u8>> {
        use futures_util::StreamExt;
        let declared = req.headers().get("Content-Length").ok().flatten().and_then(|v| v.parse::<usize>().ok());
        if declared.is_some_and(|n| n > max) {
            return None;
        }
        let mut out = Vec::with_capacity(declared.unwrap_or(0));
        let Ok(mut stream) = req.stream() else { return Some(out) };
        while let Some(chunk) = stream.next().await {
            out.extend_from_slice(&chunk.ok()?);
            if out.len() > max {
                return None;
            }
        }
        Some(out)
    }

    /// D1 binding values and results, the same in every resource module.
    pub fn text(s: &str) -> wasm_bindgen::JsValue {
        wasm_bindgen::JsValue::from_str(s)
    }
    pub fn num(n: impl Into<f64>) -> wasm_bindgen::JsValue {
        wasm_bindgen::JsValue::from_f64(n.into())
    }
    pub fn opt(s: Option<&str>) -> wasm_bindgen::JsValue {
        s.map_or(wasm_bindgen::JsValue::NULL, wasm_bindgen::JsValue::from_str)
    }
    /// Whether a statement changed any row (the guard of conditional writes).
    pub fn changed(r: &worker::D1Result) -> bool {
        r.meta().ok().flatten().and_then(|m| m.changes).unwrap_or(0) > 0
    }

    pub fn error_response(err: &ApiError, lang: Lang) -> Response {
        let body = serde_json::to_vec(&err.body(lang)).unwrap_or_default();
        let headers = Headers::new();
        let _ = headers.set("Content-Type", "application/json; charset=utf-8");
        let _ = headers.set("Cache-Control", "no-store");
        if let Some(secs) = err.code().retry_after() {
            let _ = headers.set("Retry-After", &secs.to_string());
        }
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
pub use wasm::{changed, error_response, num, opt, text, with_security_headers};

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn origin_check() {
        assert!(origin_allowed(Some("http://127.0.0.1:8787"), "http://127.0.0.1:8787"));
        assert!(!origin_allowed(Some("https://evil.example"), "http://127.0.0.1:8787"));
        assert!(!origin_allowed(Some("null"), "http://127.0.0.1:8787"));
        assert!(!origin_allowed(None, "http://127.0.0.1:8787"));
    }

    #[test]
    fn only_the_apps_own_reads_carry_the_session() {
        for ok in [Some("same-origin"), Some("none"), None] {
            assert!(fetch_site_allowed(ok), "{ok:?}");
        }
        assert!(!fetch_site_allowed(Some("cross-site")));
        assert!(!fetch_site_allowed(Some("same-site")));
    }

    #[test]
    fn cookies() {
        let c = session_cookie("abc", Some(60));
        assert!(c.starts_with("__Host-tb_session=abc;") && c.contains("HttpOnly") && c.contains("Secure") && c.contains("SameSite=Lax"));
        assert!(c.ends_with("Max-Age=60"));
        assert!(!session_cookie("abc", None).contains("Max-Age"));
        assert_eq!(cookie("a=1; __Host-tb_session=xyz; b=2", SESSION_COOKIE), Some("xyz"));
        assert_eq!(cookie("tb_session=planted", SESSION_COOKIE), None, "only the prefixed name counts");
        assert_eq!(cookie("a=1", SESSION_COOKIE), None);
    }

    #[test]
    fn revalidation() {
        let (s, etag) = conditional(b"[1,2]", None);
        assert_eq!(s, 200);
        assert_eq!(conditional(b"[1,2]", Some(&etag)).0, 304);
        assert_eq!(conditional(b"[1,2,3]", Some(&etag)).0, 200);
    }
}
