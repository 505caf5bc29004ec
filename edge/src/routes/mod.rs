//! The route table: the one list of endpoints. Each row (in the `rows_*` files, one `routes!` list) names
//! its handler, the JSON body it reads and the answer it gives (`Name => module::handler(Body) -> Answer { … }`),
//! and states what differs from [`Route::DEFAULTS`]. Request resolution ([`resolve`]), the handler call
//! (`define_dispatch!`, expanded in `lib.rs`), the OpenAPI document (`openapi.rs`) and the authorization
//! matrix's defaults (`tests/tests/authz.rs`, through the document's `x-access`) are all read from it, and the
//! handler's signature is typed by it (`Body<ep::Name>`, `Answer<ep::Name>`). So an endpoint cannot be served
//! without being documented, nor documented with types its handler does not use, and adding one is its row
//! and its handler.
//!
//! - [`rows_people`] — the catalogue, accounts and sessions, agents, staff posts, the audit log.
//! - [`rows_hall`] — bookings and the waiting list, the hall queue and kiosks, a center's configuration.
//! - [`rows_services`] — notifications and push, 好差评 and work orders, the appraisal, applications and cases.

use schemars::{JsonSchema, Schema, SchemaGenerator};
use tongban_shared::account::{AddAgent, Agent, BusinessRef, ChangePassword, DeleteAccount, Login, Me, RegisterBusiness, RegisterResident, Role};
use tongban_shared::appraisal::{Appraisal, Dashboard, OpenData};
use tongban_shared::authz::{Access, ADMINS, FRONT_DESK, RESIDENTS};
use tongban_shared::booking::{Availability, BanStatus, Booking, NewBooking, Reschedule, SlotAvailability, StaffReason, WaitlistEntry};
use tongban_shared::catalogue::{Bundle, Center, CenterDetail, Department, GuideVersionInfo, ItemDetail, ItemPage};
use tongban_shared::config::{AffectedBooking, CalendarDay, CenterConfig, SlotOverride};
use tongban_shared::notify::{Inbox, NotifyPrefs, PushSubscription, VapidKey};
use tongban_shared::queue::{Call, Called, CheckIn, Kiosk, KioskKey, NewKiosk, QueueClass, Ticket, WindowAction, WindowState};
use tongban_shared::review::{MyReviews, NewReview, OrderAction, OrderDetail, OrderList, ReviewCreated, ReviewTarget};

const ORDER_HANDLERS: &[Role] = &[Role::Approver, Role::CenterAdmin, Role::DistrictAdmin];
const STAFF_ROLES: &[Role] = tongban_shared::authz::STAFF;
const APPRAISAL: Cache = Cache::Public { max_age: 60 };
const DASH_QUERY: &[Param] = &[
    Param { name: "center", description: "Center slug", kind: ParamKind::Slug },
    Param { name: "dept", description: "Department slug", kind: ParamKind::Slug },
    Param { name: "window", description: "Window id, `{center}-w{number}`", kind: ParamKind::Slug },
    Param { name: "item", description: "Item slug", kind: ParamKind::Slug },
    Param {
        name: "month",
        description: "`YYYY-MM`: that month only (the trend ends there); default the last 12 months",
        kind: ParamKind::Text { max_chars: 7 },
    },
];
const OPEN_QUERY: &[Param] = &[
    Param { name: "by", description: "Rows per month and this unit", kind: ParamKind::Enum(&["center", "department", "window", "item"]) },
    Param { name: "center", description: "Center slug", kind: ParamKind::Slug },
    Param { name: "dept", description: "Department slug", kind: ParamKind::Slug },
    Param { name: "window", description: "Window id, `{center}-w{number}`", kind: ParamKind::Slug },
    Param { name: "item", description: "Item slug", kind: ParamKind::Slug },
    Param { name: "month", description: "`YYYY-MM`: that month only; default the last 12 months", kind: ParamKind::Text { max_chars: 7 } },
];
use tongban_shared::application::{
    ApplicationSummary, ApplicationView, CaseAction, CaseTask, CaseView, Correction, DeskAction, Draft, ELicence, NewApplication, Profile, Upload,
};
use tongban_shared::form::MergedForm;
const APPROVERS: &[Role] = &[Role::Approver];
const HEX_ID: Param = Param { name: "id", description: "Id (32 hex characters)", kind: ParamKind::Id };
const BUNDLE_ID: Param = Param { name: "id", description: "Bundle slug, e.g. `open-restaurant`", kind: ParamKind::Slug };
const ORDER_ID: Param = Param { name: "id", description: "Work order id", kind: ParamKind::Id };

const BUSINESSES: &[Role] = &[Role::Business];
const DISTRICT: &[Role] = &[Role::DistrictAdmin];
use tongban_shared::staff::{AuditEntry, NewStaff, PersonLookup, PersonRecord, StaffPost, StaffSettings};
use tongban_shared::ErrorCode;

use tongban_shared::health::Health;

/// What a route's row says its handler reads and answers; implemented by `routes!` for each endpoint's
/// marker in [`ep`].
pub trait Typed {
    type Body;
    type Reply;
}

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

#[macro_use]
mod rows_people;
#[macro_use]
mod rows_hall;
#[macro_use]
mod rows_services;

/// The table's one source: each row names its endpoint, the handler that serves it, its body and answer types
/// and what differs from [`Route::DEFAULTS`]. From it come the [`Endpoint`] enum, [`ROUTES`] (resolution, the
/// OpenAPI document, the authorization matrix's defaults), the [`ep`] markers that type each handler, and
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

        /// One marker type per endpoint, carrying its row's body and answer types ([`Typed`]).
        pub mod ep {
            $(pub struct $endpoint;)*
        }

        $(#[allow(unused_parens)]
        impl Typed for ep::$endpoint {
            type Body = ($($body)?);
            type Reply = $reply;
        })*

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
                            let reply: Reply<<crate::routes::ep::$endpoint as crate::routes::Typed>::Reply> = crate::routes::call_handler!(ctx, crate::$module::$handler, $endpoint, [$($body)?]).await?;
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

/// Whom a rate limit counts: the client address (an IPv6 client by its /64), the signed-in account, or a
/// registered kiosk (`X-Kiosk-Key`, its own higher limit) and else the address.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RateKey {
    Client,
    Account,
    KioskOrClient,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Method {
    Get,
    Post,
    Put,
    Delete,
}

impl Method {
    pub fn as_str(self) -> &'static str {
        match self {
            Method::Get => "GET",
            Method::Post => "POST",
            Method::Put => "PUT",
            Method::Delete => "DELETE",
        }
    }

    /// Requests that change state: they must come from our own origin (CSRF).
    pub fn changes_state(self) -> bool {
        !matches!(self, Method::Get)
    }
}

/// How a successful answer may be cached by browsers and CDNs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Cache {
    /// Public catalogue data: short freshness, then revalidation with the ETag (cheap 304s).
    Public { max_age: u32 },
    /// Live state (health): never cached.
    NoStore,
}

impl Cache {
    pub fn header(self) -> String {
        match self {
            Cache::Public { max_age } => format!("public, max-age={max_age}, stale-while-revalidate={}", max_age * 5),
            Cache::NoStore => "no-store".to_string(),
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ParamKind {
    /// Lowercase slug id.
    Slug,
    /// Positive integer.
    Int { min: u32, max: u32 },
    /// Free text with a maximum length in characters.
    Text { max_chars: u32 },
    /// One of the listed values.
    Enum(&'static [&'static str]),
    /// Comma-separated subset of the listed values.
    List(&'static [&'static str]),
    /// A random hex id (32 characters).
    Id,
}

#[derive(Debug, Clone, Copy)]
pub struct Param {
    pub name: &'static str,
    pub description: &'static str,
    pub kind: ParamKind,
}

/// The answer of a route whose body is not JSON (the QR image, the CSV, an uploaded file): its media types
/// say what it is ([`Route::media_types`]), and the document describes it as a string.
pub struct Raw;

impl JsonSchema for Raw {
    fn inline_schema() -> bool {
        true
    }
    fn schema_name() -> std::borrow::Cow<'static, str> {
        "Raw".into()
    }
    fn json_schema(g: &mut SchemaGenerator) -> Schema {
        String::json_schema(g)
    }
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
        match self.endpoint {
            Endpoint::RegisterResident | Endpoint::RegisterBusiness => Some(("RL_REGISTER", RateKey::Client)),
            Endpoint::TakeTicket | Endpoint::CheckIn => Some(("RL_HALL", RateKey::KioskOrClient)),
            Endpoint::ReviewTarget => Some(("RL_LOOKUP", RateKey::Client)),
            Endpoint::CreateUpload | Endpoint::Subscribe => Some(("RL_ACCOUNT", RateKey::Account)),
            _ => None,
        }
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
    };
}

/// A file's bytes as a request body, in the OpenAPI document.
fn binary_body(_: &mut SchemaGenerator) -> Schema {
    schemars::json_schema!({"type": "string", "format": "binary", "maxLength": tongban_shared::application::UPLOAD_MAX})
}

const FLAGS: &[&str] = &["online", "zero_trip", "on_the_spot", "one_trip"];
const ITEM_ID: Param = Param { name: "id", description: "Item slug, e.g. `scjg-company-setup`", kind: ParamKind::Slug };
const CATALOGUE: Cache = Cache::Public { max_age: 60 };

with_people_rows!(with_hall_rows, with_service_rows, routes;);

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

    /// Every API path the app calls is a route of this table, and so documented in the OpenAPI document
    /// (generated from the same table): a client call to an undocumented path fails here.
    #[test]
    fn every_path_the_app_calls_is_in_the_table() {
        fn sources(dir: &std::path::Path, out: &mut Vec<std::path::PathBuf>) {
            for e in std::fs::read_dir(dir).unwrap().flatten() {
                let p = e.path();
                if p.is_dir() {
                    sources(&p, out);
                } else if p.extension().is_some_and(|x| x == "rs") {
                    out.push(p);
                }
            }
        }
        let mut files = Vec::new();
        sources(&std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../app/src"), &mut files);
        let mut seen = 0;
        for f in files {
            let text = std::fs::read_to_string(&f).unwrap();
            for (i, _) in text.match_indices("\"/api/v1/") {
                let lit = &text[i + 1..];
                let lit = &lit[..lit.find('"').unwrap()];
                // `{…}` placeholders are path segments or a query string built elsewhere.
                let mut path = String::new();
                let mut rest = lit.split('?').next().unwrap();
                while let Some(open) = rest.find('{') {
                    path.push_str(&rest[..open]);
                    let close = rest[open..].find('}').unwrap() + open;
                    if path.ends_with('/') {
                        path.push_str("x1");
                    }
                    rest = &rest[close + 1..];
                }
                path.push_str(rest);
                let found = ["GET", "POST", "PUT", "DELETE"].iter().any(|m| resolve(m, &path).is_ok());
                assert!(found, "{}: the app calls {lit} ({path}), which is not a route", f.display());
                seen += 1;
            }
        }
        assert!(seen > 50, "only {seen} API paths found in the app's sources");
    }

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
