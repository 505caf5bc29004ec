//! The appraisal's statements: services and reviews grouped by month and unit (the facts the core rolls
//! up, `shared::appraisal`), every unit's name, the catalogue's item counts, whether a filter's ids exist,
//! the statistics generation that keys the cache, and a staff member's post. Pure, so the host test below
//! runs them on SQLite and decodes the facts as the worker does.

use crate::sql::Stmt;
use serde::Deserialize;
use tongban_shared::appraisal::Fact;
use tongban_shared::review::Tally;

#[derive(Deserialize)]
pub struct FactRow {
    pub month: String,
    pub center: String,
    pub dept: Option<String>,
    pub window: Option<String>,
    pub item: Option<String>,
    pub staff: Option<String>,
    pub services: Option<f64>,
    pub on_the_spot: Option<f64>,
    pub waited: Option<f64>,
    pub wait_secs: Option<f64>,
    pub reviews: Option<f64>,
    pub good: Option<f64>,
    pub bad: Option<f64>,
    pub valid_bad: Option<f64>,
    pub rectified: Option<f64>,
    pub not_fixed: Option<f64>,
    pub real_name_bad: Option<f64>,
    pub called_back: Option<f64>,
    pub overdue: Option<f64>,
    pub s0: Option<f64>,
    pub n0: Option<f64>,
    pub s1: Option<f64>,
    pub n1: Option<f64>,
    pub s2: Option<f64>,
    pub n2: Option<f64>,
    pub s3: Option<f64>,
    pub n3: Option<f64>,
    pub s4: Option<f64>,
    pub n4: Option<f64>,
    pub s5: Option<f64>,
    pub n5: Option<f64>,
    pub s6: Option<f64>,
    pub n6: Option<f64>,
}

impl FactRow {
    pub fn fact(self) -> Fact {
        let u = |v: Option<f64>| v.unwrap_or(0.0).max(0.0) as u64;
        Fact {
            tally: Tally {
                services: u(self.services),
                on_the_spot: u(self.on_the_spot),
                waited: u(self.waited),
                wait_secs: u(self.wait_secs),
                reviews: u(self.reviews),
                good: u(self.good),
                bad: u(self.bad),
                valid_bad: u(self.valid_bad),
                rectified: u(self.rectified),
                not_fixed: u(self.not_fixed),
                real_name_bad: u(self.real_name_bad),
                called_back: u(self.called_back),
                overdue: u(self.overdue),
                score_sum: [u(self.s0), u(self.s1), u(self.s2), u(self.s3), u(self.s4), u(self.s5), u(self.s6)],
                score_n: [u(self.n0), u(self.n1), u(self.n2), u(self.n3), u(self.n4), u(self.n5), u(self.n6)],
            },
            month: self.month,
            center: self.center,
            dept: self.dept,
            window: self.window,
            item: self.item,
            staff: self.staff,
        }
    }
}

#[derive(Deserialize)]
pub struct NameRow {
    pub kind: String,
    pub id: String,
    pub zh: String,
    pub en: String,
}

const NAMES_SQL: &str = "SELECT 'c' AS kind, id, name_zh AS zh, name_en AS en FROM centers \
     UNION ALL SELECT 'd', id, name_zh, name_en FROM departments \
     UNION ALL SELECT 'i', id, name_zh, name_en FROM items \
     UNION ALL SELECT 'w', w.id, c.name_zh || ' ' || w.number || ' 号窗口', c.name_en || ' window ' || w.number FROM windows w JOIN centers c ON c.id = w.center_id";

/// The catalogue's item counts (every flag a share of `total`).
#[derive(Deserialize)]
pub struct ItemCountsRow {
    pub total: f64,
    pub online: f64,
    pub zero_trip: f64,
    pub on_the_spot: f64,
}

/// Whether each id a filter names exists (1) or not (0); an absent id counts as known.
#[derive(Deserialize)]
pub struct KnownRow {
    pub center: i64,
    pub dept: i64,
    pub window: i64,
    pub item: i64,
}

#[derive(Deserialize)]
pub struct GenerationRow {
    pub n: i64,
}

/// A staff member's center and sealed name.
#[derive(Deserialize)]
pub struct StaffRow {
    pub center_id: Option<String>,
    pub name_enc: String,
}

/// Services: finished tickets, by the month they finished in (a booking's ticket counts for its item),
/// and decided cases of applications (一事一评 rates them too).
const SERVICES_SQL: &str = "SELECT strftime('%Y-%m', t.finished_at + 28800, 'unixepoch') AS month, t.center_id AS center, i.dept_id AS dept, \
     CASE WHEN t.window_no IS NULL THEN NULL ELSE t.center_id || '-w' || t.window_no END AS window, i.id AS item, t.called_by AS staff, \
     count(*) AS services, sum(t.outcome = 'on_the_spot') AS on_the_spot, sum(t.called_at IS NOT NULL) AS waited, \
     sum(CASE WHEN t.called_at IS NULL THEN 0 ELSE t.called_at - t.created_at END) AS wait_secs \
     FROM tickets t LEFT JOIN bookings b ON b.id = t.booking_id LEFT JOIN items i ON i.id = coalesce(t.item_id, b.item_id) \
     WHERE t.state = 'done' AND t.finished_at >= :since AND (:center IS NULL OR t.center_id = :center) GROUP BY 1, 2, 3, 4, 5, 6 \
     UNION ALL \
     SELECT strftime('%Y-%m', k.decided_at + 28800, 'unixepoch'), a.center_id, k.dept_id, NULL, k.item_id, NULL, count(*), 0, 0, 0 \
     FROM cases k JOIN applications a ON a.id = k.application_id \
     WHERE k.state IN ('approved', 'refused') AND k.decided_at >= :since AND (:center IS NULL OR a.center_id = :center) GROUP BY 1, 2, 3, 4, 5, 6";

/// Reviews with their orders, by the month of the service. The sums follow `Tally::count_review`.
const REVIEWS_SQL: &str = "SELECT r.month, r.center_id AS center, r.dept_id AS dept, r.window_id AS window, r.item_id AS item, r.staff_id AS staff, \
     count(*) AS reviews, sum(r.level >= 4) AS good, sum(r.level <= 2) AS bad, \
     sum(o.valid = 1) AS valid_bad, \
     sum(o.valid = 1 AND (o.state = 'rectified' OR o.outcome = 'fixed')) AS rectified, \
     sum(o.outcome = 'not_fixed') AS not_fixed, \
     sum(o.valid = 1 AND o.real_name = 1) AS real_name_bad, \
     sum(o.valid = 1 AND o.real_name = 1 AND (o.reopened = 1 OR o.outcome = 'fixed')) AS called_back, \
     sum(o.state IN ('verifying', 'invalid_pending', 'rectifying', 'extension_pending', 'appealed') AND o.deadline < :today) AS overdue, \
     sum(r.level) AS s0, count(*) AS n0, sum(r.s_efficiency) AS s1, count(r.s_efficiency) AS n1, sum(r.s_competence) AS s2, count(r.s_competence) AS n2, \
     sum(r.s_attitude) AS s3, count(r.s_attitude) AS n3, sum(r.s_guide) AS s4, count(r.s_guide) AS n4, sum(r.s_convenience) AS s5, count(r.s_convenience) AS n5, \
     sum(r.s_ease) AS s6, count(r.s_ease) AS n6 \
     FROM reviews r LEFT JOIN work_orders o ON o.review_id = r.id \
     WHERE r.month >= :first AND (:center IS NULL OR r.center_id = :center) GROUP BY 1, 2, 3, 4, 5, 6";

/// Everything the appraisal reads, for one batch: services since `first_second` (epoch) and reviews since
/// month `first` (of one center, or all), every name, and the item counts. `today` decides overdue orders.
pub fn facts(first_second: i64, first: &str, center: Option<&str>, today: &str) -> [Stmt; 4] {
    [
        Stmt::named(SERVICES_SQL, vec![("since", first_second.into()), ("center", center.into())]),
        Stmt::named(REVIEWS_SQL, vec![("first", first.into()), ("center", center.into()), ("today", today.into())]),
        Stmt::new(NAMES_SQL, vec![]),
        Stmt::new(
            "SELECT count(*) AS total, coalesce(sum(online), 0) AS online, coalesce(sum(zero_trip), 0) AS zero_trip, coalesce(sum(on_the_spot), 0) AS on_the_spot FROM items",
            vec![],
        ),
    ]
}

pub fn known(center: Option<&str>, dept: Option<&str>, window: Option<&str>, item: Option<&str>) -> Stmt {
    Stmt::named(
        "SELECT (:center IS NULL OR EXISTS (SELECT 1 FROM centers WHERE id = :center)) AS center, \
         (:dept IS NULL OR EXISTS (SELECT 1 FROM departments WHERE id = :dept)) AS dept, \
         (:window IS NULL OR EXISTS (SELECT 1 FROM windows WHERE id = :window)) AS window, \
         (:item IS NULL OR EXISTS (SELECT 1 FROM items WHERE id = :item)) AS item",
        vec![("center", center.into()), ("dept", dept.into()), ("window", window.into()), ("item", item.into())],
    )
}

pub fn generation() -> Stmt {
    Stmt::new("SELECT n FROM stats_gen WHERE name = 'reviews'", vec![])
}

pub fn staff(id: &str) -> Stmt {
    Stmt::named("SELECT st.center_id, a.name_enc FROM staff st JOIN accounts a ON a.id = st.account_id WHERE st.account_id = :id", vec![("id", id.into())])
}

#[cfg(all(test, not(target_arch = "wasm32")))]
mod tests {
    use super::*;
    use crate::sql::host::{decode, migrated};

    /// The facts of one month on SQLite, decoded as the worker decodes them: a finished ticket's service
    /// (its booking's item and department, its wait), a decided case, a bad review with its valid,
    /// overdue work order; every unit's name; the item counts; the filter's known ids; the generation.
    #[test]
    fn the_month_reads_into_facts() {
        let conn = migrated();
        conn.execute_batch(
            "PRAGMA foreign_keys = OFF;
             INSERT INTO departments (id, name_zh, name_en) VALUES ('dep', '局', 'Bureau');
             INSERT INTO centers (id, kind, name_zh, name_en, area_zh, area_en, address_zh, address_en, phone, hours_json)
               VALUES ('ctr', 'district', '中心', 'Center', '区', 'Area', '路', 'Road', '1', '[]');
             INSERT INTO windows (id, center_id, number, class, label_zh, label_en) VALUES ('ctr-w1', 'ctr', 1, 'any', '1', '1');
             INSERT INTO items (id, dept_id, kind, name_zh, name_en, current_version, search_text, online) VALUES ('it', 'dep', 'public_service', '事', 'Item', 1, '', 1);
             INSERT INTO bookings (id, code, account_id, item_id, center_id, slot_id, date, start, state, idem_key, created_at, updated_at)
               VALUES ('b1', 'C1', 'acc', 'it', 'ctr', 's1', '2026-12-01', '09:00', 'done', 'k', 1, 1);
             INSERT INTO tickets (id, center_id, class_id, day, seq, number, origin, booking_id, state, created_at, called_at, finished_at, window_no, called_by, outcome)
               VALUES ('t1', 'ctr', 'ctr-any', '2026-12-01', 1, 'A001', 'booking', 'b1', 'done', 1796083200, 1796083260, 1796083500, 1, 'clerk', 'on_the_spot');
             INSERT INTO applications (id, number, account_id, bundle_id, center_id, state, values_enc, forms_json, consent_json, idem_key, created_at, updated_at) VALUES ('ap', 'AP1', 'acc', 'open', 'ctr', 'submitted', 'v', '[]', '[]', 'k', 1, 1);
             INSERT INTO cases (id, application_id, item_id, dept_id, number, state, decided_at, updated_at) VALUES ('k1', 'ap', 'it', 'dep', 'N1', 'approved', 1796083600, 1);
             INSERT INTO reviews (id, event_kind, event_id, account_id, anonymous, level, s_efficiency, text, channel, client, center_id, dept_id, window_id, item_id, staff_id, month, finished_at, created_at)
               VALUES ('r1', 'ticket', 't1', 'acc', 0, 1, 2, 'slow', 'web', 'cl', 'ctr', 'dep', 'ctr-w1', 'it', 'clerk', '2026-12', 1796083500, 1796083600);
             INSERT INTO work_orders (id, review_id, center_id, dept_id, state, real_name, valid, deadline, created_at, updated_at)
               VALUES ('o1', 'r1', 'ctr', 'dep', 'rectifying', 1, 1, '2026-12-05', 1, 1);",
        )
        .unwrap_or_else(|e| panic!("fixture: {e}"));
        // 2026-12-01 00:00 Beijing.
        let [services, reviews, names, items] = facts(1_796_054_400, "2026-12", Some("ctr"), "2026-12-10");
        let s: Vec<Fact> = decode::<FactRow>(&conn, &services).into_iter().map(FactRow::fact).collect();
        let ticket = s.iter().find(|f| f.window.is_some()).expect("the ticket's service");
        assert_eq!(
            (ticket.month.as_str(), ticket.dept.as_deref(), ticket.window.as_deref(), ticket.item.as_deref(), ticket.staff.as_deref()),
            ("2026-12", Some("dep"), Some("ctr-w1"), Some("it"), Some("clerk"))
        );
        assert_eq!((ticket.tally.services, ticket.tally.on_the_spot, ticket.tally.waited, ticket.tally.wait_secs), (1, 1, 1, 60));
        assert_eq!(s.iter().filter(|f| f.window.is_none()).map(|f| f.tally.services).sum::<u64>(), 1, "the decided case");
        let r: Vec<Fact> = decode::<FactRow>(&conn, &reviews).into_iter().map(FactRow::fact).collect();
        let t = &r[0].tally;
        assert_eq!((t.reviews, t.good, t.bad, t.valid_bad, t.real_name_bad, t.overdue), (1, 0, 1, 1, 1, 1));
        assert_eq!((t.score_sum[0], t.score_n[0], t.score_sum[1], t.score_n[1], t.score_n[2]), (1, 1, 2, 1, 0));
        let [_, other_center, _, _] = facts(1_796_054_400, "2026-12", Some("other"), "2026-12-10");
        assert!(decode::<FactRow>(&conn, &other_center).is_empty());
        let n: Vec<NameRow> = decode(&conn, &names);
        assert_eq!(n.iter().map(|n| n.kind.as_str()).collect::<Vec<_>>(), ["c", "d", "i", "w"]);
        assert_eq!(n[3].en, "Center window 1");
        let i: Vec<ItemCountsRow> = decode(&conn, &items);
        assert_eq!((i[0].total, i[0].online, i[0].zero_trip), (1.0, 1.0, 0.0));
        let k = |c, d, w, it| decode::<KnownRow>(&conn, &known(c, d, w, it)).pop().map(|k| (k.center, k.dept, k.window, k.item));
        assert_eq!(k(Some("ctr"), None, Some("ctr-w1"), Some("it")), Some((1, 1, 1, 1)));
        assert_eq!(k(Some("nope"), Some("nope"), None, None), Some((0, 0, 1, 1)));
        assert!(decode::<GenerationRow>(&conn, &generation()).len() <= 1);
        conn.execute_batch("INSERT INTO accounts (id, role, login_lookup, name_enc, password, created_at, password_changed_at) VALUES ('clerk', 'window_staff', 'l', 'N', 'p', 1, 1); INSERT INTO staff (account_id, login, center_id, created_by, created_at) VALUES ('clerk', 'window.x', 'ctr', 'a', 1);").unwrap();
        assert_eq!(decode::<StaffRow>(&conn, &staff("clerk"))[0].center_id.as_deref(), Some("ctr"));
    }
}
