//! The 好差评 statements — reviews, the reviewer's page, work orders — one builder each, with named values
//! (`sql::Stmt::named`), pure, so the host SQL stage runs every one on SQLite. The select lists and their
//! table aliases stay in this file: callers ask for a statement, never splice a fragment.

use crate::sql::{Arg, Stmt};
use serde::Deserialize;
use tongban_shared::authz::OrderScope;
use tongban_shared::review::{Capacity, Channel, OrderState, Outcome, Reason};

/// A finished (or not) window service with what a review records about it.
#[derive(Deserialize)]
pub struct ServiceRow {
    pub id: String,
    pub number: String,
    pub center_id: String,
    pub window_no: Option<i64>,
    pub state: String,
    pub finished_at: Option<i64>,
    pub staff_id: Option<String>,
    pub item_id: Option<String>,
    pub dept_id: Option<String>,
    pub owner: Option<String>,
    pub c_zh: String,
    pub c_en: String,
    pub i_zh: Option<String>,
    pub i_en: Option<String>,
    pub reviewed: i64,
    /// `ticket` or `case`.
    pub kind: String,
}

#[derive(Deserialize)]
pub struct ReviewRow {
    pub id: String,
    pub event_kind: String,
    pub event_id: String,
    pub account_id: Option<String>,
    pub anonymous: i64,
    pub level: i64,
    pub s_efficiency: Option<i64>,
    pub s_competence: Option<i64>,
    pub s_attitude: Option<i64>,
    pub s_guide: Option<i64>,
    pub s_convenience: Option<i64>,
    pub s_ease: Option<i64>,
    pub reason: Option<Reason>,
    pub text: String,
    pub channel: Channel,
    pub created_at: i64,
}

/// A work order with its review's level and reason and the names of its center and department.
#[derive(Deserialize)]
pub struct OrderRow {
    pub id: String,
    pub review_id: String,
    pub center_id: String,
    pub dept_id: Option<String>,
    pub window_id: Option<String>,
    pub state: OrderState,
    pub real_name: i64,
    pub valid: Option<i64>,
    pub deadline: chrono::NaiveDate,
    pub extension_days: Option<i64>,
    pub extended: i64,
    pub appealed: i64,
    pub reopened: i64,
    pub outcome: Option<Outcome>,
    pub rectification: Option<String>,
    pub version: i64,
    pub created_at: i64,
    pub level: i64,
    pub reason: Option<Reason>,
    pub reviewer: Option<String>,
    pub excerpt: String,
    pub c_zh: String,
    pub c_en: String,
    pub d_zh: Option<String>,
    pub d_en: Option<String>,
}

/// In what capacity a history line was written: the system's own (the order's opening) or a person's.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Acting {
    System,
    #[serde(untagged)]
    As(Capacity),
}

impl Acting {
    /// The person's capacity; none for the system's lines.
    pub fn capacity(self) -> Option<Capacity> {
        match self {
            Acting::System => None,
            Acting::As(c) => Some(c),
        }
    }
}

/// One line of a work order's history.
#[derive(Deserialize)]
pub struct OrderEventRow {
    #[serde(default)]
    pub order_id: String,
    pub at: i64,
    pub capacity: Acting,
    pub action: String,
    pub from_state: Option<OrderState>,
    pub to_state: OrderState,
    pub note: String,
}

/// A finished (or not) window service with what a review records about it: a ticket, or a case in the
/// same shape ("finished" once decided, served by its department). Decodes into `ServiceRow`.
const SERVICE_SELECT: &str = "SELECT t.id, t.number, t.center_id, t.window_no, t.state, t.finished_at, t.called_by AS staff_id, \
     coalesce(t.item_id, b.item_id) AS item_id, i.dept_id, b.account_id AS owner, c.name_zh AS c_zh, c.name_en AS c_en, i.name_zh AS i_zh, i.name_en AS i_en, \
     EXISTS (SELECT 1 FROM reviews r WHERE r.event_kind = 'ticket' AND r.event_id = t.id) AS reviewed, 'ticket' AS kind \
     FROM tickets t JOIN centers c ON c.id = t.center_id LEFT JOIN bookings b ON b.id = t.booking_id LEFT JOIN items i ON i.id = coalesce(t.item_id, b.item_id)";

const CASE_SERVICE_SELECT: &str = "SELECT k.id, k.number, a.center_id, NULL AS window_no, \
     CASE WHEN k.state IN ('approved', 'refused') THEN 'done' ELSE k.state END AS state, k.decided_at AS finished_at, NULL AS staff_id, \
     k.item_id, k.dept_id, a.account_id AS owner, c.name_zh AS c_zh, c.name_en AS c_en, i.name_zh AS i_zh, i.name_en AS i_en, \
     EXISTS (SELECT 1 FROM reviews r WHERE r.event_kind = 'case' AND r.event_id = k.id) AS reviewed, 'case' AS kind \
     FROM cases k JOIN applications a ON a.id = k.application_id JOIN centers c ON c.id = a.center_id JOIN items i ON i.id = k.item_id";

/// Decodes into `ReviewRow`.
const REVIEW_SELECT: &str = "SELECT r.id, r.event_kind, r.event_id, r.account_id, r.anonymous, r.level, r.s_efficiency, r.s_competence, r.s_attitude, \
     r.s_guide, r.s_convenience, r.s_ease, r.reason, r.text, r.channel, r.created_at FROM reviews r";

/// Decodes into `OrderRow`.
const ORDER_SELECT: &str = "SELECT o.id, o.review_id, o.center_id, o.dept_id, o.window_id, o.state, o.real_name, o.valid, o.deadline, o.extension_days, o.extended, \
     o.appealed, o.reopened, o.outcome, o.rectification, o.version, o.created_at, r.level, r.reason, r.account_id AS reviewer, substr(r.text, 1, 60) AS excerpt, \
     c.name_zh AS c_zh, c.name_en AS c_en, d.name_zh AS d_zh, d.name_en AS d_en \
     FROM work_orders o JOIN reviews r ON r.id = o.review_id JOIN centers c ON c.id = o.center_id LEFT JOIN departments d ON d.id = o.dept_id";

/// Decodes into the work order's history line.
const EVENT_SELECT: &str = "SELECT order_id, at, capacity, action, from_state, to_state, note FROM work_order_events";

/// How a review names the service it rates.
#[derive(Debug, Clone, Copy)]
pub enum ServiceKey<'a> {
    Ticket(&'a str),
    Case(&'a str),
    /// The review code printed on a walk-in slip (normalised).
    Code(&'a str),
}

pub fn service(key: ServiceKey) -> Stmt {
    match key {
        ServiceKey::Ticket(id) => Stmt::named(&format!("{SERVICE_SELECT} WHERE t.id = :id"), vec![("id", id.into())]),
        ServiceKey::Case(id) => Stmt::named(&format!("{CASE_SERVICE_SELECT} WHERE k.id = :id"), vec![("id", id.into())]),
        ServiceKey::Code(code) => Stmt::named(&format!("{SERVICE_SELECT} WHERE t.review_code = :code"), vec![("code", code.into())]),
    }
}

/// The services of many reviews at once: `ids` is a JSON array of ticket ids, or of case ids.
pub fn services_of(cases: bool, ids: &str) -> Stmt {
    let sql = if cases {
        format!("{CASE_SERVICE_SELECT} WHERE k.id IN (SELECT value FROM json_each(:ids))")
    } else {
        format!("{SERVICE_SELECT} WHERE t.id IN (SELECT value FROM json_each(:ids))")
    };
    Stmt::named(&sql, vec![("ids", ids.into())])
}

/// The account's booked visits finished after `since` and not reviewed yet, newest first.
pub fn pending_visits(account: &str, since: i64) -> Stmt {
    Stmt::named(
        &format!(
            "{SERVICE_SELECT} WHERE b.account_id = :account AND t.state = 'done' AND t.finished_at > :since \
             AND NOT EXISTS (SELECT 1 FROM reviews r WHERE r.event_kind = 'ticket' AND r.event_id = t.id) ORDER BY t.finished_at DESC LIMIT 20"
        ),
        vec![("account", account.into()), ("since", since.into())],
    )
}

/// The account's cases decided after `since` and not reviewed yet, newest first.
pub fn pending_cases(account: &str, since: i64) -> Stmt {
    Stmt::named(
        &format!(
            "{CASE_SERVICE_SELECT} WHERE a.account_id = :account AND k.state IN ('approved', 'refused') AND k.decided_at > :since \
             AND NOT EXISTS (SELECT 1 FROM reviews r WHERE r.event_kind = 'case' AND r.event_id = k.id) ORDER BY k.decided_at DESC LIMIT 20"
        ),
        vec![("account", account.into()), ("since", since.into())],
    )
}

/// Review codes that named nothing from this client since `since` (column `n`).
pub fn code_failures(client: &str, since: i64) -> Stmt {
    Stmt::named(
        "SELECT count(*) AS n FROM review_code_failures WHERE client = :client AND at > :since",
        vec![("client", client.into()), ("since", since.into())],
    )
}

pub fn record_code_failure(client: &str, at: i64) -> Stmt {
    Stmt::named("INSERT INTO review_code_failures (client, at) VALUES (:client, :at)", vec![("client", client.into()), ("at", at.into())])
}

/// Reviews written since `since` by the account (`mine`) and from the client address (`theirs`).
pub fn recent_reviews(account: Option<&str>, client: &str, since: i64) -> Stmt {
    Stmt::named(
        "SELECT (SELECT count(*) FROM reviews WHERE account_id = :account AND created_at > :since) AS mine, \
         (SELECT count(*) FROM reviews WHERE client = :client AND created_at > :since) AS theirs",
        vec![("account", account.into()), ("client", client.into()), ("since", since.into())],
    )
}

/// A review as written; the scores a channel does not rate are `None`.
pub struct NewReviewRow<'a> {
    pub id: &'a str,
    /// `ticket` or `case`.
    pub event_kind: &'a str,
    pub event_id: &'a str,
    pub account_id: Option<&'a str>,
    pub anonymous: bool,
    pub level: u8,
    /// Efficiency, competence, attitude, guide accuracy, convenience, ease of use.
    pub scores: [Option<u8>; 6],
    pub reason: Option<&'a str>,
    pub text: &'a str,
    pub channel: &'a str,
    /// Digest of the client address, for the rate limits only.
    pub client: &'a str,
    pub center_id: &'a str,
    pub dept_id: Option<&'a str>,
    pub window_id: Option<&'a str>,
    pub item_id: Option<&'a str>,
    pub staff_id: Option<&'a str>,
    /// `YYYY-MM` (Beijing) of the service, the month it counts in.
    pub month: &'a str,
    pub finished_at: i64,
    pub now: i64,
}

/// The review, unless the service has one already (`UNIQUE (event_kind, event_id)`: of two at once, one
/// changes nothing, and the batch's later statements see it).
pub fn insert_review(r: &NewReviewRow) -> Stmt {
    let score = |i: usize| r.scores[i].map_or(Arg::Null, |s| i64::from(s).into());
    Stmt::named(
        "INSERT OR IGNORE INTO reviews (id, event_kind, event_id, account_id, anonymous, level, s_efficiency, s_competence, s_attitude, s_guide, \
         s_convenience, s_ease, reason, text, channel, client, center_id, dept_id, window_id, item_id, staff_id, month, finished_at, created_at) \
         VALUES (:id, :kind, :event, :account, :anonymous, :level, :s_efficiency, :s_competence, :s_attitude, :s_guide, :s_convenience, :s_ease, \
         :reason, :text, :channel, :client, :center, :dept, :window, :item, :staff, :month, :finished, :now)",
        vec![
            ("id", r.id.into()),
            ("kind", r.event_kind.into()),
            ("event", r.event_id.into()),
            ("account", r.account_id.into()),
            ("anonymous", i64::from(r.anonymous).into()),
            ("level", i64::from(r.level).into()),
            ("s_efficiency", score(0)),
            ("s_competence", score(1)),
            ("s_attitude", score(2)),
            ("s_guide", score(3)),
            ("s_convenience", score(4)),
            ("s_ease", score(5)),
            ("reason", r.reason.into()),
            ("text", r.text.into()),
            ("channel", r.channel.into()),
            ("client", r.client.into()),
            ("center", r.center_id.into()),
            ("dept", r.dept_id.into()),
            ("window", r.window_id.into()),
            ("item", r.item_id.into()),
            ("staff", r.staff_id.into()),
            ("month", r.month.into()),
            ("finished", r.finished_at.into()),
            ("now", r.now.into()),
        ],
    )
}

/// The work order a bad review opens, in `verifying`.
pub struct NewOrderRow<'a> {
    pub id: &'a str,
    pub review_id: &'a str,
    pub center_id: &'a str,
    pub dept_id: Option<&'a str>,
    pub window_id: Option<&'a str>,
    pub staff_id: Option<&'a str>,
    pub real_name: bool,
    pub deadline: &'a str,
    pub now: i64,
}

/// The order and, right after it, its first history line: each only if the statement before it changed a
/// row (the review was written; the order was opened).
pub fn open_order_after_review(o: &NewOrderRow) -> [Stmt; 2] {
    [
        Stmt::named(
            "INSERT INTO work_orders (id, review_id, center_id, dept_id, window_id, staff_id, state, real_name, deadline, created_at, updated_at) \
             SELECT :id, :review, :center, :dept, :window, :staff, 'verifying', :real_name, :deadline, :now, :now WHERE changes() = 1",
            vec![
                ("id", o.id.into()),
                ("review", o.review_id.into()),
                ("center", o.center_id.into()),
                ("dept", o.dept_id.into()),
                ("window", o.window_id.into()),
                ("staff", o.staff_id.into()),
                ("real_name", i64::from(o.real_name).into()),
                ("deadline", o.deadline.into()),
                ("now", o.now.into()),
            ],
        ),
        Stmt::named(
            "INSERT INTO work_order_events (order_id, at, actor_id, capacity, action, from_state, to_state, note) \
             SELECT :order, :now, NULL, 'system', 'opened', NULL, 'verifying', '' WHERE changes() = 1",
            vec![("order", o.id.into()), ("now", o.now.into())],
        ),
    ]
}

/// A new statistics generation: the cached appraisal views are stale.
pub fn bump_review_stats() -> Stmt {
    Stmt::new("UPDATE stats_gen SET n = n + 1 WHERE name = 'reviews'", vec![])
}

pub fn review(id: &str) -> Stmt {
    Stmt::named(&format!("{REVIEW_SELECT} WHERE r.id = :id"), vec![("id", id.into())])
}

/// The account's latest 50 reviews, newest first.
pub fn reviews_of(account: &str) -> Stmt {
    Stmt::named(&format!("{REVIEW_SELECT} WHERE r.account_id = :account ORDER BY r.created_at DESC LIMIT 50"), vec![("account", account.into())])
}

pub fn order(id: &str) -> Stmt {
    Stmt::named(&format!("{ORDER_SELECT} WHERE o.id = :id"), vec![("id", id.into())])
}

/// The orders of many reviews at once (`ids`: a JSON array of review ids).
pub fn orders_of_reviews(ids: &str) -> Stmt {
    Stmt::named(&format!("{ORDER_SELECT} WHERE o.review_id IN (SELECT value FROM json_each(:ids))"), vec![("ids", ids.into())])
}

/// The orders a caller's scope covers (`shared::authz::order_scope`), in one state or all, by deadline.
pub fn orders_in(scope: &OrderScope, state: Option<&str>) -> Stmt {
    let (filter, value): (&str, Arg) = match scope {
        OrderScope::Department(dept) => ("o.dept_id = :scope", (*dept).into()),
        OrderScope::Center(center) => ("o.center_id = :scope", (*center).into()),
        OrderScope::All => (":scope IS NULL", Arg::Null),
    };
    Stmt::named(
        &format!("{ORDER_SELECT} WHERE {filter} AND (:state IS NULL OR o.state = :state) ORDER BY o.deadline, o.created_at LIMIT 300"),
        vec![("scope", value), ("state", state.into())],
    )
}

/// An order's history, oldest first.
pub fn events_of(order: &str) -> Stmt {
    Stmt::named(&format!("{EVENT_SELECT} WHERE order_id = :order ORDER BY id"), vec![("order", order.into())])
}

/// The history of many orders at once (`ids`: a JSON array of order ids).
pub fn events_of_orders(ids: &str) -> Stmt {
    Stmt::named(&format!("{EVENT_SELECT} WHERE order_id IN (SELECT value FROM json_each(:ids)) ORDER BY id"), vec![("ids", ids.into())])
}

/// Who took `action` on the order last (column `actor_id`).
pub fn last_actor(order: &str, action: &str) -> Stmt {
    Stmt::named(
        "SELECT actor_id FROM work_order_events WHERE order_id = :order AND action = :action ORDER BY id DESC LIMIT 1",
        vec![("order", order.into()), ("action", action.into())],
    )
}

/// The order after one transition (`shared::review::Order::apply`), and its history line.
pub struct OrderWrite<'a> {
    pub id: &'a str,
    /// The version read: a write that lost the race to another changes nothing.
    pub version: i64,
    pub state: &'a str,
    pub valid: Option<bool>,
    pub deadline: &'a str,
    pub extension_days: Option<u32>,
    pub extended: bool,
    pub appealed: bool,
    pub reopened: bool,
    pub outcome: Option<&'a str>,
    pub rectification: Option<&'a str>,
    pub actor_id: &'a str,
    pub capacity: &'a str,
    pub action: &'a str,
    pub from_state: &'a str,
    pub note: &'a str,
    pub now: i64,
}

/// The order's row, only at the version read, and its history line only if the row changed.
pub fn write_order(w: &OrderWrite) -> [Stmt; 2] {
    [
        Stmt::named(
            "UPDATE work_orders SET state = :state, valid = :valid, deadline = :deadline, extension_days = :extension_days, extended = :extended, \
             appealed = :appealed, reopened = :reopened, outcome = :outcome, rectification = :rectification, version = version + 1, updated_at = :now \
             WHERE id = :id AND version = :version",
            vec![
                ("id", w.id.into()),
                ("version", w.version.into()),
                ("state", w.state.into()),
                ("valid", w.valid.map_or(Arg::Null, |v| i64::from(v).into())),
                ("deadline", w.deadline.into()),
                ("extension_days", w.extension_days.map_or(Arg::Null, |d| i64::from(d).into())),
                ("extended", i64::from(w.extended).into()),
                ("appealed", i64::from(w.appealed).into()),
                ("reopened", i64::from(w.reopened).into()),
                ("outcome", w.outcome.into()),
                ("rectification", w.rectification.into()),
                ("now", w.now.into()),
            ],
        ),
        Stmt::named(
            "INSERT INTO work_order_events (order_id, at, actor_id, capacity, action, from_state, to_state, note) \
             SELECT :id, :now, :actor, :capacity, :action, :from, :state, :note WHERE changes() = 1",
            vec![
                ("id", w.id.into()),
                ("now", w.now.into()),
                ("actor", w.actor_id.into()),
                ("capacity", w.capacity.into()),
                ("action", w.action.into()),
                ("from", w.from_state.into()),
                ("state", w.state.into()),
                ("note", w.note.into()),
            ],
        ),
    ]
}

/// The reviewer's inbox line about their order, only if the order's history line was just written and
/// the review has an account behind it.
pub fn tell_reviewer_after(id: &str, kind: &str, order: &str, body_json: &str, review_id: &str, now: i64) -> Stmt {
    Stmt::named(
        "INSERT INTO notifications (id, account_id, kind, ref_id, body_json, created_at) \
         SELECT :id, r.account_id, :kind, :order, :body, :now FROM reviews r WHERE r.id = :review AND r.account_id IS NOT NULL AND changes() = 1",
        vec![("id", id.into()), ("kind", kind.into()), ("order", order.into()), ("body", body_json.into()), ("review", review_id.into()), ("now", now.into())],
    )
}

/// The sealed name of an account (column `name_enc`), for the masked name a real-name order shows staff.
pub fn sealed_name(account: &str) -> Stmt {
    Stmt::named("SELECT name_enc FROM accounts WHERE id = :id", vec![("id", account.into())])
}

#[cfg(all(test, not(target_arch = "wasm32")))]
mod tests {
    /// The 好差评 store on SQLite: every select answers the columns of the row type that reads it; a review
    /// opens its work order and first history line only when it was written (a second review of the same
    /// service writes nothing); an order changes only at the version read, and its history line and the
    /// reviewer's inbox line follow only that change; each value lands in its column.
    #[test]
    fn the_review_store_runs_on_sqlite_and_answers_its_row_types() {
        use super::{self as store, *};
        use crate::sql::host::{decode, fields_of, migrated};
        use crate::sql::Stmt;
        use tongban_shared::authz::OrderScope;
        let conn = migrated();
        conn.execute_batch(
            "PRAGMA foreign_keys = OFF;
             INSERT INTO centers (id, kind, name_zh, name_en, area_zh, area_en, address_zh, address_en, phone, hours_json)
               VALUES ('ctr', 'district', '中心', 'Center', '区', 'Area', '路', 'Road', '1', '[]');
             INSERT INTO departments (id, name_zh, name_en) VALUES ('dep', '局', 'Bureau');",
        )
        .unwrap_or_else(|e| panic!("fixture: {e}"));
        let review = NewReviewRow {
            id: "r1",
            event_kind: "ticket",
            event_id: "t1",
            account_id: Some("acc"),
            anonymous: false,
            level: 1,
            scores: [Some(1), Some(2), Some(3), None, None, None],
            reason: Some("attitude"),
            text: "slow",
            channel: "web",
            client: "cl",
            center_id: "ctr",
            dept_id: Some("dep"),
            window_id: Some("ctr-w3"),
            item_id: Some("it"),
            staff_id: Some("staff"),
            month: "2026-12",
            finished_at: 40,
            now: 50,
        };
        let order = NewOrderRow {
            id: "o1",
            review_id: "r1",
            center_id: "ctr",
            dept_id: Some("dep"),
            window_id: Some("ctr-w3"),
            staff_id: Some("staff"),
            real_name: true,
            deadline: "2026-12-20",
            now: 50,
        };
        let write = |conn: &rusqlite::Connection, r: &NewReviewRow, o: &NewOrderRow| {
            let [open, event] = open_order_after_review(o);
            [insert_review(r), open, event].iter().map(|s| s.execute(conn).unwrap()).collect::<Vec<_>>()
        };
        assert_eq!(write(&conn, &review, &order), [1, 1, 1]);
        assert_eq!(
            write(&conn, &NewReviewRow { id: "r2", ..review }, &NewOrderRow { id: "o2", review_id: "r2", ..order }),
            [0, 0, 0],
            "one review per service"
        );
        let one = |sql: &str| conn.query_row(sql, [], |r| r.get::<_, String>(0)).unwrap();
        assert_eq!(
            one("SELECT id || event_kind || event_id || account_id || anonymous || level || s_efficiency || s_competence || s_attitude || coalesce(s_guide, '-') \
                 || reason || text || channel || client || center_id || dept_id || window_id || item_id || staff_id || month || finished_at || created_at FROM reviews"),
            "r1tickett1acc01123-attitudeslowwebclctrdepctr-w3itstaff2026-124050"
        );
        assert_eq!(
            one("SELECT id || review_id || center_id || dept_id || window_id || staff_id || state || real_name || deadline || created_at || updated_at FROM work_orders"),
            "o1r1ctrdepctr-w3staffverifying12026-12-205050"
        );
        assert_eq!(one("SELECT count(*) || order_id || capacity || action || to_state FROM work_order_events"), "1o1systemopenedverifying");

        // Every select, read with the columns its row type needs.
        let reads = |s: Stmt, fields: &[&str]| s.query_rows(&conn, fields).unwrap_or_else(|e| panic!("{e}: {}", s.sql)).len();
        let svc = fields_of::<ServiceRow>();
        assert!(svc.contains(&"reviewed") && svc.len() == 16, "{svc:?}");
        for key in [ServiceKey::Ticket("t1"), ServiceKey::Case("k1"), ServiceKey::Code("ABC")] {
            assert_eq!(reads(service(key), svc), 0);
        }
        assert_eq!(reads(services_of(false, r#"["t1"]"#), svc) + reads(services_of(true, r#"["k1"]"#), svc), 0);
        assert_eq!(reads(pending_visits("acc", 0), svc) + reads(pending_cases("acc", 0), svc), 0);
        let rev = fields_of::<ReviewRow>();
        assert_eq!((reads(store::review("r1"), rev), reads(reviews_of("acc"), rev), reads(reviews_of("other"), rev)), (1, 1, 0));
        let ord = fields_of::<OrderRow>();
        assert_eq!(reads(store::order("o1"), ord), 1);
        assert_eq!(reads(orders_of_reviews(r#"["r1","r2"]"#), ord), 1);
        let scoped = |s: OrderScope, state: Option<&str>| reads(orders_in(&s, state), ord);
        assert_eq!(
            (
                scoped(OrderScope::All, None),
                scoped(OrderScope::Center(Some("ctr")), Some("verifying")),
                scoped(OrderScope::Department(Some("dep")), Some("closed"))
            ),
            (1, 1, 0)
        );
        assert_eq!(scoped(OrderScope::Department(None), None), 0, "an approver without a department sees none");
        let ev = fields_of::<OrderEventRow>();
        assert_eq!((reads(events_of("o1"), ev), reads(events_of_orders(r#"["o1"]"#), ev)), (1, 1));
        // Decoded as the worker decodes them: the opening line is the system's, the order's state and deadline typed.
        let opened: Vec<OrderEventRow> = decode(&conn, &events_of("o1"));
        assert_eq!((opened[0].capacity, opened[0].to_state), (Acting::System, tongban_shared::review::OrderState::Verifying));
        let o: Vec<OrderRow> = decode(&conn, &store::order("o1"));
        assert_eq!(
            (o[0].deadline.to_string(), o[0].reason, o[0].excerpt.as_str()),
            ("2026-12-20".to_string(), Some(tongban_shared::review::Reason::Attitude), "slow")
        );
        let r: Vec<ReviewRow> = decode(&conn, &reviews_of("acc"));
        assert_eq!((r[0].channel, r[0].s_guide), (tongban_shared::review::Channel::Web, None));
        assert_eq!(reads(last_actor("o1", "opened"), &["actor_id"]), 1);
        assert_eq!(reads(code_failures("cl", 0), &["n"]), 1);
        assert_eq!(reads(recent_reviews(Some("acc"), "cl", 0), &["mine", "theirs"]), 1);
        assert_eq!(reads(sealed_name("acc"), &["name_enc"]), 0);
        assert_eq!(record_code_failure("cl", 60).execute(&conn).unwrap(), 1);

        // A transition at a stale version writes nothing; at the version read, the row, its line, the inbox.
        let w = OrderWrite {
            id: "o1",
            version: 7,
            state: "rectifying",
            valid: Some(true),
            deadline: "2026-12-21",
            extension_days: Some(3),
            extended: true,
            appealed: false,
            reopened: false,
            outcome: Some("fixed"),
            rectification: Some("fixed"),
            actor_id: "appr",
            capacity: "responsible",
            action: "validate",
            from_state: "verifying",
            note: "ok",
            now: 60,
        };
        let transition = |w: &OrderWrite| {
            let [update, line] = write_order(w);
            let tell = tell_reviewer_after("n1", "order_update", w.id, "{}", "r1", w.now);
            [update, line, tell].iter().map(|s| s.execute(&conn).unwrap()).collect::<Vec<_>>()
        };
        assert_eq!(transition(&w), [0, 0, 0], "a stale version");
        let version: i64 = conn.query_row("SELECT version FROM work_orders", [], |r| r.get(0)).unwrap();
        assert_eq!(transition(&OrderWrite { version, ..w }), [1, 1, 1]);
        assert_eq!(
            one("SELECT state || valid || deadline || extension_days || extended || appealed || reopened || outcome || rectification || version || updated_at FROM work_orders"),
            format!("rectifying12026-12-213100fixedfixed{}60", version + 1)
        );
        assert_eq!(
            one("SELECT actor_id || capacity || action || from_state || to_state || note FROM work_order_events ORDER BY id DESC LIMIT 1"),
            "apprresponsiblevalidateverifyingrectifyingok"
        );
        assert_eq!(one("SELECT id || account_id || kind || ref_id || created_at FROM notifications"), "n1accorder_updateo160");
        let lines: Vec<OrderEventRow> = decode(&conn, &events_of("o1"));
        assert_eq!(lines.iter().map(|l| l.capacity.capacity()).collect::<Vec<_>>(), [None, Some(tongban_shared::review::Capacity::Responsible)]);
        assert_eq!(bump_review_stats().execute(&conn).unwrap(), 1);
    }
}
