//! The route table: the one list of endpoints. Each row (in `routes!` below) names its handler, the JSON body it
//! reads and the answer it gives (`Name => module::handler(Body) -> Answer { … }`), and states what differs from
//! [`Route::DEFAULTS`]. Request resolution ([`resolve`]), the handler call (`define_dispatch!`, expanded in
//! `lib.rs`), the OpenAPI document (`openapi.rs`) and the authorization matrix's defaults (`tests/tests/authz.rs`,
//! through the document's `x-access`) are all read from it, and the handler's signature is typed by it
//! (`Body<ep::Name>`, `Answer<ep::Name>`). So an endpoint cannot be served without being documented, nor
//! documented with types its handler does not use, and adding one is its row and its handler.

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

/// The table's one source: each row names its endpoint, the handler that serves it, its body and answer types
/// and what differs from [`Route::DEFAULTS`]. From it come the [`Endpoint`] enum, [`ROUTES`] (resolution, the
/// OpenAPI document, the authorization matrix's defaults), the [`ep`] markers that type each handler, and
/// `define_dispatch!`, which the worker's entry expands into the call of each row's handler. A new endpoint is
/// this row and its handler: a row whose handler does not exist, or reads or answers another type, does not compile.
macro_rules! routes {
    ($($endpoint:ident => $module:ident::$handler:ident $(($body:ty))? -> $reply:ty { $($field:ident: $value:expr),* $(,)? })*) => {
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

routes! {
    Health => health::handle -> Health {
        method: Method::Get,
        path: "/api/v1/health",
        tag: "system",
        summary: "Build version and whether D1 and KV answer",
        errors: &[ErrorCode::Unavailable],
        access: Access::Public,
    }
    OpenApi => openapi::serve -> serde_json::Value {
        method: Method::Get,
        path: "/api/v1/openapi.json",
        tag: "system",
        summary: "This OpenAPI 3.1 document, generated from the route table",
        errors: &[],
        cache: CATALOGUE,
        access: Access::Public,
    }
    ListItems => items::list -> ItemPage {
        method: Method::Get,
        path: "/api/v1/items",
        tag: "catalogue",
        summary: "List, filter and search service items (政务服务事项)",
        query: &[
            Param { name: "q", description: "Search text, Chinese or English; matched as substrings (at most 100 characters, 8 words)", kind: ParamKind::Text { max_chars: 100 } },
            Param { name: "dept", description: "Department slug", kind: ParamKind::Slug },
            Param { name: "center", description: "Only items handled at this center", kind: ParamKind::Slug },
            Param { name: "kind", description: "Item type", kind: ParamKind::Enum(&["admin_power", "public_service"]) },
            Param { name: "flag", description: "Items carrying all these flags (comma-separated or repeated)", kind: ParamKind::List(FLAGS) },
            Param { name: "page", description: "1-based page", kind: ParamKind::Int { min: 1, max: 10_000 } },
            Param { name: "per_page", description: "Items per page", kind: ParamKind::Int { min: 1, max: 50 } },
        ],
        errors: &[ErrorCode::QueryTooLong, ErrorCode::TooManyTerms, ErrorCode::BadPage, ErrorCode::UnknownFilter, ErrorCode::BadId],
        cache: CATALOGUE,
        access: Access::Public,
    }
    GetItem => items::get -> ItemDetail {
        method: Method::Get,
        path: "/api/v1/items/{id}",
        tag: "catalogue",
        summary: "An item with its current office guide (办事指南)",
        path_params: &[ITEM_ID],
        errors: &[ErrorCode::BadId, ErrorCode::ItemNotFound],
        cache: CATALOGUE,
        access: Access::Public,
    }
    ListItemVersions => items::versions -> Vec<GuideVersionInfo> {
        method: Method::Get,
        path: "/api/v1/items/{id}/versions",
        tag: "catalogue",
        summary: "Every published version of an item's guide",
        path_params: &[ITEM_ID],
        errors: &[ErrorCode::BadId, ErrorCode::ItemNotFound],
        cache: CATALOGUE,
        access: Access::Public,
    }
    GetItemVersion => items::get_version -> ItemDetail {
        method: Method::Get,
        path: "/api/v1/items/{id}/versions/{version}",
        tag: "catalogue",
        summary: "An item with one published version of its guide",
        path_params: &[ITEM_ID, Param { name: "version", description: "Guide version, from 1", kind: ParamKind::Int { min: 1, max: 10_000 } }],
        errors: &[ErrorCode::BadId, ErrorCode::ItemNotFound, ErrorCode::VersionNotFound],
        cache: CATALOGUE,
        access: Access::Public,
    }
    ListDepartments => departments::list -> Vec<Department> {
        method: Method::Get,
        path: "/api/v1/departments",
        tag: "catalogue",
        summary: "Departments (部门)",
        errors: &[],
        cache: CATALOGUE,
        access: Access::Public,
    }
    ListCenters => centers::list -> Vec<Center> {
        method: Method::Get,
        path: "/api/v1/centers",
        tag: "catalogue",
        summary: "Service centers (政务服务中心) with opening hours",
        query: &[Param { name: "kind", description: "District center or community centers", kind: ParamKind::Enum(&["district", "community"]) }],
        errors: &[ErrorCode::UnknownFilter],
        cache: CATALOGUE,
        access: Access::Public,
    }
    GetCenter => centers::get -> CenterDetail {
        method: Method::Get,
        path: "/api/v1/centers/{id}",
        tag: "catalogue",
        summary: "A service center with its windows",
        path_params: &[Param { name: "id", description: "Center slug, e.g. `putuo-district`", kind: ParamKind::Slug }],
        errors: &[ErrorCode::BadId, ErrorCode::CenterNotFound],
        cache: CATALOGUE,
        access: Access::Public,
    }
    ListBundles => bundles::list -> Vec<Bundle> {
        method: Method::Get,
        path: "/api/v1/bundles",
        tag: "catalogue",
        summary: "\"一件事\" bundles with their items",
        errors: &[],
        cache: CATALOGUE,
        access: Access::Public,
    }
    GetBundle => bundles::get -> Bundle {
        method: Method::Get,
        path: "/api/v1/bundles/{id}",
        tag: "catalogue",
        summary: "One \"一件事\" bundle with its items",
        path_params: &[Param { name: "id", description: "Bundle slug, e.g. `open-restaurant`", kind: ParamKind::Slug }],
        errors: &[ErrorCode::BadId, ErrorCode::BundleNotFound],
        cache: CATALOGUE,
        access: Access::Public,
    }
    RegisterResident => accounts::register_resident(RegisterResident) -> Me {
        method: Method::Post,
        path: "/api/v1/accounts/residents",
        tag: "accounts",
        summary: "Register a resident (个人注册) and sign in",
        ok_status: 201,
        errors: &[
            ErrorCode::MalformedJson, ErrorCode::InvalidName, ErrorCode::InvalidIdNumber, ErrorCode::InvalidMobile,
            ErrorCode::PasswordTooShort, ErrorCode::PasswordTooLong, ErrorCode::PasswordCommon, ErrorCode::CrossOrigin,
            ErrorCode::AccountExists,
        ],
        access: Access::Public,
    }
    Login => sessions::login(Login) -> Me {
        method: Method::Post,
        path: "/api/v1/sessions",
        tag: "accounts",
        summary: "Sign in; sets the HttpOnly session cookie",
        errors: &[ErrorCode::MalformedJson, ErrorCode::BadCredentials, ErrorCode::CrossOrigin, ErrorCode::TooManyAttempts, ErrorCode::SignInBusy],
        access: Access::Public,
    }
    Logout => sessions::logout -> () {
        method: Method::Delete,
        path: "/api/v1/sessions/current",
        tag: "accounts",
        summary: "Sign out: the session ends at once, everywhere",
        ok_status: 204,
        errors: &[ErrorCode::CrossOrigin],
        access: Access::Public,
    }
    GetMe => me::get -> Me {
        method: Method::Get,
        path: "/api/v1/me",
        tag: "accounts",
        summary: "The signed-in user, with personal data masked",
        errors: &[ErrorCode::Unauthenticated],
        access: Access::SignedIn,
    }
    ListStaff => staff::list -> Vec<StaffPost> {
        method: Method::Get,
        path: "/api/v1/staff",
        tag: "staff",
        summary: "Staff posts an admin manages (a center admin: their center's)",
        errors: &[ErrorCode::Unauthenticated, ErrorCode::Forbidden],
        access: Access::Roles(ADMINS),
    }
    CreateStaff => staff::create(NewStaff) -> StaffPost {
        method: Method::Post,
        path: "/api/v1/staff",
        tag: "staff",
        summary: "Create a staff post (never self-registered)",
        ok_status: 201,
        errors: &[
            ErrorCode::MalformedJson, ErrorCode::InvalidLogin, ErrorCode::InvalidName, ErrorCode::InvalidPost, ErrorCode::InvalidBackup,
            ErrorCode::PasswordTooShort, ErrorCode::PasswordTooLong, ErrorCode::PasswordCommon, ErrorCode::Unauthenticated,
            ErrorCode::Forbidden, ErrorCode::CrossOrigin, ErrorCode::LoginTaken,
        ],
        access: Access::Roles(ADMINS),
    }
    UpdateStaff => staff::update(StaffSettings) -> StaffPost {
        method: Method::Post,
        path: "/api/v1/staff/{id}/settings",
        tag: "staff",
        summary: "Set a post's backup (岗位AB角) and whether it is away",
        path_params: &[Param { name: "id", description: "Staff account id", kind: ParamKind::Id }],
        errors: &[ErrorCode::MalformedJson, ErrorCode::BadId, ErrorCode::InvalidBackup, ErrorCode::Unauthenticated, ErrorCode::Forbidden, ErrorCode::CrossOrigin, ErrorCode::StaffNotFound],
        access: Access::Roles(ADMINS),
    }
    SetStaffStatus => staff::set_status(tongban_shared::staff::StaffStatus) -> StaffPost {
        method: Method::Post,
        path: "/api/v1/staff/{id}/status",
        tag: "staff",
        summary: "Disable a staff account (its sessions end at once, sign-in is refused) or enable it again; audited",
        path_params: &[Param { name: "id", description: "Staff account id", kind: ParamKind::Id }],
        errors: &[ErrorCode::MalformedJson, ErrorCode::BadId, ErrorCode::Unauthenticated, ErrorCode::Forbidden, ErrorCode::CrossOrigin, ErrorCode::StaffNotFound],
        access: Access::Roles(ADMINS),
    }
    ResetStaffPassword => staff::reset_password(tongban_shared::staff::PasswordReset) -> tongban_shared::staff::TemporaryPassword {
        method: Method::Post,
        path: "/api/v1/staff/{id}/password-reset",
        tag: "staff",
        summary: "A one-time temporary password for a staff account (the post's login typed again); it must be changed at the next sign-in; audited",
        path_params: &[Param { name: "id", description: "Staff account id", kind: ParamKind::Id }],
        errors: &[ErrorCode::MalformedJson, ErrorCode::BadId, ErrorCode::InvalidLogin, ErrorCode::Unauthenticated, ErrorCode::Forbidden, ErrorCode::CrossOrigin, ErrorCode::StaffNotFound],
        access: Access::Roles(ADMINS),
    }
    LookupPerson => people::lookup(PersonLookup) -> PersonRecord {
        method: Method::Post,
        path: "/api/v1/people/lookup",
        tag: "staff",
        summary: "Front desk: a person's full record by ID number, with a reason; every look-up is audited",
        errors: &[ErrorCode::MalformedJson, ErrorCode::InvalidIdNumber, ErrorCode::ReasonRequired, ErrorCode::Unauthenticated, ErrorCode::Forbidden, ErrorCode::CrossOrigin, ErrorCode::PersonNotFound],
        access: Access::Roles(FRONT_DESK),
    }
    ListAudit => audit::list -> Vec<AuditEntry> {
        method: Method::Get,
        path: "/api/v1/audit",
        tag: "staff",
        summary: "Audit log of staff access to personal data (read-only; append-only in the database)",
        errors: &[ErrorCode::Unauthenticated, ErrorCode::Forbidden],
        access: Access::Roles(ADMINS),
    }
    RegisterBusiness => accounts::register_business(RegisterBusiness) -> Me {
        method: Method::Post,
        path: "/api/v1/accounts/businesses",
        tag: "accounts",
        summary: "Register a business (法人注册) by its legal representative, and sign in",
        ok_status: 201,
        errors: &[
            ErrorCode::MalformedJson, ErrorCode::InvalidUscc, ErrorCode::InvalidCompany, ErrorCode::InvalidName, ErrorCode::InvalidIdNumber,
            ErrorCode::InvalidMobile, ErrorCode::PasswordTooShort, ErrorCode::PasswordTooLong, ErrorCode::PasswordCommon,
            ErrorCode::CrossOrigin, ErrorCode::AccountExists,
        ],
        access: Access::Public,
    }
    ListAgents => agents::list -> Vec<Agent> {
        method: Method::Get,
        path: "/api/v1/me/agents",
        tag: "accounts",
        summary: "A business's authorised agents (经办人), masked",
        errors: &[ErrorCode::Unauthenticated, ErrorCode::Forbidden],
        access: Access::Roles(BUSINESSES),
    }
    AddAgent => agents::add(AddAgent) -> tongban_shared::account::AgentInvitation {
        method: Method::Post,
        path: "/api/v1/me/agents",
        tag: "accounts",
        summary: "Invite a resident by ID number to be an agent of this business (the same answer whether or not the number is registered; they become an agent by accepting)",
        ok_status: 201,
        errors: &[
            ErrorCode::MalformedJson,
            ErrorCode::InvalidIdNumber,
            ErrorCode::Unauthenticated,
            ErrorCode::Forbidden,
            ErrorCode::CrossOrigin,
            ErrorCode::AgentExists,
            ErrorCode::TooManyInvitations,
        ],
        access: Access::Roles(BUSINESSES),
    }
    ListAgentInvitations => agents::invitations -> Vec<tongban_shared::account::AgentInvitation> {
        method: Method::Get,
        path: "/api/v1/me/agent-invitations",
        tag: "accounts",
        summary: "A business's agent invitations (masked numbers, states), or those waiting for the signed-in resident",
        errors: &[ErrorCode::Unauthenticated, ErrorCode::Forbidden],
        access: Access::Roles(tongban_shared::authz::RESIDENTS_AND_BUSINESSES),
    }
    AnswerAgentInvitation => agents::answer(tongban_shared::account::InvitationAnswer) -> tongban_shared::account::AgentInvitation {
        method: Method::Post,
        path: "/api/v1/me/agent-invitations/{id}",
        tag: "accounts",
        summary: "Accept (becoming the business's agent) or decline an invitation addressed to the signed-in resident",
        path_params: &[Param { name: "id", description: "Invitation id", kind: ParamKind::Id }],
        errors: &[ErrorCode::MalformedJson, ErrorCode::BadId, ErrorCode::Unauthenticated, ErrorCode::Forbidden, ErrorCode::CrossOrigin, ErrorCode::InvitationNotFound],
        access: Access::Roles(tongban_shared::authz::RESIDENTS),
    }
    RemoveAgent => agents::remove -> () {
        method: Method::Delete,
        path: "/api/v1/me/agents/{id}",
        tag: "accounts",
        summary: "Withdraw an agent's authorisation",
        path_params: &[Param { name: "id", description: "Agent account id", kind: ParamKind::Id }],
        ok_status: 204,
        errors: &[ErrorCode::BadId, ErrorCode::Unauthenticated, ErrorCode::Forbidden, ErrorCode::CrossOrigin],
        access: Access::Roles(BUSINESSES),
    }
    ListMyBusinesses => agents::my_businesses -> Vec<BusinessRef> {
        method: Method::Get,
        path: "/api/v1/me/businesses",
        tag: "accounts",
        summary: "The businesses a resident is an authorised agent of (我的企业)",
        errors: &[ErrorCode::Unauthenticated, ErrorCode::Forbidden],
        access: Access::Roles(RESIDENTS),
    }
    ChangePassword => accounts::change_password(ChangePassword) -> () {
        method: Method::Post,
        path: "/api/v1/me/password",
        tag: "accounts",
        summary: "Change the password; every other session of the account ends at once",
        ok_status: 204,
        errors: &[
            ErrorCode::MalformedJson, ErrorCode::BadCredentials, ErrorCode::PasswordTooShort, ErrorCode::PasswordTooLong,
            ErrorCode::PasswordCommon, ErrorCode::Unauthenticated, ErrorCode::CrossOrigin, ErrorCode::TooManyAttempts, ErrorCode::SignInBusy,
        ],
        access: Access::SignedIn,
    }
    ExportMyData => accounts::export -> tongban_shared::privacy::MyData {
        method: Method::Get,
        path: "/api/v1/me/export",
        tag: "accounts",
        summary: "Everything held about me, in full, as a JSON download — including who viewed my data and why",
        errors: &[ErrorCode::Unauthenticated, ErrorCode::Forbidden],
        access: Access::Roles(RESIDENTS),
    }
    DeleteMyAccount => accounts::delete(DeleteAccount) -> () {
        method: Method::Post,
        path: "/api/v1/me/deletion",
        tag: "accounts",
        summary: "Delete my account: personal data erased, the record kept anonymised where the law requires it",
        ok_status: 204,
        errors: &[ErrorCode::MalformedJson, ErrorCode::BadCredentials, ErrorCode::Unauthenticated, ErrorCode::Forbidden, ErrorCode::CrossOrigin, ErrorCode::TooManyAttempts, ErrorCode::SignInBusy],
        access: Access::Roles(RESIDENTS),
    }
    GetAvailability => bookings::availability -> Availability {
        method: Method::Get,
        path: "/api/v1/centers/{id}/availability",
        tag: "bookings",
        summary: "Bookable days of an item at a center with remaining seats; with `date`, that day's slots",
        path_params: &[Param { name: "id", description: "Center slug", kind: ParamKind::Slug }],
        query: &[
            Param { name: "item", description: "Item slug (required)", kind: ParamKind::Slug },
            Param { name: "date", description: "`YYYY-MM-DD`: list that day's slots", kind: ParamKind::Text { max_chars: 10 } },
        ],
        errors: &[ErrorCode::BadId, ErrorCode::DateNotBookable, ErrorCode::CenterNotFound, ErrorCode::NotServedHere],
        access: Access::Public,
    }
    CreateBooking => bookings::create(NewBooking) -> Booking {
        method: Method::Post,
        path: "/api/v1/bookings",
        tag: "bookings",
        summary: "Book a slot (预约). Seats and per-person limits are enforced in one transaction; a repeated Idempotency-Key returns the first booking",
        headers: &[Param { name: "Idempotency-Key", description: "8–64 characters, one per booking attempt (a double click sends the same)", kind: ParamKind::Text { max_chars: 64 } }],
        ok_status: 201,
        errors: &[
            ErrorCode::MalformedJson, ErrorCode::IdempotencyKeyRequired, ErrorCode::BadId, ErrorCode::DateNotBookable, ErrorCode::Unauthenticated,
            ErrorCode::Forbidden, ErrorCode::CrossOrigin, ErrorCode::CenterNotFound, ErrorCode::NotServedHere, ErrorCode::SlotNotFound,
            ErrorCode::SlotFull, ErrorCode::LimitReached, ErrorCode::BookingBanned,
        ],
        access: Access::Roles(RESIDENTS),
    }
    ListMyBookings => bookings::mine -> Vec<Booking> {
        method: Method::Get,
        path: "/api/v1/bookings",
        tag: "bookings",
        summary: "My bookings, newest first",
        errors: &[ErrorCode::Unauthenticated, ErrorCode::Forbidden],
        access: Access::Roles(RESIDENTS),
    }
    CancelBooking => bookings::cancel -> Booking {
        method: Method::Post,
        path: "/api/v1/bookings/{id}/cancel",
        tag: "bookings",
        summary: "Cancel my booking (until the center's deadline, `cancel_until` on the booking); the seat is freed",
        path_params: &[Param { name: "id", description: "Booking id", kind: ParamKind::Id }],
        errors: &[ErrorCode::BadId, ErrorCode::Unauthenticated, ErrorCode::Forbidden, ErrorCode::CrossOrigin, ErrorCode::BookingNotFound, ErrorCode::TooLateToCancel, ErrorCode::InvalidTransition],
        access: Access::Roles(RESIDENTS),
    }
    TakeTicket => queue::walk_in -> Ticket {
        method: Method::Post,
        path: "/api/v1/centers/{id}/tickets",
        tag: "queue",
        summary: "Take a walk-in ticket (取号) at the kiosk; no sign-in",
        path_params: &[Param { name: "id", description: "Center slug", kind: ParamKind::Slug }],
        query: &[Param { name: "class", description: "Window class id; without it, the center's general class", kind: ParamKind::Slug }],
        ok_status: 201,
        errors: &[ErrorCode::BadId, ErrorCode::CrossOrigin, ErrorCode::CenterNotFound, ErrorCode::ClassNotFound],
        access: Access::Public,
    }
    CheckIn => queue::check_in(CheckIn) -> Ticket {
        method: Method::Post,
        path: "/api/v1/checkins",
        tag: "queue",
        summary: "Check in with a booking code (签到): from 30 minutes before the slot to 15 after; a second scan returns the same ticket",
        ok_status: 201,
        errors: &[ErrorCode::MalformedJson, ErrorCode::InvalidCode, ErrorCode::CrossOrigin, ErrorCode::BookingNotFound, ErrorCode::InvalidTransition, ErrorCode::NotToday, ErrorCode::CheckInTooEarly, ErrorCode::CheckInLate],
        access: Access::Public,
    }
    CallNext => queue::call_next -> Called {
        method: Method::Post,
        path: "/api/v1/centers/{id}/windows/{number}/call",
        tag: "queue",
        summary: "Call the next ticket to this window (叫号): checked-in bookings first, then walk-ins",
        path_params: &[Param { name: "id", description: "Center slug", kind: ParamKind::Slug }, Param { name: "number", description: "Window number", kind: ParamKind::Int { min: 1, max: 999 } }],
        errors: &[ErrorCode::BadId, ErrorCode::Unauthenticated, ErrorCode::Forbidden, ErrorCode::WrongCenter, ErrorCode::CrossOrigin, ErrorCode::WindowNotFound],
        access: Access::Roles(FRONT_DESK),
    }
    GetTicket => queue::get_ticket -> Ticket {
        method: Method::Get,
        path: "/api/v1/tickets/{id}",
        tag: "queue",
        summary: "A ticket's live state: position in line, estimated wait, the window once called",
        path_params: &[Param { name: "id", description: "Ticket id (random; held by the ticket's owner)", kind: ParamKind::Id }],
        errors: &[ErrorCode::BadId, ErrorCode::TicketNotFound],
        access: Access::Public,
    }
    RecentCalls => queue::recent_calls -> Vec<Call> {
        method: Method::Get,
        path: "/api/v1/centers/{id}/calls",
        tag: "queue",
        summary: "The latest calls of the day, for the hall display",
        path_params: &[Param { name: "id", description: "Center slug", kind: ParamKind::Slug }],
        errors: &[ErrorCode::BadId],
        access: Access::Public,
    }
    ConfirmBooking => bookings::confirm -> Booking {
        method: Method::Post,
        path: "/api/v1/bookings/{id}/confirm",
        tag: "bookings",
        summary: "Confirm a held seat before its hold runs out (5 minutes by default); confirming twice answers with the same booking",
        path_params: &[Param { name: "id", description: "Booking id", kind: ParamKind::Id }],
        errors: &[ErrorCode::BadId, ErrorCode::Unauthenticated, ErrorCode::Forbidden, ErrorCode::CrossOrigin, ErrorCode::BookingNotFound, ErrorCode::HoldExpired, ErrorCode::InvalidTransition],
        access: Access::Roles(RESIDENTS),
    }
    RescheduleBooking => bookings::reschedule(Reschedule) -> Booking {
        method: Method::Post,
        path: "/api/v1/bookings/{id}/reschedule",
        tag: "bookings",
        summary: "Move my booking to another slot in one transaction: if the new slot is gone the booking stays where it was",
        path_params: &[Param { name: "id", description: "Booking id", kind: ParamKind::Id }],
        errors: &[ErrorCode::BadId, ErrorCode::MalformedJson, ErrorCode::DateNotBookable, ErrorCode::SlotNotFound, ErrorCode::Unauthenticated, ErrorCode::Forbidden, ErrorCode::CrossOrigin, ErrorCode::BookingNotFound, ErrorCode::TooLateToCancel, ErrorCode::InvalidTransition, ErrorCode::SameSlot, ErrorCode::SlotFull, ErrorCode::LimitReached],
        access: Access::Roles(RESIDENTS),
    }
    CenterCancelBooking => bookings::center_cancel(StaffReason) -> Booking {
        method: Method::Post,
        path: "/api/v1/bookings/{id}/center-cancel",
        tag: "bookings",
        summary: "Staff cancel a booking for the center with a reason the resident is told (e.g. after a configuration change)",
        path_params: &[Param { name: "id", description: "Booking id", kind: ParamKind::Id }],
        errors: &[ErrorCode::BadId, ErrorCode::MalformedJson, ErrorCode::StaffReasonRequired, ErrorCode::Unauthenticated, ErrorCode::Forbidden, ErrorCode::CrossOrigin, ErrorCode::WrongCenter, ErrorCode::BookingNotFound, ErrorCode::InvalidTransition],
        access: Access::Roles(FRONT_DESK),
    }
    JoinWaitlist => bookings::join_waitlist(NewBooking) -> WaitlistEntry {
        method: Method::Post,
        path: "/api/v1/waitlist",
        tag: "bookings",
        summary: "Join a full slot's waiting list (候补); when a seat frees up the first in line is offered it as a hold",
        ok_status: 201,
        errors: &[ErrorCode::MalformedJson, ErrorCode::BadId, ErrorCode::DateNotBookable, ErrorCode::SlotNotFound, ErrorCode::Unauthenticated, ErrorCode::Forbidden, ErrorCode::CrossOrigin, ErrorCode::BookingBanned, ErrorCode::CenterNotFound, ErrorCode::NotServedHere, ErrorCode::SlotHasSeats, ErrorCode::AlreadyWaiting, ErrorCode::LimitReached],
        access: Access::Roles(RESIDENTS),
    }
    ListMyWaitlist => bookings::my_waitlist -> Vec<WaitlistEntry> {
        method: Method::Get,
        path: "/api/v1/waitlist",
        tag: "bookings",
        summary: "My places on waiting lists, with my position",
        errors: &[ErrorCode::Unauthenticated, ErrorCode::Forbidden],
        access: Access::Roles(RESIDENTS),
    }
    LeaveWaitlist => bookings::leave_waitlist -> () {
        method: Method::Delete,
        path: "/api/v1/waitlist/{id}",
        tag: "bookings",
        summary: "Leave a waiting list",
        path_params: &[Param { name: "id", description: "Waiting-list entry id", kind: ParamKind::Id }],
        ok_status: 204,
        errors: &[ErrorCode::BadId, ErrorCode::Unauthenticated, ErrorCode::Forbidden, ErrorCode::CrossOrigin, ErrorCode::WaitlistNotFound],
        access: Access::Roles(RESIDENTS),
    }
    BookingQr => bookings::qr -> Raw {
        method: Method::Get,
        path: "/api/v1/bookings/{id}/qr",
        tag: "bookings",
        summary: "The booking code as a QR image (SVG), for the kiosk scanner or window staff",
        path_params: &[Param { name: "id", description: "Booking id", kind: ParamKind::Id }],
        errors: &[ErrorCode::BadId, ErrorCode::Unauthenticated, ErrorCode::Forbidden, ErrorCode::BookingNotFound],
        access: Access::Roles(RESIDENTS),
    }
    WindowState => queue::window_state -> WindowState {
        method: Method::Get,
        path: "/api/v1/centers/{id}/windows/{number}",
        tag: "queue",
        summary: "A window's current ticket, the length of its line, and its day so far (served, on the spot, average wait and handling)",
        path_params: &[Param { name: "id", description: "Center slug", kind: ParamKind::Slug }, Param { name: "number", description: "Window number", kind: ParamKind::Int { min: 1, max: 999 } }],
        errors: &[ErrorCode::BadId, ErrorCode::Unauthenticated, ErrorCode::Forbidden, ErrorCode::WrongCenter, ErrorCode::WindowNotFound],
        access: Access::Roles(FRONT_DESK),
    }
    WindowAction => queue::window_action(WindowAction) -> WindowState {
        method: Method::Post,
        path: "/api/v1/centers/{id}/windows/{number}/ticket",
        tag: "queue",
        summary: "Act on the ticket this window called: recall, skip (过号, rejoins after 3 calls), start, finish (当场办结 or back office), transfer to another line",
        path_params: &[Param { name: "id", description: "Center slug", kind: ParamKind::Slug }, Param { name: "number", description: "Window number", kind: ParamKind::Int { min: 1, max: 999 } }],
        errors: &[ErrorCode::BadId, ErrorCode::MalformedJson, ErrorCode::Unauthenticated, ErrorCode::Forbidden, ErrorCode::CrossOrigin, ErrorCode::WrongCenter, ErrorCode::WindowNotFound, ErrorCode::QueueEmpty, ErrorCode::InvalidTransition, ErrorCode::ClassNotFound],
        access: Access::Roles(FRONT_DESK),
    }
    ListClasses => queue::classes -> Vec<QueueClass> {
        method: Method::Get,
        path: "/api/v1/centers/{id}/classes",
        tag: "queue",
        summary: "The center's lines (无差别 and 分领域 window classes) with how many wait in each",
        path_params: &[Param { name: "id", description: "Center slug", kind: ParamKind::Slug }],
        errors: &[ErrorCode::BadId, ErrorCode::CenterNotFound],
        access: Access::Public,
    }
    GetCenterConfig => config::get -> CenterConfig {
        method: Method::Get,
        path: "/api/v1/centers/{id}/config",
        tag: "config",
        summary: "A center's configuration: opening hours, booking rules, window classes with open windows, handling minutes, items and windows",
        path_params: &[Param { name: "id", description: "Center slug", kind: ParamKind::Slug }],
        errors: &[ErrorCode::BadId, ErrorCode::Unauthenticated, ErrorCode::Forbidden, ErrorCode::WrongCenter, ErrorCode::CenterNotFound],
        access: Access::Roles(ADMINS),
    }
    UpdateCenterConfig => config::put(CenterConfig) -> CenterConfig {
        method: Method::Put,
        path: "/api/v1/centers/{id}/config",
        tag: "config",
        summary: "Save a center's configuration in one transaction; future slots' seats follow it but never drop below what is booked",
        path_params: &[Param { name: "id", description: "Center slug", kind: ParamKind::Slug }],
        errors: &[ErrorCode::BadId, ErrorCode::MalformedJson, ErrorCode::InvalidConfig, ErrorCode::Unauthenticated, ErrorCode::Forbidden, ErrorCode::CrossOrigin, ErrorCode::WrongCenter, ErrorCode::CenterNotFound, ErrorCode::ClassNotFound],
        access: Access::Roles(ADMINS),
    }
    AffectedBookings => config::affected_bookings -> Vec<AffectedBooking> {
        method: Method::Get,
        path: "/api/v1/centers/{id}/affected-bookings",
        tag: "config",
        summary: "Bookings the current configuration leaves out (closed day, outside hours, over a slot's seats), for staff to handle",
        path_params: &[Param { name: "id", description: "Center slug", kind: ParamKind::Slug }],
        errors: &[ErrorCode::BadId, ErrorCode::Unauthenticated, ErrorCode::Forbidden, ErrorCode::WrongCenter, ErrorCode::CenterNotFound],
        access: Access::Roles(FRONT_DESK),
    }
    OverrideSlot => config::override_slot(SlotOverride) -> SlotAvailability {
        method: Method::Put,
        path: "/api/v1/centers/{id}/slots",
        tag: "config",
        summary: "Override one future slot's seats (null: back to the computed figure)",
        path_params: &[Param { name: "id", description: "Center slug", kind: ParamKind::Slug }],
        errors: &[ErrorCode::BadId, ErrorCode::MalformedJson, ErrorCode::InvalidConfig, ErrorCode::Unauthenticated, ErrorCode::Forbidden, ErrorCode::CrossOrigin, ErrorCode::WrongCenter, ErrorCode::CenterNotFound, ErrorCode::ClassNotFound, ErrorCode::SlotNotFound],
        access: Access::Roles(ADMINS),
    }
    ListCalendar => config::list_calendar -> Vec<CalendarDay> {
        method: Method::Get,
        path: "/api/v1/calendar",
        tag: "config",
        summary: "The district calendar's exceptions: public holidays and weekend working days (调休)",
        errors: &[],
        access: Access::Public,
    }
    SetCalendarDay => config::set_calendar_day(CalendarDay) -> CalendarDay {
        method: Method::Put,
        path: "/api/v1/calendar",
        tag: "config",
        summary: "Mark a day as a holiday or a 调休 working day, or clear it (district admin)",
        errors: &[ErrorCode::MalformedJson, ErrorCode::InvalidConfig, ErrorCode::Unauthenticated, ErrorCode::Forbidden, ErrorCode::CrossOrigin],
        access: Access::Roles(DISTRICT),
    }
    LiftBan => people::lift_ban(PersonLookup) -> BanStatus {
        method: Method::Post,
        path: "/api/v1/people/ban-lifts",
        tag: "staff",
        summary: "Lift a person's no-show booking ban, with a reason (audited)",
        errors: &[ErrorCode::MalformedJson, ErrorCode::InvalidIdNumber, ErrorCode::ReasonRequired, ErrorCode::Unauthenticated, ErrorCode::Forbidden, ErrorCode::CrossOrigin, ErrorCode::PersonNotFound],
        access: Access::Roles(FRONT_DESK),
    }
    ListNotifications => notifications::list -> Inbox {
        method: Method::Get,
        path: "/api/v1/notifications",
        tag: "notifications",
        summary: "My inbox: the latest 50 notifications in both languages with deep links, and the unread count",
        errors: &[ErrorCode::Unauthenticated],
        access: Access::SignedIn,
    }
    MarkNotificationRead => notifications::mark_read -> () {
        method: Method::Post,
        path: "/api/v1/notifications/{id}/read",
        tag: "notifications",
        summary: "Mark one notification read",
        path_params: &[Param { name: "id", description: "Notification id", kind: ParamKind::Id }],
        ok_status: 204,
        errors: &[ErrorCode::BadId, ErrorCode::Unauthenticated, ErrorCode::CrossOrigin, ErrorCode::NotificationNotFound],
        access: Access::SignedIn,
    }
    MarkAllNotificationsRead => notifications::mark_all_read -> () {
        method: Method::Post,
        path: "/api/v1/notifications/read-all",
        tag: "notifications",
        summary: "Mark every notification read",
        ok_status: 204,
        errors: &[ErrorCode::Unauthenticated, ErrorCode::CrossOrigin],
        access: Access::SignedIn,
    }
    GetVapidKey => push::key -> VapidKey {
        method: Method::Get,
        path: "/api/v1/push/key",
        tag: "notifications",
        summary: "The VAPID public key to subscribe with (RFC 8292)",
        errors: &[ErrorCode::PushUnavailable],
        access: Access::Public,
    }
    Subscribe => push::subscribe(PushSubscription) -> PushSubscription {
        method: Method::Post,
        path: "/api/v1/push/subscriptions",
        tag: "notifications",
        summary: "Store this browser's push subscription (https endpoint, P-256 key, auth secret)",
        ok_status: 201,
        errors: &[ErrorCode::MalformedJson, ErrorCode::InvalidSubscription, ErrorCode::TooManyDevices, ErrorCode::Unauthenticated, ErrorCode::CrossOrigin],
        access: Access::SignedIn,
    }
    Unsubscribe => push::unsubscribe -> () {
        method: Method::Delete,
        path: "/api/v1/push/subscriptions",
        tag: "notifications",
        summary: "Remove a push subscription of mine",
        query: &[Param { name: "endpoint", description: "The subscription endpoint", kind: ParamKind::Text { max_chars: tongban_shared::notify::ENDPOINT_MAX as u32 } }],
        ok_status: 204,
        errors: &[ErrorCode::InvalidSubscription, ErrorCode::Unauthenticated, ErrorCode::CrossOrigin],
        access: Access::SignedIn,
    }
    GetNotifyPrefs => push::get_prefs -> NotifyPrefs {
        method: Method::Get,
        path: "/api/v1/notify/prefs",
        tag: "notifications",
        summary: "My notification preferences: which kinds may be pushed, quiet hours",
        errors: &[ErrorCode::Unauthenticated],
        access: Access::SignedIn,
    }
    PutNotifyPrefs => push::put_prefs(NotifyPrefs) -> NotifyPrefs {
        method: Method::Put,
        path: "/api/v1/notify/prefs",
        tag: "notifications",
        summary: "Save my notification preferences (the inbox always gets everything)",
        errors: &[ErrorCode::MalformedJson, ErrorCode::InvalidParameter, ErrorCode::Unauthenticated, ErrorCode::CrossOrigin],
        access: Access::SignedIn,
    }
    ReviewTarget => reviews::target -> ReviewTarget {
        method: Method::Get,
        path: "/api/v1/reviews/target",
        tag: "reviews",
        summary: "The finished service a review would rate: by the ticket's review code (anyone holding it) or by ticket id (the person served, signed in)",
        query: &[
            Param { name: "ticket", description: "Ticket id", kind: ParamKind::Id },
            Param { name: "code", description: "The 8-character review code printed on the ticket", kind: ParamKind::Text { max_chars: 12 } },
            Param { name: "case", description: "A decided case of my application (一事一评)", kind: ParamKind::Id },
        ],
        errors: &[ErrorCode::BadId, ErrorCode::InvalidReview, ErrorCode::InvalidReviewCode, ErrorCode::ReviewNotFound, ErrorCode::Unauthenticated, ErrorCode::NotYourService, ErrorCode::TooManyAttempts],
        access: Access::Public,
    }
    CreateReview => reviews::create(NewReview) -> ReviewCreated {
        method: Method::Post,
        path: "/api/v1/reviews",
        tag: "reviews",
        summary: "Review a finished service (一次一评): five levels, the indicators, a reason and text for a bad review; a bad review opens a rectification work order",
        ok_status: 201,
        errors: &[
            ErrorCode::TooManyAttempts,
            ErrorCode::MalformedJson,
            ErrorCode::BadId,
            ErrorCode::InvalidReview,
            ErrorCode::InvalidReviewCode,
            ErrorCode::ReviewTextTooLong,
            ErrorCode::ReasonCategoryRequired,
            ErrorCode::ReviewTextRequired,
            ErrorCode::ReviewNotFound,
            ErrorCode::Unauthenticated,
            ErrorCode::NotYourService,
            ErrorCode::Forbidden,
            ErrorCode::ServiceNotFinished,
            ErrorCode::ReviewClosed,
            ErrorCode::AlreadyReviewed,
            ErrorCode::TooManyReviews,
            ErrorCode::CrossOrigin,
        ],
        access: Access::Public,
    }
    MyReviews => reviewer::mine -> MyReviews {
        method: Method::Get,
        path: "/api/v1/reviews/mine",
        tag: "reviews",
        summary: "My finished services still open for review, and my reviews with their work orders",
        errors: &[ErrorCode::Unauthenticated],
        access: Access::SignedIn,
    }
    ListWorkOrders => work_orders::list -> OrderList {
        method: Method::Get,
        path: "/api/v1/work-orders",
        tag: "reviews",
        summary: "Rectification work orders (差评工单) of my department, my center, or all (district admin), overdue first",
        query: &[Param { name: "state", description: "Only orders in this state", kind: ParamKind::Enum(&["verifying", "invalid_pending", "invalid", "appealed", "rectifying", "extension_pending", "rectified", "closed"]) }],
        errors: &[ErrorCode::Unauthenticated, ErrorCode::Forbidden, ErrorCode::UnknownFilter],
        access: Access::Roles(ORDER_HANDLERS),
    }
    GetWorkOrder => work_orders::get -> OrderDetail {
        method: Method::Get,
        path: "/api/v1/work-orders/{id}",
        tag: "reviews",
        summary: "A work order with its review, history and what I may do now (its handlers and its reviewer)",
        path_params: &[ORDER_ID],
        errors: &[ErrorCode::BadId, ErrorCode::Unauthenticated, ErrorCode::Forbidden, ErrorCode::WorkOrderNotFound],
        access: Access::SignedIn,
    }
    WorkOrderAction => work_orders::act(OrderAction) -> OrderDetail {
        method: Method::Post,
        path: "/api/v1/work-orders/{id}/actions",
        tag: "reviews",
        summary: "One step of the work order: verify, ask/approve invalid, appeal, extension, rectify, callback rating, close not fixed",
        path_params: &[ORDER_ID],
        errors: &[
            ErrorCode::BadId,
            ErrorCode::MalformedJson,
            ErrorCode::NoteRequired,
            ErrorCode::ExtensionTooLong,
            ErrorCode::Unauthenticated,
            ErrorCode::Forbidden,
            ErrorCode::CrossOrigin,
            ErrorCode::WorkOrderNotFound,
            ErrorCode::InvalidTransition,
        ],
        access: Access::SignedIn,
    }
    Dashboard => appraisal::dashboard -> Dashboard {
        method: Method::Get,
        path: "/api/v1/dashboard",
        tag: "appraisal",
        summary: "The public appraisal: services, reviews and their rates per center, department, window, item and month; 12-month trend; rankings; the 一网通办 targets",
        query: DASH_QUERY,
        errors: &[ErrorCode::BadId, ErrorCode::InvalidParameter, ErrorCode::CenterNotFound, ErrorCode::DepartmentNotFound, ErrorCode::WindowNotFound, ErrorCode::ItemNotFound],
        cache: APPRAISAL,
        access: Access::Public,
    }
    OpenDataJson => appraisal::open_json -> OpenData {
        method: Method::Get,
        path: "/api/v1/open-data/reviews.json",
        tag: "appraisal",
        summary: "Open data: the appraisal's aggregates per month and unit as JSON, with licence and generation time (no personal data)",
        query: OPEN_QUERY,
        errors: &[ErrorCode::BadId, ErrorCode::InvalidParameter, ErrorCode::UnknownFilter, ErrorCode::CenterNotFound, ErrorCode::DepartmentNotFound, ErrorCode::WindowNotFound, ErrorCode::ItemNotFound],
        cache: APPRAISAL,
        access: Access::Public,
    }
    OpenDataCsv => appraisal::open_csv -> Raw {
        method: Method::Get,
        path: "/api/v1/open-data/reviews.csv",
        tag: "appraisal",
        summary: "Open data: the same aggregates as CSV (two `#` lines: licence, generation time)",
        query: OPEN_QUERY,
        errors: &[ErrorCode::BadId, ErrorCode::InvalidParameter, ErrorCode::UnknownFilter, ErrorCode::CenterNotFound, ErrorCode::DepartmentNotFound, ErrorCode::WindowNotFound, ErrorCode::ItemNotFound],
        cache: APPRAISAL,
        access: Access::Public,
    }
    StaffAppraisal => appraisal::staff -> Appraisal {
        method: Method::Get,
        path: "/api/v1/staff/{id}/appraisal",
        tag: "appraisal",
        summary: "One staff member's review results by month (admins of their scope, and the staff member)",
        path_params: &[Param { name: "id", description: "Staff account id", kind: ParamKind::Id }],
        errors: &[ErrorCode::BadId, ErrorCode::Unauthenticated, ErrorCode::Forbidden, ErrorCode::StaffNotFound],
        access: Access::Roles(STAFF_ROLES),
    }
    GetBundleForm => applications::form -> MergedForm {
        method: Method::Get,
        path: "/api/v1/bundles/{id}/form",
        tag: "applications",
        summary: "The bundle's one form (一表申请): every item's fields merged, a shared question asked once, in steps",
        path_params: &[BUNDLE_ID],
        errors: &[ErrorCode::BadId, ErrorCode::BundleNotFound],
        cache: CATALOGUE,
        access: Access::Public,
    }
    GetProfile => applications::profile -> Profile {
        method: Method::Get,
        path: "/api/v1/me/profile",
        tag: "applications",
        summary: "My saved basic information for pre-filling forms (一次收齐、反复使用)",
        errors: &[ErrorCode::Unauthenticated],
        access: Access::SignedIn,
    }
    ListLicences => applications::licences -> Vec<ELicence> {
        method: Method::Get,
        path: "/api/v1/me/licences",
        tag: "applications",
        summary: "My e-licence library (电子证照库), with the fields a department would read",
        errors: &[ErrorCode::Unauthenticated],
        access: Access::SignedIn,
    }
    GetDraft => applications::get_draft -> Draft {
        method: Method::Get,
        path: "/api/v1/bundles/{id}/draft",
        tag: "applications",
        summary: "My saved draft of the bundle's form (resumable on any device)",
        path_params: &[BUNDLE_ID],
        errors: &[ErrorCode::BadId, ErrorCode::Unauthenticated],
        access: Access::SignedIn,
    }
    PutDraft => applications::put_draft(Draft) -> Draft {
        method: Method::Put,
        path: "/api/v1/bundles/{id}/draft",
        tag: "applications",
        summary: "Save my draft (only the form's own fields are kept)",
        path_params: &[BUNDLE_ID],
        errors: &[ErrorCode::BadId, ErrorCode::MalformedJson, ErrorCode::Unauthenticated, ErrorCode::CrossOrigin, ErrorCode::BundleNotFound],
        access: Access::SignedIn,
    }
    CreateApplication => applications::create(NewApplication) -> ApplicationView {
        method: Method::Post,
        path: "/api/v1/applications",
        tag: "applications",
        summary: "Submit the one form: one application (办件编号) with one case per item; a repeated Idempotency-Key returns the same application; the front desk may enter it for a resident at the window (代办, with their consent)",
        headers: &[Param { name: "Idempotency-Key", description: "8–64 characters; a retry with the same key makes no second application", kind: ParamKind::Text { max_chars: 64 } }],
        ok_status: 201,
        errors: &[ErrorCode::MalformedJson, ErrorCode::BadId, ErrorCode::IdempotencyKeyRequired, ErrorCode::InvalidForm, ErrorCode::BundleNotFound, ErrorCode::CenterNotFound, ErrorCode::Unauthenticated, ErrorCode::CrossOrigin, ErrorCode::Forbidden, ErrorCode::ConsentRequired, ErrorCode::InvalidIdNumber, ErrorCode::NotAResident],
        access: Access::SignedIn,
    }
    ListMyApplications => applications::mine -> Vec<ApplicationSummary> {
        method: Method::Get,
        path: "/api/v1/applications",
        tag: "applications",
        summary: "My applications, newest first",
        errors: &[ErrorCode::Unauthenticated],
        access: Access::SignedIn,
    }
    GetApplication => applications::get -> ApplicationView {
        method: Method::Get,
        path: "/api/v1/applications/{id}",
        tag: "applications",
        summary: "An application with its cases, answers and timeline (the applicant, or the front desk of its center: audited)",
        path_params: &[HEX_ID],
        errors: &[ErrorCode::BadId, ErrorCode::Unauthenticated, ErrorCode::Forbidden, ErrorCode::ApplicationNotFound],
        access: Access::SignedIn,
    }
    WithdrawApplication => applications::withdraw -> ApplicationView {
        method: Method::Post,
        path: "/api/v1/applications/{id}/withdraw",
        tag: "applications",
        summary: "Withdraw my application before it is accepted",
        path_params: &[HEX_ID],
        errors: &[ErrorCode::BadId, ErrorCode::Unauthenticated, ErrorCode::Forbidden, ErrorCode::CrossOrigin, ErrorCode::ApplicationNotFound, ErrorCode::InvalidTransition],
        access: Access::SignedIn,
    }
    CorrectApplication => applications::correct(Correction) -> ApplicationView {
        method: Method::Post,
        path: "/api/v1/applications/{id}/correction",
        tag: "applications",
        summary: "Answer a correction request (补正): only the fields asked change",
        path_params: &[HEX_ID],
        errors: &[ErrorCode::BadId, ErrorCode::MalformedJson, ErrorCode::InvalidForm, ErrorCode::Unauthenticated, ErrorCode::Forbidden, ErrorCode::CrossOrigin, ErrorCode::ApplicationNotFound, ErrorCode::InvalidTransition],
        access: Access::SignedIn,
    }
    DeskQueue => applications::desk_queue -> Vec<ApplicationSummary> {
        method: Method::Get,
        path: "/api/v1/desk/applications",
        tag: "applications",
        summary: "The front desk's queue (前台综合受理): its center's applications to accept, correct, or hand out",
        errors: &[ErrorCode::Unauthenticated, ErrorCode::Forbidden],
        access: Access::Roles(FRONT_DESK),
    }
    DeskAct => applications::desk_act(DeskAction) -> ApplicationView {
        method: Method::Post,
        path: "/api/v1/applications/{id}/desk",
        tag: "applications",
        summary: "Front desk: accept (cases go to the departments), ask for corrections per field, reject with a reason, or hand out the results (出件)",
        path_params: &[HEX_ID],
        errors: &[ErrorCode::BadId, ErrorCode::MalformedJson, ErrorCode::NoteRequired, ErrorCode::Unauthenticated, ErrorCode::Forbidden, ErrorCode::CrossOrigin, ErrorCode::ApplicationNotFound, ErrorCode::InvalidTransition],
        access: Access::Roles(FRONT_DESK),
    }
    ListCases => applications::cases -> Vec<CaseView> {
        method: Method::Get,
        path: "/api/v1/cases",
        tag: "applications",
        summary: "My department's cases (后台分类办理), open ones first by deadline",
        errors: &[ErrorCode::Unauthenticated, ErrorCode::Forbidden],
        access: Access::Roles(APPROVERS),
    }
    GetCase => applications::get_case -> CaseTask {
        method: Method::Get,
        path: "/api/v1/cases/{id}",
        tag: "applications",
        summary: "A case with my department's part of the answers and the shared e-licences (audited)",
        path_params: &[HEX_ID],
        errors: &[ErrorCode::BadId, ErrorCode::Unauthenticated, ErrorCode::Forbidden, ErrorCode::CaseNotFound],
        access: Access::Roles(APPROVERS),
    }
    ActCase => applications::act_case(CaseAction) -> CaseTask {
        method: Method::Post,
        path: "/api/v1/cases/{id}/actions",
        tag: "applications",
        summary: "A step of the item's approval chain: pass on, return, or decide (approve / refuse with the reason)",
        path_params: &[HEX_ID],
        errors: &[ErrorCode::BadId, ErrorCode::MalformedJson, ErrorCode::NoteRequired, ErrorCode::Unauthenticated, ErrorCode::Forbidden, ErrorCode::CrossOrigin, ErrorCode::CaseNotFound, ErrorCode::InvalidTransition],
        access: Access::Roles(APPROVERS),
    }
    CreateUpload => applications::upload -> Upload {
        method: Method::Post,
        path: "/api/v1/uploads",
        tag: "applications",
        summary: "Upload a material for a form: the file itself as the body (PDF, JPEG or PNG by its bytes, at most 5 MB), its name in `?name=`",
        query: &[Param {
            name: "name",
            description: "The file's name as the person chose it (shown, never trusted)",
            kind: ParamKind::Text { max_chars: tongban_shared::application::UPLOAD_NAME_INPUT_MAX as u32 },
        }],
        body: Some(binary_body),
        ok_status: 201,
        errors: &[ErrorCode::UnsupportedFile, ErrorCode::FieldTooLong, ErrorCode::FileTooLarge, ErrorCode::UploadQuota, ErrorCode::Unauthenticated, ErrorCode::CrossOrigin],
        access: Access::SignedIn,
    }
    GetUpload => applications::get_upload -> Raw {
        method: Method::Get,
        path: "/api/v1/uploads/{id}",
        tag: "applications",
        summary: "An uploaded file, as a download: to its owner, the front desk of an application pointing to it, or a department with a case in it (audited)",
        path_params: &[HEX_ID],
        errors: &[ErrorCode::BadId, ErrorCode::Unauthenticated, ErrorCode::Forbidden, ErrorCode::UploadNotFound],
        access: Access::SignedIn,
    }
    DeskLicences => applications::desk_licences(tongban_shared::application::LicenceLookup) -> Vec<ELicence> {
        method: Method::Post,
        path: "/api/v1/desk/licences",
        tag: "applications",
        summary: "A resident's e-licences, for the front desk entering an application for them (代办; audited; the ID number in the body)",
        errors: &[ErrorCode::MalformedJson, ErrorCode::InvalidIdNumber, ErrorCode::NotAResident, ErrorCode::Unauthenticated, ErrorCode::Forbidden, ErrorCode::CrossOrigin],
        access: Access::Roles(FRONT_DESK),
    }
    ListKiosks => kiosks::list -> Vec<Kiosk> {
        method: Method::Get,
        path: "/api/v1/centers/{id}/kiosks",
        tag: "queue",
        summary: "The center's registered kiosks (自助终端), revoked ones last",
        path_params: &[Param { name: "id", description: "Center slug", kind: ParamKind::Slug }],
        errors: &[ErrorCode::BadId, ErrorCode::Unauthenticated, ErrorCode::Forbidden, ErrorCode::WrongCenter],
        access: Access::Roles(ADMINS),
    }
    CreateKiosk => kiosks::create(NewKiosk) -> KioskKey {
        method: Method::Post,
        path: "/api/v1/centers/{id}/kiosks",
        tag: "queue",
        summary: "Register a kiosk: its key is in the answer once (only a digest is kept); the machine sends it as X-Kiosk-Key",
        path_params: &[Param { name: "id", description: "Center slug", kind: ParamKind::Slug }],
        ok_status: 201,
        errors: &[
            ErrorCode::BadId,
            ErrorCode::MalformedJson,
            ErrorCode::InvalidLabel,
            ErrorCode::CenterNotFound,
            ErrorCode::TooManyKiosks,
            ErrorCode::Unauthenticated,
            ErrorCode::Forbidden,
            ErrorCode::WrongCenter,
            ErrorCode::CrossOrigin,
        ],
        access: Access::Roles(ADMINS),
    }
    RevokeKiosk => kiosks::revoke -> () {
        method: Method::Delete,
        path: "/api/v1/centers/{id}/kiosks/{kiosk}",
        tag: "queue",
        summary: "Revoke a kiosk: its key stops working at once",
        path_params: &[Param { name: "id", description: "Center slug", kind: ParamKind::Slug }, Param { name: "kiosk", description: "Kiosk id", kind: ParamKind::Id }],
        ok_status: 204,
        errors: &[ErrorCode::BadId, ErrorCode::KioskNotFound, ErrorCode::Unauthenticated, ErrorCode::Forbidden, ErrorCode::WrongCenter, ErrorCode::CrossOrigin],
        access: Access::Roles(ADMINS),
    }
}

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
