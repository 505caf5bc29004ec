//! The route table, expanded from the API's one list of endpoints (`tongban_shared::api_rows!`, which the
//! app's client reads too). Each row names its handler, the JSON body it reads and the answer it gives
//! (`Name => module::handler(Body) -> Answer { … }`), and states what differs from [`Route::DEFAULTS`].
//! Request resolution ([`resolve`]), the handler call (`define_dispatch!`, expanded in `lib.rs`), the OpenAPI
//! document (`openapi.rs`) and the authorization matrix's defaults (`tests/tests/authz.rs`, through the
//! document's `x-access`) are all read from it, and the handler's signature is typed by its marker
//! (`Body<ep::Name>`, `Answer<ep::Name>`, from `tongban_shared::api::ep`). So an endpoint cannot be served
//! without being documented, nor documented with types its handler does not use, nor called by the app with
//! others; adding one is its row and its handler.

use schemars::{JsonSchema, Schema, SchemaGenerator};
#[allow(unused_imports)]
use tongban_shared::api::prelude::*;
pub use tongban_shared::api::{ep, Cache, Method, Param, ParamKind, RateKey, Raw};

/// One dispatch arm's call: a row with a body type gives its handler the `Body` of its endpoint (named through
/// the marker, as the type's own name is not in scope where dispatch is expanded).
#[cfg(target_arch = "wasm32")]
macro_rules! call_handler {
    ($ctx:ident, $handler:path, $endpoint:ident, []) => {
        $handler($ctx)
    };
    ($ctx:ident, $handler:path, $endpoint:ident, [$body:ty]) => {
        $handler($ctx, Body::<crate::routes::ep::$endpoint>::new())
    };
}
#[cfg(target_arch = "wasm32")]
pub(crate) use call_handler;

/// The table's one source: each row names its endpoint, the handler that serves it, its body and answer types
/// and what differs from [`Route::DEFAULTS`]. From it come the [`Endpoint`] enum, [`ROUTES`] (resolution, the
/// OpenAPI document, the authorization matrix's defaults) and
/// `define_dispatch!`, which the worker's entry expands into the call of each row's handler. A new endpoint is
/// this row and its handler: a row whose handler does not exist, or reads or answers another type, does not compile.
macro_rules! routes {
    (; $($endpoint:ident => $module:ident::$handler:ident $(($body:ty))? -> $reply:ty { $($field:ident: $value:expr),* $(,)? })*) => {
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
        pub enum Endpoint {
            $($endpoint,)*
        }

        pub static ROUTES: &[Route] = &[$(Route {
            endpoint: Endpoint::$endpoint,
            $(body: Some(schema_of::<$body>),)?
            response: schema_of::<$reply>,
            $($field: $value,)*
            ..Route::DEFAULTS
        },)*];

        /// Defines `dispatch`, which calls the handler the route's row names (exhaustive: the rows are the
        /// enum), giving it the row's body type and taking the row's answer type: a handler that reads or
        /// answers anything else does not compile. It is expanded in the crate root, with the root's `Ctx`
        /// and `ApiError` in scope, so this table depends neither on the modules it routes to nor on `http`.
        #[cfg(target_arch = "wasm32")]
        macro_rules! define_dispatch {
            () => {
                async fn dispatch(ctx: &Ctx) -> Result<worker::Response, ApiError> {
                    match ctx.route.endpoint {
                        $(crate::routes::Endpoint::$endpoint => {
                            let reply: Reply<<crate::routes::ep::$endpoint as tongban_shared::api::Endpoint>::Reply> = crate::routes::call_handler!(ctx, crate::$module::$handler, $endpoint, [$($body)?]).await?;
                            Ok(reply.into_response())
                        })*
                    }
                }
            };
        }
        #[cfg(target_arch = "wasm32")]
        pub(crate) use define_dispatch;
    };
}

pub type SchemaFn = fn(&mut SchemaGenerator) -> Schema;

fn schema_of<T: JsonSchema>(g: &mut SchemaGenerator) -> Schema {
    g.subschema_for::<T>()
}

impl Route {
    /// The media type of a successful answer: JSON everywhere but the QR image.
    /// The body is the raw bytes of a file, read by the dispatcher up to the route's limit, not text.
    pub fn takes_bytes(&self) -> bool {
        matches!(self.endpoint, Endpoint::CreateUpload)
    }

    /// What the operation may answer whatever its handler does: a bug, D1 briefly unavailable, a signed-in
    /// operation sent from another site (`crate::http::fetch_site_allowed`), and for writes a lost race the database itself stopped (see `ApiError::from_runtime`) and a body over the
    /// limit, refused before anything reads it.
    pub fn dispatcher_errors(&self) -> impl Iterator<Item = ErrorCode> {
        let writes = self.method.changes_state();
        [ErrorCode::Internal, ErrorCode::Unavailable]
            .into_iter()
            .chain((self.access != Access::Public).then_some(ErrorCode::CrossOrigin))
            .chain(self.rate_limit().map(|_| ErrorCode::RateLimited))
            .chain(self.rate_limit().filter(|(_, k)| *k == RateKey::KioskOrClient).map(|_| ErrorCode::KioskUnknown))
            .chain(writes.then_some(ErrorCode::WriteConflict))
            .chain(writes.then_some(if self.takes_bytes() { ErrorCode::FileTooLarge } else { ErrorCode::BodyTooLarge }))
    }

    /// The rate limit the dispatcher counts this operation against before its handler runs
    /// (`crate::limits::RATE_LIMITS`), and whom it counts.
    pub fn rate_limit(&self) -> Option<(&'static str, RateKey)> {
        self.rate
    }

    /// Media type of the request body, where there is one.
    pub fn request_media_type(&self) -> &'static str {
        if self.takes_bytes() {
            "application/octet-stream"
        } else {
            "application/json"
        }
    }

    /// Media types of a successful answer (an upload is served as what its bytes are).
    pub fn media_types(&self) -> &'static [&'static str] {
        match self.endpoint {
            Endpoint::BookingQr => &["image/svg+xml"],
            Endpoint::OpenDataCsv => &["text/csv"],
            Endpoint::GetUpload => &tongban_shared::application::UPLOAD_MEDIA_TYPES,
            _ => &["application/json"],
        }
    }
}

#[derive(Debug)]
pub struct Route {
    pub endpoint: Endpoint,
    pub method: Method,
    /// Path template; `{name}` segments are path parameters.
    pub path: &'static str,
    pub tag: &'static str,
    pub summary: &'static str,
    pub path_params: &'static [Param],
    pub query: &'static [Param],
    /// Request headers the endpoint reads (documented as header parameters).
    pub headers: &'static [Param],
    /// JSON request body, if the endpoint takes one.
    pub body: Option<SchemaFn>,
    /// Status of a successful answer (200, 201 Created, 204 No Content).
    pub ok_status: u16,
    pub response: SchemaFn,
    /// Error codes this endpoint can answer with (besides `internal`).
    pub errors: &'static [ErrorCode],
    pub cache: Cache,
    /// Who may call it; enforced by the dispatcher before the handler runs.
    pub access: Access,
    /// The rate limit counted before the handler runs (`crate::limits::RATE_LIMITS`), and whom it counts.
    pub rate: Option<(&'static str, RateKey)>,
}

impl Route {
    /// What a row does not say: no parameters, headers or body, `200`, not cached. A row states only
    /// where it differs (`..Route::DEFAULTS`).
    pub const DEFAULTS: Route = Route {
        endpoint: Endpoint::Health,
        method: Method::Get,
        path: "",
        tag: "",
        summary: "",
        path_params: &[],
        query: &[],
        headers: &[],
        body: None,
        ok_status: 200,
        response: schema_of::<()>,
        errors: &[],
        cache: Cache::NoStore,
        access: Access::Public,
        rate: None,
    };
}

/// A file's bytes as a request body, in the OpenAPI document.
fn binary_body(_: &mut SchemaGenerator) -> Schema {
    schemars::json_schema!({"type": "string", "format": "binary", "maxLength": tongban_shared::application::UPLOAD_MAX})
}

tongban_shared::api_rows!(routes);

/// Path parameters captured by [`resolve`], in template order.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct PathParams(pub Vec<(&'static str, String)>);

impl PathParams {
    pub fn get(&self, name: &str) -> Option<&str> {
        self.0.iter().find(|(k, _)| *k == name).map(|(_, v)| v.as_str())
    }
}

fn match_template(template: &'static str, path: &str) -> Option<PathParams> {
    let mut t = template.split('/');
    let mut p = path.split('/');
    let mut params = PathParams::default();
    loop {
        match (t.next(), p.next()) {
            (None, None) => return Some(params),
            (Some(ts), Some(ps)) => {
                if let Some(name) = ts.strip_prefix('{').and_then(|s| s.strip_suffix('}')) {
                    if ps.is_empty() {
                        return None;
                    }
                    params.0.push((name, ps.to_string()));
                } else if ts != ps {
                    return None;
                }
            }
            _ => return None,
        }
    }
}

/// A trailing slash is tolerated: `/api/v1/items/` is `/api/v1/items`.
fn without_trailing_slash(path: &str) -> &str {
    if path.len() > 1 {
        path.trim_end_matches('/')
    } else {
        path
    }
}

/// Finds the route for a request. A trailing slash is tolerated; a path that exists under another method
/// answers `method_not_allowed`, anything else `not_found`.
pub fn resolve(method: &str, path: &str) -> Result<(&'static Route, PathParams), ErrorCode> {
    let path = without_trailing_slash(path);
    let mut path_exists = false;
    for r in ROUTES {
        if let Some(params) = match_template(r.path, path) {
            if r.method.as_str() == method || (method == "HEAD" && r.method == Method::Get) {
                return Ok((r, params));
            }
            path_exists = true;
        }
    }
    Err(if path_exists { ErrorCode::MethodNotAllowed } else { ErrorCode::NotFound })
}

/// The `Allow` header of a 405 (RFC 9110 requires it): the methods the path does answer, HEAD with GET.
pub fn allowed_methods(path: &str) -> String {
    let path = without_trailing_slash(path);
    let mut methods: Vec<&str> = Vec::new();
    for r in ROUTES.iter().filter(|r| match_template(r.path, path).is_some()) {
        methods.push(r.method.as_str());
        if r.method == Method::Get {
            methods.push("HEAD");
        }
    }
    methods.dedup();
    methods.join(", ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_405_lists_the_methods_the_path_answers() {
        assert_eq!(allowed_methods("/api/v1/items"), "GET, HEAD");
        assert_eq!(allowed_methods("/api/v1/sessions/"), "POST");
        let draft = allowed_methods("/api/v1/bundles/open-restaurant/draft");
        assert!(draft.contains("GET") && draft.contains("PUT"), "{draft}");
        assert_eq!(allowed_methods("/api/v1/nope"), "");
    }

    #[test]
    fn resolves_paths_with_params() {
        let (r, p) = resolve("GET", "/api/v1/items/scjg-company-setup/versions/2").unwrap();
        assert_eq!(r.endpoint, Endpoint::GetItemVersion);
        assert_eq!(p.get("id"), Some("scjg-company-setup"));
        assert_eq!(p.get("version"), Some("2"));
        assert_eq!(resolve("GET", "/api/v1/items/").unwrap().0.endpoint, Endpoint::ListItems);
        assert_eq!(resolve("GET", "/api/v1/items/x/versions").unwrap().0.endpoint, Endpoint::ListItemVersions);
    }

    #[test]
    fn misses() {
        assert_eq!(resolve("GET", "/api/v1/nope").unwrap_err(), ErrorCode::NotFound);
        assert_eq!(resolve("GET", "/api/v1/items//versions").unwrap_err(), ErrorCode::NotFound);
        assert_eq!(resolve("POST", "/api/v1/items").unwrap_err(), ErrorCode::MethodNotAllowed);
        assert_eq!(resolve("POST", "/api/v1/sessions").unwrap().0.endpoint, Endpoint::Login);
        assert_eq!(resolve("DELETE", "/api/v1/sessions/current").unwrap().0.endpoint, Endpoint::Logout);
        assert_eq!(resolve("GET", "/api/v1/items/a/b/c/d").unwrap_err(), ErrorCode::NotFound);
    }

    #[test]
    fn every_endpoint_has_exactly_one_route_and_templates_are_unique() {
        let mut seen = std::collections::HashSet::new();
        for r in ROUTES {
            assert!(seen.insert(r.endpoint), "{:?} routed twice", r.endpoint);
            assert!(r.path.starts_with("/api/v1/"), "{}", r.path);
            // Each declared path param appears in the template and vice versa.
            let in_template: Vec<&str> = r.path.split('/').filter_map(|s| s.strip_prefix('{')?.strip_suffix('}')).collect();
            let declared: Vec<&str> = r.path_params.iter().map(|p| p.name).collect();
            assert_eq!(in_template, declared, "{}", r.path);
        }
        assert_eq!(seen.len(), ROUTES.len());
    }
}
