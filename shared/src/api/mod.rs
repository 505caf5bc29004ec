//! The HTTP API's contract: the one list of endpoints (`api_rows!`, in the `rows_*` files), read by both
//! sides. The edge expands it into its route table, dispatch and OpenAPI document (`tongban-edge`'s
//! `routes`); this module expands it into one marker type per endpoint ([`ep`]) carrying the row's method,
//! path, body and answer types ([`Endpoint`]), which type the edge's handlers and the app's client alike. So
//! the browser cannot call a path the edge does not route, send a body its handler does not read, or read
//! an answer as another type: each is a compile error, not a convention a test scrapes source text for.
//!
//! A row is `Name => module::handler(Body) -> Answer { field: value, … }`, stating only what differs from
//! the edge's `Route::DEFAULTS`. Its handler path and its documentation fields mean something only to the
//! edge; here they are tokens passed along. Names in a row resolve where the list is expanded, so both
//! sides bring [`prelude`] into scope.
//!
//! - [`rows_people`] — the catalogue, accounts and sessions, agents, staff posts, the audit log.
//! - [`rows_hall`] — bookings and the waiting list, the hall queue and kiosks, a center's configuration.
//! - [`rows_services`] — notifications and push, 好差评 and work orders, the appraisal, applications and cases.

#[macro_use]
pub mod rows_people;
#[macro_use]
pub mod rows_hall;
#[macro_use]
pub mod rows_services;

use crate::account::Role;
#[allow(unused_imports)]
use prelude::*;

/// Hands every row of the table to the macro `$cb` (which must be in scope where this is expanded), as
/// `$cb!(; Name => module::handler(Body) -> Answer { … } …)`.
#[macro_export]
macro_rules! api_rows {
    ($cb:ident) => {
        $crate::__people_rows!($cb ;);
    };
}

/// What a row states about its endpoint that both sides need. Implemented for each marker in [`ep`].
pub trait Endpoint {
    /// The JSON body the handler reads (`()` for none).
    type Body;
    /// What a successful answer carries (`()` for 204 No Content, [`Raw`] for bytes that are not JSON).
    type Reply;
    const METHOD: Method;
    /// Path template; `{name}` segments are path parameters, in order.
    const PATH: &'static str;
    /// Whether the row names a JSON body.
    const HAS_BODY: bool;
    /// The rate limit the edge counts the call against before its handler runs, and whom it counts.
    const RATE: Option<(&'static str, RateKey)>;
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

/// Whom a rate limit counts: the client address (an IPv6 client by its /64), the signed-in account, or a
/// registered kiosk (`X-Kiosk-Key`, its own higher limit) and else the address.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RateKey {
    Client,
    Account,
    KioskOrClient,
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
/// say what it is, and the document describes it as a string.
pub struct Raw;

#[cfg(feature = "schema")]
impl schemars::JsonSchema for Raw {
    fn inline_schema() -> bool {
        true
    }
    fn schema_name() -> std::borrow::Cow<'static, str> {
        "Raw".into()
    }
    fn json_schema(g: &mut schemars::SchemaGenerator) -> schemars::Schema {
        <String as schemars::JsonSchema>::json_schema(g)
    }
}

/// Everything a row names, for the two places that expand the list.
pub mod prelude {
    pub use super::{Cache, Method, Param, ParamKind, RateKey, Raw};
    pub use super::{
        APPRAISAL, APPROVERS, BUNDLE_ID, BUSINESSES, CATALOGUE, DASH_QUERY, DISTRICT, FLAGS, HEX_ID, ITEM_ID, OPEN_QUERY, ORDER_HANDLERS, ORDER_ID, STAFF_ROLES,
    };
    pub use crate::account::{AddAgent, Agent, BusinessRef, ChangePassword, DeleteAccount, Login, Me, RegisterBusiness, RegisterResident, Role};
    pub use crate::application::{
        ApplicationSummary, ApplicationView, CaseAction, CaseTask, CaseView, Correction, DeskAction, Draft, ELicence, NewApplication, Profile, Upload,
    };
    pub use crate::appraisal::{Appraisal, Dashboard, OpenData};
    pub use crate::authz::{Access, ADMINS, FRONT_DESK, RESIDENTS};
    pub use crate::booking::{Availability, BanStatus, Booking, NewBooking, Reschedule, SlotAvailability, StaffReason, WaitlistEntry};
    pub use crate::catalogue::{Bundle, Center, CenterDetail, Department, GuideVersionInfo, ItemDetail, ItemPage};
    pub use crate::config::{AffectedBooking, CalendarDay, CenterConfig, SlotOverride};
    pub use crate::form::MergedForm;
    pub use crate::health::Health;
    pub use crate::notify::{Inbox, NotifyPrefs, PushSubscription, VapidKey};
    pub use crate::queue::{Call, Called, CheckIn, Kiosk, KioskKey, NewKiosk, QueueClass, Ticket, WindowAction, WindowState};
    pub use crate::review::{MyReviews, NewReview, OrderAction, OrderDetail, OrderList, ReviewCreated, ReviewTarget};
    pub use crate::staff::{AuditEntry, NewStaff, PersonLookup, PersonRecord, StaffPost, StaffSettings};
    pub use crate::ErrorCode;
}

pub const ORDER_HANDLERS: &[Role] = &[Role::Approver, Role::CenterAdmin, Role::DistrictAdmin];
pub const STAFF_ROLES: &[Role] = crate::authz::STAFF;
pub const APPROVERS: &[Role] = &[Role::Approver];
pub const BUSINESSES: &[Role] = &[Role::Business];
pub const DISTRICT: &[Role] = &[Role::DistrictAdmin];
pub const APPRAISAL: Cache = Cache::Public { max_age: 60 };
pub const CATALOGUE: Cache = Cache::Public { max_age: 60 };
pub const FLAGS: &[&str] = &["online", "zero_trip", "on_the_spot", "one_trip"];
pub const ITEM_ID: Param = Param { name: "id", description: "Item slug, e.g. `scjg-company-setup`", kind: ParamKind::Slug };
pub const HEX_ID: Param = Param { name: "id", description: "Id (32 hex characters)", kind: ParamKind::Id };
pub const BUNDLE_ID: Param = Param { name: "id", description: "Bundle slug, e.g. `open-restaurant`", kind: ParamKind::Slug };
pub const ORDER_ID: Param = Param { name: "id", description: "Work order id", kind: ParamKind::Id };
pub const DASH_QUERY: &[Param] = &[
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
pub const OPEN_QUERY: &[Param] = &[
    Param { name: "by", description: "Rows per month and this unit", kind: ParamKind::Enum(&["center", "department", "window", "item"]) },
    Param { name: "center", description: "Center slug", kind: ParamKind::Slug },
    Param { name: "dept", description: "Department slug", kind: ParamKind::Slug },
    Param { name: "window", description: "Window id, `{center}-w{number}`", kind: ParamKind::Slug },
    Param { name: "item", description: "Item slug", kind: ParamKind::Slug },
    Param { name: "month", description: "`YYYY-MM`: that month only; default the last 12 months", kind: ParamKind::Text { max_chars: 7 } },
];

/// The value of field `$want` in a row's fields, or `$default` where the row leaves it out.
#[doc(hidden)]
#[macro_export]
macro_rules! __row_field {
    ($want:ident, $default:expr; ) => { $default };
    (method, $default:expr; method: $v:expr $(, $k:ident: $w:expr)*) => { $v };
    (path, $default:expr; path: $v:expr $(, $k:ident: $w:expr)*) => { $v };
    (rate, $default:expr; rate: $v:expr $(, $k:ident: $w:expr)*) => { $v };
    ($want:ident, $default:expr; $k:ident: $v:expr $(, $kk:ident: $ww:expr)*) => { $crate::__row_field!($want, $default; $($kk: $ww),*) };
}

macro_rules! markers {
    (; $($endpoint:ident => $module:ident::$handler:ident $(($body:ty))? -> $reply:ty { $($field:ident: $value:expr),* $(,)? })*) => {
        /// One marker type per endpoint of the table, carrying its row ([`Endpoint`]).
        pub mod ep {
            $(pub struct $endpoint;)*
        }

        // Outside `ep`, where a row's type names resolve (a marker is often named like its body type).
        $(#[allow(unused_parens)]
        impl Endpoint for ep::$endpoint {
            type Body = ($($body)?);
            type Reply = $reply;
            const METHOD: Method = $crate::__row_field!(method, compile_error!("a route row states its method"); $($field: $value),*);
            const PATH: &'static str = $crate::__row_field!(path, compile_error!("a route row states its path"); $($field: $value),*);
            const HAS_BODY: bool = false $(|| !stringify!($body).is_empty())?;
            const RATE: Option<(&'static str, RateKey)> = $crate::__row_field!(rate, None; $($field: $value),*);
        })*
    };
}

crate::api_rows!(markers);

/// The path of a call to `E`: its template's `{…}` segments filled, in order, with `args`, each
/// percent-encoded by `encode`.
pub fn path_of<E: Endpoint>(args: &[&str], encode: impl Fn(&str) -> String) -> String {
    fill_path(E::PATH, args, encode)
}

/// [`path_of`] for a template in hand (not generic, so a client holds it once).
pub fn fill_path(template: &str, args: &[&str], encode: impl Fn(&str) -> String) -> String {
    let mut out = String::with_capacity(template.len() + 16);
    let mut args = args.iter();
    for (i, seg) in template.split('/').enumerate() {
        if i > 0 {
            out.push('/');
        }
        if seg.starts_with('{') {
            out.push_str(&encode(args.next().expect("a value for each path parameter")));
        } else {
            out.push_str(seg);
        }
    }
    debug_assert!(args.next().is_none(), "more values than path parameters");
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_marker_carries_its_row() {
        assert_eq!(ep::CreateBooking::METHOD, Method::Post);
        assert_eq!(ep::CreateBooking::PATH, "/api/v1/bookings");
        fn has_body<E: Endpoint>() -> bool {
            E::HAS_BODY
        }
        assert!(has_body::<ep::CreateBooking>() && has_body::<ep::CreateApplication>());
        assert!(!has_body::<ep::CancelBooking>() && !has_body::<ep::ListItems>());
        assert_eq!(ep::TakeTicket::RATE, Some(("RL_HALL", RateKey::KioskOrClient)));
        assert_eq!(ep::ListItems::RATE, None);
    }

    #[test]
    fn paths_fill_their_parameters_in_order() {
        let enc = |s: &str| s.replace(' ', "%20");
        assert_eq!(path_of::<ep::GetItemVersion>(&["a b", "2"], enc), "/api/v1/items/a%20b/versions/2");
        assert_eq!(path_of::<ep::ListItems>(&[], enc), "/api/v1/items");
    }
}
