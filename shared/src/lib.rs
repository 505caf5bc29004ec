//! tongban-shared: the pure core of tongban (通办), compiled into both the browser app and the edge worker.
//!
//! Nothing here performs I/O; every function is deterministic, so the same validation and rules run
//! in the browser (instant feedback) and at the edge (authoritative), and carry most of the tests.
//!
//! Layout:
//! - [`api`]       — the HTTP API's one list of endpoints and a marker type per endpoint, for the edge and the app.
//! - [`account`]   — registration and sign-in requests and their validation, roles, session lengths.
//! - [`authz`]     — who may do what: route rules ([`authz::Access`]) and per-record checks.
//! - [`lang`]      — the two UI languages and bilingual text ([`lang::Text`]).
//! - [`error`]     — every error code the API can return, with its HTTP status and zh/en messages.
//! - [`bundles`]   — which of the app's two wasm bundles serves a page.
//! - [`booking`]   — booking rules, slot capacity, the booking state machine, booking codes.
//! - [`config`]    — a center's configuration (hours, rules, window classes), its checks, affected bookings.
//! - [`calendar`]  — working days with holidays and 调休: booking horizons, deadlines.
//! - [`catalogue`] — departments, service centers, windows, service items and their versioned office guides
//!                   (办事指南), "一件事" bundles, and the seed-file format that feeds them.
//! - [`search`]    — search-text normalisation (full-width folding, case), query parsing limits, ranking.
//! - [`notify`]    — notification events, their zh/en text and links, push preferences and quiet hours, reminders.
//! - [`queue`]     — the hall queue: service order (online bookings first), tickets, waits, calls.
//! - [`appraisal`] — the public appraisal: dashboard roll-ups, rankings, targets, open data (CSV/JSON).
//! - [`review`]    — 好差评: reviews, the rectification work order's state machine, the appraisal's rates.
//! - [`query`]     — the item-list query (filters, paging) parsed from and rendered to a URL query string.
//! - [`chain`]     — an item's approval chain and its steps (一审一核, 三级, 当场办结).
//! - [`application`] — 办件: applications and their cases, approval chains, corrections, unified output.
//! - [`guide_lint`] — what an office guide may not say: catch-all clauses, unnamed materials, a promise past
//!                   the statute, paper for an online item, a visit for a zero-trip one.
//! - [`form`]      — 一表申请: item forms as data, the merged form of a bundle, field checks for every kind.
//! - [`staff`]     — staff posts and AB backups, audited person look-ups, audit records.
//! - [`etag`]      — content hashes for HTTP validators, the same in every channel.
//! - [`health`]    — the health report: build version and whether D1 and KV answer.
//! - [`ids`]       — resident ID (GB 11643), credit code (GB 32100) and mobile checks; masking.
//! - [`password`]  — the password policy (length, the 1,000 most common refused).
//! - [`privacy`]   — every category of a resident's personal data and what deleting the account does with it.
//! - [`throttle`]  — every throttle's limits and window (sign-in, invitations, reviews), for the rules and `Retry-After`.
//! - [`time`]      — Beijing time, the product's one clock, for the edge and the browser alike.

pub mod account;
pub mod api;
pub mod application;
pub mod appraisal;
pub mod authz;
pub mod booking;
pub mod bundles;
pub mod calendar;
pub mod catalogue;
pub mod chain;
pub mod config;
pub mod error;
pub mod etag;
pub mod form;
pub mod guide_lint;
pub mod health;
pub mod ids;
pub mod lang;
pub mod notify;
pub mod password;
pub mod privacy;
pub mod query;
pub mod queue;
pub mod review;
pub mod search;
pub mod staff;
pub mod throttle;
pub mod time;

pub use error::{ErrorCode, FieldError};
pub use lang::{Lang, Text};

/// Version of the API contract; bumped when a response shape changes incompatibly.
pub const API_VERSION: &str = "v1";
