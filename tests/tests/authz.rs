//! The authorization matrix: every API route × every role → the status the caller gets. Who may call a route
//! is decided in its row of the route table (`access`, published as the document's `x-access`); this test holds
//! the running worker to that declaration for every route, and the rows below add what the declaration cannot
//! say (per-record refusals such as another center's staff, the status a probe gets past the gate). A new route
//! needs no row here: it is probed as every role against its declaration.

use std::collections::BTreeSet;
use tongban_shared::account::seed_account_id;
use tongban_tests::{base, delete_with, get, get_with, post_with, put_with, sign_in, DEMO_PASSWORD};

/// The roles, in column order.
const ROLES: [&str; 10] = [
    "anonymous",
    "11010519491231002X", // resident
    "34052419800101001X", // another resident
    "window.putuo",       // window staff of the district center
    "window.wanli",       // window staff of another center
    "approver.scjg",      // approver of a department
    "approver.rsj",       // approver of another department
    "admin.putuo",        // center admin
    "admin.district",     // district admin
    "91440101MA5CJQ4N59", // a business account (张伟 above is its agent)
];

struct Row {
    method: &'static str,
    template: &'static str,
    path: String,
    body: &'static str,
    expect: [u16; 10],
}

fn row(method: &'static str, template: &'static str, path: &str, body: &'static str, expect: [u16; 10]) -> Row {
    Row { method, template, path: path.to_string(), body, expect }
}

const ALL_200: [u16; 10] = [200; 10];
const ALL_400: [u16; 10] = [400; 10];
/// Admins pass the gate (and then fail validation on the empty probe body: 400); others are stopped.
const ADMINS_400: [u16; 10] = [401, 403, 403, 403, 403, 403, 403, 400, 400, 403];
const ADMINS_200: [u16; 10] = [401, 403, 403, 403, 403, 403, 403, 200, 200, 403];
const BUSINESS_ONLY: fn(u16) -> [u16; 10] = |ok| [401, 403, 403, 403, 403, 403, 403, 403, 403, ok];
const SIGNED_IN: fn(u16) -> [u16; 10] = |ok| [401, ok, ok, ok, ok, ok, ok, ok, ok, ok];
const APPROVERS_ONLY: fn(u16) -> [u16; 10] = |ok| [401, 403, 403, 403, 403, ok, ok, 403, 403, 403];
const RESIDENTS_ONLY: fn(u16) -> [u16; 10] = |ok| [401, ok, ok, 403, 403, 403, 403, 403, 403, 403];
/// Window staff and admins at a counter (window.wanli passes the gate too, then fails on the body: 400).
const FRONT_DESK_400: [u16; 10] = [401, 403, 403, 400, 400, 403, 403, 400, 400, 403];
/// Staff of the district center (window.wanli is of another center: wrong_center).
const PUTUO_DESK_200: [u16; 10] = [401, 403, 403, 200, 403, 403, 403, 200, 200, 403];

fn matrix() -> Vec<Row> {
    let staff_id = seed_account_id("window.putuo");
    vec![
        row("GET", "/api/v1/health", "/api/v1/health", "", ALL_200),
        row("GET", "/api/v1/openapi.json", "/api/v1/openapi.json", "", ALL_200),
        row("GET", "/api/v1/items", "/api/v1/items", "", ALL_200),
        row("GET", "/api/v1/items/{id}", "/api/v1/items/scjg-company-setup", "", ALL_200),
        row("GET", "/api/v1/items/{id}/versions", "/api/v1/items/scjg-company-setup/versions", "", ALL_200),
        row("GET", "/api/v1/items/{id}/versions/{version}", "/api/v1/items/scjg-company-setup/versions/1", "", ALL_200),
        row("GET", "/api/v1/departments", "/api/v1/departments", "", ALL_200),
        row("GET", "/api/v1/centers", "/api/v1/centers", "", ALL_200),
        row("GET", "/api/v1/centers/{id}", "/api/v1/centers/wanli", "", ALL_200),
        row("GET", "/api/v1/bundles", "/api/v1/bundles", "", ALL_200),
        row("GET", "/api/v1/bundles/{id}", "/api/v1/bundles/newborn", "", ALL_200),
        row("POST", "/api/v1/accounts/residents", "/api/v1/accounts/residents", "{}", ALL_400),
        row("POST", "/api/v1/sessions", "/api/v1/sessions", "{}", ALL_400),
        row("GET", "/api/v1/me", "/api/v1/me", "", [401, 200, 200, 200, 200, 200, 200, 200, 200, 200]),
        row("POST", "/api/v1/accounts/businesses", "/api/v1/accounts/businesses", "{}", ALL_400),
        row("GET", "/api/v1/me/agents", "/api/v1/me/agents", "", BUSINESS_ONLY(200)),
        row("POST", "/api/v1/me/agents", "/api/v1/me/agents", "{}", BUSINESS_ONLY(400)),
        row("DELETE", "/api/v1/me/agents/{id}", &format!("/api/v1/me/agents/{}", "0".repeat(32)), "", BUSINESS_ONLY(204)),
        row("GET", "/api/v1/me/agent-invitations", "/api/v1/me/agent-invitations", "", [401, 200, 200, 403, 403, 403, 403, 403, 403, 200]),
        row("POST", "/api/v1/me/agent-invitations/{id}", &format!("/api/v1/me/agent-invitations/{}", "0".repeat(32)), "{}", RESIDENTS_ONLY(400)),
        row("GET", "/api/v1/me/businesses", "/api/v1/me/businesses", "", RESIDENTS_ONLY(200)),
        row("POST", "/api/v1/me/password", "/api/v1/me/password", "{}", [401, 400, 400, 400, 400, 400, 400, 400, 400, 400]),
        row("GET", "/api/v1/me/export", "/api/v1/me/export", "", RESIDENTS_ONLY(200)),
        row("POST", "/api/v1/me/deletion", "/api/v1/me/deletion", "{}", RESIDENTS_ONLY(400)),
        row("GET", "/api/v1/centers/{id}/availability", "/api/v1/centers/wanli/availability?item=rsj-social-security-card", "", ALL_200),
        row("POST", "/api/v1/bookings", "/api/v1/bookings", "{}", RESIDENTS_ONLY(400)),
        row("GET", "/api/v1/bookings", "/api/v1/bookings", "", RESIDENTS_ONLY(200)),
        row("POST", "/api/v1/centers/{id}/tickets", "/api/v1/centers/changzheng/tickets", "", [201; 10]),
        row("POST", "/api/v1/checkins", "/api/v1/checkins", "{}", ALL_400),
        row(
            "POST",
            "/api/v1/centers/{id}/windows/{number}/call",
            "/api/v1/centers/putuo-district/windows/1/call",
            "",
            [401, 403, 403, 200, 403, 403, 403, 200, 200, 403],
        ),
        row("GET", "/api/v1/tickets/{id}", &format!("/api/v1/tickets/{}", "0".repeat(32)), "", [404; 10]),
        row("GET", "/api/v1/centers/{id}/calls", "/api/v1/centers/putuo-district/calls", "", ALL_200),
        row("POST", "/api/v1/bookings/{id}/cancel", &format!("/api/v1/bookings/{}/cancel", "0".repeat(32)), "", RESIDENTS_ONLY(404)),
        row("GET", "/api/v1/staff", "/api/v1/staff", "", ADMINS_200),
        row("POST", "/api/v1/staff", "/api/v1/staff", "{}", ADMINS_400),
        row("POST", "/api/v1/staff/{id}/settings", &format!("/api/v1/staff/{staff_id}/settings"), "{}", ADMINS_400),
        // The probes send `{}`: admins pass the gate and fail on the body, so nobody is disabled or reset.
        row("POST", "/api/v1/staff/{id}/status", &format!("/api/v1/staff/{staff_id}/status"), "{}", ADMINS_400),
        row("POST", "/api/v1/staff/{id}/password-reset", &format!("/api/v1/staff/{staff_id}/password-reset"), "{}", ADMINS_400),
        row("POST", "/api/v1/people/lookup", "/api/v1/people/lookup", "{}", [401, 403, 403, 400, 400, 403, 403, 400, 400, 403]),
        row("GET", "/api/v1/audit", "/api/v1/audit", "", ADMINS_200),
        row("POST", "/api/v1/bookings/{id}/confirm", &format!("/api/v1/bookings/{}/confirm", "0".repeat(32)), "", RESIDENTS_ONLY(404)),
        row("POST", "/api/v1/bookings/{id}/reschedule", &format!("/api/v1/bookings/{}/reschedule", "0".repeat(32)), "{}", RESIDENTS_ONLY(400)),
        row("POST", "/api/v1/bookings/{id}/center-cancel", &format!("/api/v1/bookings/{}/center-cancel", "0".repeat(32)), "{}", FRONT_DESK_400),
        row("GET", "/api/v1/bookings/{id}/qr", &format!("/api/v1/bookings/{}/qr", "0".repeat(32)), "", RESIDENTS_ONLY(404)),
        row("GET", "/api/v1/notifications", "/api/v1/notifications", "", [401, 200, 200, 200, 200, 200, 200, 200, 200, 200]),
        row(
            "POST",
            "/api/v1/notifications/{id}/read",
            &format!("/api/v1/notifications/{}/read", "0".repeat(32)),
            "",
            [401, 404, 404, 404, 404, 404, 404, 404, 404, 404],
        ),
        row("GET", "/api/v1/push/key", "/api/v1/push/key", "", ALL_200),
        row("POST", "/api/v1/push/subscriptions", "/api/v1/push/subscriptions", "{}", [401, 400, 400, 400, 400, 400, 400, 400, 400, 400]),
        row("DELETE", "/api/v1/push/subscriptions", "/api/v1/push/subscriptions", "", [401, 400, 400, 400, 400, 400, 400, 400, 400, 400]),
        row("GET", "/api/v1/notify/prefs", "/api/v1/notify/prefs", "", [401, 200, 200, 200, 200, 200, 200, 200, 200, 200]),
        row("PUT", "/api/v1/notify/prefs", "/api/v1/notify/prefs", "{}", [401, 400, 400, 400, 400, 400, 400, 400, 400, 400]),
        row("POST", "/api/v1/notifications/read-all", "/api/v1/notifications/read-all", "", [401, 204, 204, 204, 204, 204, 204, 204, 204, 204]),
        row("POST", "/api/v1/waitlist", "/api/v1/waitlist", "{}", RESIDENTS_ONLY(400)),
        row("GET", "/api/v1/waitlist", "/api/v1/waitlist", "", RESIDENTS_ONLY(200)),
        row("DELETE", "/api/v1/waitlist/{id}", &format!("/api/v1/waitlist/{}", "0".repeat(32)), "", RESIDENTS_ONLY(404)),
        row("GET", "/api/v1/centers/{id}/classes", "/api/v1/centers/putuo-district/classes", "", ALL_200),
        row("GET", "/api/v1/centers/{id}/windows/{number}", "/api/v1/centers/putuo-district/windows/1", "", PUTUO_DESK_200),
        row("POST", "/api/v1/centers/{id}/windows/{number}/ticket", "/api/v1/centers/putuo-district/windows/1/ticket", "{}", FRONT_DESK_400),
        row("GET", "/api/v1/centers/{id}/config", "/api/v1/centers/putuo-district/config", "", ADMINS_200),
        row("PUT", "/api/v1/centers/{id}/config", "/api/v1/centers/putuo-district/config", "{}", ADMINS_400),
        row("GET", "/api/v1/centers/{id}/kiosks", "/api/v1/centers/putuo-district/kiosks", "", ADMINS_200),
        row("POST", "/api/v1/centers/{id}/kiosks", "/api/v1/centers/putuo-district/kiosks", "{}", ADMINS_400),
        row(
            "DELETE",
            "/api/v1/centers/{id}/kiosks/{kiosk}",
            "/api/v1/centers/putuo-district/kiosks/00000000000000000000000000000000",
            "",
            [401, 403, 403, 403, 403, 403, 403, 404, 404, 403],
        ),
        row("GET", "/api/v1/centers/{id}/affected-bookings", "/api/v1/centers/putuo-district/affected-bookings", "", PUTUO_DESK_200),
        row("PUT", "/api/v1/centers/{id}/slots", "/api/v1/centers/putuo-district/slots", "{}", ADMINS_400),
        row("GET", "/api/v1/calendar", "/api/v1/calendar", "", ALL_200),
        row("PUT", "/api/v1/calendar", "/api/v1/calendar", "{}", [401, 403, 403, 403, 403, 403, 403, 403, 400, 403]),
        row("POST", "/api/v1/people/ban-lifts", "/api/v1/people/ban-lifts", "{}", FRONT_DESK_400),
        row("GET", "/api/v1/reviews/target", "/api/v1/reviews/target?code=ZZZZZZZZ", "", [404; 10]),
        row("POST", "/api/v1/reviews", "/api/v1/reviews", "{}", ALL_400),
        row("GET", "/api/v1/reviews/mine", "/api/v1/reviews/mine", "", [401, 200, 200, 200, 200, 200, 200, 200, 200, 200]),
        row("GET", "/api/v1/work-orders", "/api/v1/work-orders", "", [401, 403, 403, 403, 403, 200, 200, 200, 200, 403]),
        row("GET", "/api/v1/work-orders/{id}", &format!("/api/v1/work-orders/{}", "0".repeat(32)), "", [401, 404, 404, 404, 404, 404, 404, 404, 404, 404]),
        row(
            "POST",
            "/api/v1/work-orders/{id}/actions",
            &format!("/api/v1/work-orders/{}/actions", "0".repeat(32)),
            "{}",
            [401, 400, 400, 400, 400, 400, 400, 400, 400, 400],
        ),
        row("GET", "/api/v1/dashboard", "/api/v1/dashboard", "", ALL_200),
        row("GET", "/api/v1/open-data/reviews.json", "/api/v1/open-data/reviews.json", "", ALL_200),
        row("GET", "/api/v1/open-data/reviews.csv", "/api/v1/open-data/reviews.csv", "", ALL_200),
        // Staff: the staff member themself and the admins of their center or district.
        row("GET", "/api/v1/staff/{id}/appraisal", &format!("/api/v1/staff/{staff_id}/appraisal"), "", [401, 403, 403, 200, 403, 403, 403, 200, 200, 403]),
        row("GET", "/api/v1/bundles/{id}/form", "/api/v1/bundles/open-restaurant/form", "", ALL_200),
        row("GET", "/api/v1/me/profile", "/api/v1/me/profile", "", SIGNED_IN(200)),
        row("GET", "/api/v1/me/licences", "/api/v1/me/licences", "", SIGNED_IN(200)),
        row("GET", "/api/v1/bundles/{id}/draft", "/api/v1/bundles/open-restaurant/draft", "", SIGNED_IN(200)),
        row("PUT", "/api/v1/bundles/{id}/draft", "/api/v1/bundles/open-restaurant/draft", "{}", SIGNED_IN(400)),
        row("POST", "/api/v1/applications", "/api/v1/applications", "{}", SIGNED_IN(400)),
        row("GET", "/api/v1/applications", "/api/v1/applications", "", SIGNED_IN(200)),
        row("GET", "/api/v1/applications/{id}", &format!("/api/v1/applications/{}", "0".repeat(32)), "", SIGNED_IN(404)),
        row("POST", "/api/v1/applications/{id}/withdraw", &format!("/api/v1/applications/{}/withdraw", "0".repeat(32)), "", SIGNED_IN(404)),
        row("POST", "/api/v1/applications/{id}/correction", &format!("/api/v1/applications/{}/correction", "0".repeat(32)), "{}", SIGNED_IN(400)),
        row("GET", "/api/v1/desk/applications", "/api/v1/desk/applications", "", [401, 403, 403, 200, 200, 403, 403, 200, 200, 403]),
        row("POST", "/api/v1/applications/{id}/desk", &format!("/api/v1/applications/{}/desk", "0".repeat(32)), "{}", FRONT_DESK_400),
        row("GET", "/api/v1/cases", "/api/v1/cases", "", APPROVERS_ONLY(200)),
        row("GET", "/api/v1/cases/{id}", &format!("/api/v1/cases/{}", "0".repeat(32)), "", APPROVERS_ONLY(404)),
        row("POST", "/api/v1/cases/{id}/actions", &format!("/api/v1/cases/{}/actions", "0".repeat(32)), "{}", APPROVERS_ONLY(400)),
        row("POST", "/api/v1/uploads", "/api/v1/uploads", "{}", SIGNED_IN(415)),
        row("POST", "/api/v1/desk/licences", "/api/v1/desk/licences", "{}", [401, 403, 403, 400, 400, 403, 403, 400, 400, 403]),
        row("GET", "/api/v1/uploads/{id}", &format!("/api/v1/uploads/{}", "0".repeat(32)), "", SIGNED_IN(404)),
        // Last: it ends each role's session.
        row("DELETE", "/api/v1/sessions/current", "/api/v1/sessions/current", "", [204; 10]),
    ]
}

/// The account type of each column of [`ROLES`], as the document's `x-access` names roles.
const ROLE_OF: [Option<&str>; 10] = [
    None,
    Some("resident"),
    Some("resident"),
    Some("window_staff"),
    Some("window_staff"),
    Some("approver"),
    Some("approver"),
    Some("center_admin"),
    Some("district_admin"),
    Some("business"),
];

/// What the route's declared access says a caller gets at the gate: refused with this status and code, or let
/// through to the handler (`None`).
fn gate(op: &serde_json::Value, role: Option<&str>) -> Option<(u16, &'static str)> {
    op.get("security")?;
    let Some(role) = role else { return Some((401, "unauthenticated")) };
    match &op["x-access"] {
        serde_json::Value::String(s) if s == "signed in" => None,
        serde_json::Value::Array(roles) if roles.iter().any(|r| r == role) => None,
        serde_json::Value::Array(_) => Some((403, "forbidden")),
        other => panic!("unknown x-access {other}"),
    }
}

/// A request for a template without a row: every path parameter an id-shaped value, writes an empty body.
fn probe(method: &str, template: &str) -> (String, &'static str) {
    let path: Vec<String> = template.split('/').map(|s| if s.starts_with('{') { "0".repeat(32) } else { s.to_string() }).collect();
    (path.join("/"), if method == "GET" || method == "DELETE" { "" } else { "{}" })
}

fn send(method: &str, path: &str, body: &str, headers: &[(&str, &str)]) -> tongban_tests::Resp {
    match method {
        "GET" => get_with(path, headers),
        "POST" => post_with(path, body, headers),
        "PUT" => put_with(path, body, headers),
        "DELETE" => delete_with(path, headers),
        m => panic!("no probe for {m}"),
    }
}

#[test]
fn every_route_times_every_role() {
    let rows = matrix();
    let doc = get("/api/v1/openapi.json").json();
    let ops: std::collections::BTreeMap<String, serde_json::Value> = doc["paths"]
        .as_object()
        .unwrap()
        .iter()
        .flat_map(|(p, ops)| ops.as_object().unwrap().iter().map(move |(m, op)| (format!("{} {p}", m.to_uppercase()), op.clone())))
        .collect();
    let covered: BTreeSet<String> = rows.iter().map(|r| format!("{} {}", r.method, r.template)).collect();
    assert_eq!(covered.len(), rows.len(), "a route has two rows");
    let stale: Vec<_> = covered.iter().filter(|k| !ops.contains_key(*k)).collect();
    assert!(stale.is_empty(), "rows for routes that do not exist: {stale:?}");

    // Every row agrees with its route's declaration: where the declaration refuses, the row expects that
    // refusal; where it lets a caller through, the row expects no 401.
    let mut failures = Vec::new();
    for r in &rows {
        let op = &ops[&format!("{} {}", r.method, r.template)];
        for (i, role) in ROLE_OF.iter().enumerate() {
            match gate(op, *role) {
                Some((status, _)) if r.expect[i] != status => {
                    failures.push(format!("{} {} as {}: the route declares {status}, the row says {}", r.method, r.template, ROLES[i], r.expect[i]))
                }
                None if r.expect[i] == 401 => failures.push(format!("{} {} as {}: the route lets them in, the row says 401", r.method, r.template, ROLES[i])),
                _ => {}
            }
        }
    }
    assert!(failures.is_empty(), "rows that contradict the route table:\n{}", failures.join("\n"));

    // Routes without a row are held to their declaration alone (before the last row, which signs out).
    let unrowed: Vec<(String, String)> =
        ops.keys().filter(|k| !covered.contains(*k)).map(|k| k.split_once(' ').map(|(m, t)| (m.into(), t.into())).unwrap()).collect();
    println!("{} routes with a row, {} held to their declaration only: {unrowed:?}", rows.len(), unrowed.len());

    let cookies: Vec<Option<String>> = ROLES.iter().map(|r| (*r != "anonymous").then(|| sign_in(r, DEMO_PASSWORD))).collect();
    let origin = base();
    let headers_of = |i: usize| {
        let mut headers: Vec<(&str, &str)> = vec![("Origin", &origin)];
        if let Some(c) = &cookies[i] {
            headers.push(("Cookie", c));
        }
        headers
    };
    for (method, template) in &unrowed {
        let (path, body) = probe(method, template);
        let op = &ops[&format!("{method} {template}")];
        for (i, role) in ROLES.iter().enumerate() {
            let got = send(method, &path, body, &headers_of(i));
            let code = (got.status >= 400).then(|| got.error_code(got.status));
            match gate(op, ROLE_OF[i]) {
                Some((status, want)) if got.status != status || code.as_deref() != Some(want) => {
                    failures.push(format!("{method} {path} as {role}: declared {status} {want}, got {} {}", got.status, got.body))
                }
                None if got.status >= 500 || matches!(code.as_deref(), Some("unauthenticated" | "forbidden")) => {
                    failures.push(format!("{method} {path} as {role}: declared as allowed, got {} {}", got.status, got.body))
                }
                _ => {}
            }
        }
    }
    assert_eq!(rows.last().map(|r| r.template), Some("/api/v1/sessions/current"), "the sign-out row is last");
    for r in &rows {
        for (i, role) in ROLES.iter().enumerate() {
            let got = send(r.method, &r.path, r.body, &headers_of(i));
            if got.status != r.expect[i] {
                failures.push(format!("{} {} as {role}: expected {}, got {} {}", r.method, r.path, r.expect[i], got.status, got.body));
            }
            if got.status >= 400 {
                got.error_code(got.status); // every refusal carries the JSON error body
            }
        }
    }
    assert!(failures.is_empty(), "authorization matrix mismatches:\n{}", failures.join("\n"));
    // The DELETE row really ended the sessions.
    assert_eq!(get_with("/api/v1/me", &[("Cookie", cookies[1].as_deref().unwrap())]).status, 401);
}
