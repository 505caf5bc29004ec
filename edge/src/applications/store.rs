//! The application statements — the bundle's forms, profiles and drafts, the submission batch, the front
//! desk's transitions, withdrawal and corrections, and the rows an application's view is read from — one
//! builder each, with named values (`sql::Stmt::named`), pure, so the host tests run every one on SQLite.
//! Cases and their steps are `store_cases.rs`; uploads and e-licences `store_files.rs`.

use crate::sql::Stmt;
use serde::Deserialize;
use tongban_shared::account::Role;
use tongban_shared::application::AppState;
use tongban_shared::notify::Event;

/// One item of a bundle with its current form (none if the item has none yet), and the bundle's name.
#[derive(Deserialize)]
pub struct BundleFormRow {
    pub name_zh: String,
    pub name_en: String,
    pub form_json: Option<String>,
}

/// The account's own columns for pre-filling, sealed, and the profile the person saved.
#[derive(Deserialize)]
pub struct ProfileRow {
    pub role: Role,
    pub name_enc: String,
    pub id_enc: Option<String>,
    pub mobile_enc: Option<String>,
    pub saved: Option<String>,
}

/// A saved draft, sealed.
#[derive(Deserialize)]
pub struct DraftRow {
    pub bundle_id: String,
    pub values_enc: String,
    pub updated_at: i64,
}

/// What an earlier submission with the same Idempotency-Key made, and where.
#[derive(Deserialize)]
pub struct PriorRow {
    pub id: String,
    pub center_id: String,
}

/// An application with its bundle's name.
#[derive(Deserialize)]
pub struct AppRow {
    pub id: String,
    pub number: String,
    pub bundle_id: String,
    pub account_id: String,
    pub center_id: String,
    pub state: AppState,
    pub values_enc: String,
    pub consent_json: String,
    pub correction_json: Option<String>,
    pub note: Option<String>,
    pub created_at: i64,
    pub b_zh: String,
    pub b_en: String,
}

/// An application in a list, with how many of its cases there are and how many are decided.
#[derive(Deserialize)]
pub struct SummaryRow {
    pub id: String,
    pub number: String,
    pub center_id: String,
    pub state: AppState,
    pub created_at: i64,
    pub b_zh: String,
    pub b_en: String,
    pub cases: f64,
    pub decided: f64,
}

/// A line of an application's timeline.
#[derive(Deserialize)]
pub struct EventRow {
    pub at: i64,
    pub case_id: Option<String>,
    pub action: String,
    pub note: String,
}

/// A case the front desk's acceptance starts, with its item's promised working days (none: the default).
#[derive(Deserialize)]
pub struct AcceptedCaseRow {
    pub id: String,
    pub promised_days: Option<f64>,
}

const APP_SELECT: &str =
    "SELECT a.id, a.number, a.bundle_id, a.account_id, a.center_id, a.state, a.values_enc, a.consent_json, a.correction_json, a.note, a.created_at, \
     b.name_zh AS b_zh, b.name_en AS b_en FROM applications a JOIN bundles b ON b.id = a.bundle_id";

const SUM_SELECT: &str = "SELECT a.id, a.number, a.center_id, a.state, a.created_at, b.name_zh AS b_zh, b.name_en AS b_en, \
     (SELECT count(*) FROM cases c WHERE c.application_id = a.id) AS cases, \
     (SELECT count(*) FROM cases c WHERE c.application_id = a.id AND c.state IN ('approved', 'refused')) AS decided \
     FROM applications a JOIN bundles b ON b.id = a.bundle_id";

/// The bundle's items, each with its latest form, in the bundle's order. Decodes into `BundleFormRow`.
pub fn bundle_forms(bundle: &str) -> Stmt {
    Stmt::named(
        "SELECT b.name_zh, b.name_en, (SELECT f.form_json FROM item_forms f WHERE f.item_id = bi.item_id ORDER BY f.version DESC LIMIT 1) AS form_json \
         FROM bundles b JOIN bundle_items bi ON bi.bundle_id = b.id WHERE b.id = :bundle ORDER BY bi.ord",
        vec![("bundle", bundle.into())],
    )
}

/// Decodes into `ProfileRow`.
pub fn profile_of(account: &str) -> Stmt {
    Stmt::named(
        "SELECT a.role, a.name_enc, a.id_enc, a.mobile_enc, p.values_enc AS saved FROM accounts a LEFT JOIN profiles p ON p.account_id = a.id WHERE a.id = :account",
        vec![("account", account.into())],
    )
}

/// The saved profile alone (column `values_enc`), for the export.
pub fn saved_profile(account: &str) -> Stmt {
    Stmt::named("SELECT values_enc FROM profiles WHERE account_id = :account", vec![("account", account.into())])
}

pub fn save_profile(account: &str, values_enc: &str, now: i64) -> Stmt {
    Stmt::named(
        "INSERT INTO profiles (account_id, values_enc, updated_at) VALUES (:account, :values, :now) \
         ON CONFLICT (account_id) DO UPDATE SET values_enc = excluded.values_enc, updated_at = excluded.updated_at",
        vec![("account", account.into()), ("values", values_enc.into()), ("now", now.into())],
    )
}

/// Decodes into `DraftRow`.
pub fn draft(account: &str, bundle: &str) -> Stmt {
    Stmt::named(
        "SELECT bundle_id, values_enc, updated_at FROM drafts WHERE account_id = :account AND bundle_id = :bundle",
        vec![("account", account.into()), ("bundle", bundle.into())],
    )
}

/// Every draft of the account, for the export. Decodes into `DraftRow`.
pub fn drafts_of(account: &str) -> Stmt {
    Stmt::named("SELECT bundle_id, values_enc, updated_at FROM drafts WHERE account_id = :account ORDER BY bundle_id", vec![("account", account.into())])
}

/// One draft per person and bundle: saving again replaces it.
pub fn save_draft(account: &str, bundle: &str, values_enc: &str, now: i64) -> Stmt {
    Stmt::named(
        "INSERT INTO drafts (account_id, bundle_id, values_enc, updated_at) VALUES (:account, :bundle, :values, :now) \
         ON CONFLICT (account_id, bundle_id) DO UPDATE SET values_enc = excluded.values_enc, updated_at = excluded.updated_at",
        vec![("account", account.into()), ("bundle", bundle.into()), ("values", values_enc.into()), ("now", now.into())],
    )
}

/// A submitted application's draft is spent.
pub fn drop_draft(account: &str, bundle: &str) -> Stmt {
    Stmt::named("DELETE FROM drafts WHERE account_id = :account AND bundle_id = :bundle", vec![("account", account.into()), ("bundle", bundle.into())])
}

/// The resident account of an ID number's login digest (column `id`), for 代办: never a staff or business
/// account of the same digest.
pub fn resident_by_lookup(lookup: &str) -> Stmt {
    Stmt::named("SELECT id FROM accounts WHERE login_lookup = :lookup AND role = 'resident'", vec![("lookup", lookup.into())])
}

/// Whether the center exists (column `n`).
pub fn center_count(center: &str) -> Stmt {
    Stmt::named("SELECT count(*) AS n FROM centers WHERE id = :center", vec![("center", center.into())])
}

/// The application a person's Idempotency-Key made, if any. Decodes into `PriorRow` (or column `id`).
pub fn by_key(account: &str, key: &str) -> Stmt {
    Stmt::named(
        "SELECT id, center_id FROM applications WHERE account_id = :account AND idem_key = :key",
        vec![("account", account.into()), ("key", key.into())],
    )
}

/// An application as it is submitted.
pub struct NewApplicationRow<'a> {
    pub id: &'a str,
    pub number: &'a str,
    pub bundle_id: &'a str,
    pub account_id: &'a str,
    pub center_id: &'a str,
    pub values_enc: &'a str,
    /// The items and form versions the answers were checked against.
    pub forms_json: &'a str,
    /// The e-licences the applicant agreed to share.
    pub consent_json: &'a str,
    pub idem_key: &'a str,
    pub now: i64,
}

/// The head of the submission batch: `OR IGNORE` on `UNIQUE (account_id, idem_key)`, so a retry or a
/// double click that lost the race writes nothing, and nothing after it in the batch either.
pub fn insert_application(a: &NewApplicationRow) -> Stmt {
    Stmt::named(
        "INSERT OR IGNORE INTO applications (id, number, bundle_id, account_id, center_id, state, values_enc, forms_json, consent_json, idem_key, created_at, updated_at) \
         VALUES (:id, :number, :bundle, :account, :center, 'submitted', :values, :forms, :consent, :key, :now, :now)",
        vec![
            ("id", a.id.into()),
            ("number", a.number.into()),
            ("bundle", a.bundle_id.into()),
            ("account", a.account_id.into()),
            ("center", a.center_id.into()),
            ("values", a.values_enc.into()),
            ("forms", a.forms_json.into()),
            ("consent", a.consent_json.into()),
            ("key", a.idem_key.into()),
            ("now", a.now.into()),
        ],
    )
}

/// One case of a submitted application, for one item of its bundle.
pub struct NewCaseRow<'a> {
    pub id: &'a str,
    pub application_id: &'a str,
    pub number: &'a str,
    pub item_id: &'a str,
    pub now: i64,
}

/// The case, at its item's department, only if the statement just before it wrote its row (`changes() =
/// 1`): every case or none.
pub fn insert_case_after(c: &NewCaseRow) -> Stmt {
    Stmt::named(
        "INSERT INTO cases (id, application_id, number, item_id, dept_id, state, updated_at) \
         SELECT :id, :application, :number, :item, i.dept_id, 'waiting', :now FROM items i WHERE i.id = :item AND changes() = 1",
        vec![("id", c.id.into()), ("application", c.application_id.into()), ("number", c.number.into()), ("item", c.item_id.into()), ("now", c.now.into())],
    )
}

/// The timeline's first line, only after the last case was written.
pub fn submitted_event(application: &str, actor: &str, now: i64) -> Stmt {
    Stmt::named(
        "INSERT INTO case_events (application_id, at, actor_id, action) SELECT :application, :now, :actor, 'submitted' WHERE changes() = 1",
        vec![("application", application.into()), ("now", now.into()), ("actor", actor.into())],
    )
}

/// An upload the answers point to, so staff of this application may open it: only if the application of
/// this id was written with this request's key (a submission that lost its race points to nothing).
pub fn attach_file(application: &str, upload: &str, field: &str, idem_key: &str) -> Stmt {
    Stmt::named(
        "INSERT OR IGNORE INTO application_files (application_id, upload_id, field) SELECT :application, :upload, :field \
         WHERE EXISTS (SELECT 1 FROM applications WHERE id = :application AND idem_key = :key)",
        vec![("application", application.into()), ("upload", upload.into()), ("field", field.into()), ("key", idem_key.into())],
    )
}

/// Decodes into `AppRow`.
pub fn application(id: &str) -> Stmt {
    Stmt::named(&format!("{APP_SELECT} WHERE a.id = :id"), vec![("id", id.into())])
}

/// The timeline, in the order it happened. Decodes into `EventRow`.
pub fn events_of(application: &str) -> Stmt {
    Stmt::named("SELECT at, case_id, action, note FROM case_events WHERE application_id = :application ORDER BY id", vec![("application", application.into())])
}

/// The person's latest 50 applications, newest first. Decodes into `SummaryRow`.
pub fn summaries_of(account: &str) -> Stmt {
    Stmt::named(&format!("{SUM_SELECT} WHERE a.account_id = :account ORDER BY a.created_at DESC LIMIT 50"), vec![("account", account.into())])
}

/// The front desk's queue, oldest first: a center's applications waiting for acceptance or collection, or
/// every center's (`None`, the district). Decodes into `SummaryRow`.
pub fn desk_queue(center: Option<&str>) -> Stmt {
    Stmt::named(
        &format!(
            "{SUM_SELECT} WHERE (:center IS NULL OR a.center_id = :center) AND a.state IN ('submitted', 'correction', 'accepted', 'ready') ORDER BY a.created_at LIMIT 100"
        ),
        vec![("center", center.into())],
    )
}

/// A line of the timeline that is not a case's step.
pub struct AppEvent<'a> {
    pub application_id: &'a str,
    pub actor_id: &'a str,
    pub action: &'a str,
    pub note: &'a str,
    pub at: i64,
}

/// The line, only if the statement just before it in the batch changed something (`changes() > 0`): a
/// transition that lost its race leaves no line.
pub fn application_event(e: &AppEvent) -> Stmt {
    Stmt::named(
        "INSERT INTO case_events (application_id, at, actor_id, action, note) SELECT :application, :at, :actor, :action, :note WHERE changes() > 0",
        vec![("application", e.application_id.into()), ("at", e.at.into()), ("actor", e.actor_id.into()), ("action", e.action.into()), ("note", e.note.into())],
    )
}

/// The applicant's notification, only if the statement just before it changed something (the event of a
/// transition that happened).
pub fn notify_applicant(application: &str, notification_id: &str, event: &Event, now: i64) -> Stmt {
    Stmt::named(
        "INSERT INTO notifications (id, account_id, kind, ref_id, body_json, created_at) \
         SELECT :id, a.account_id, :kind, a.id, :body, :now FROM applications a WHERE a.id = :application AND changes() > 0",
        vec![
            ("id", notification_id.into()),
            ("kind", event.kind().as_str().into()),
            ("body", event.body_json().into()),
            ("now", now.into()),
            ("application", application.into()),
        ],
    )
}

/// The front desk accepts a submitted application (any correction asked before is settled).
pub fn accept(application: &str, now: i64) -> Stmt {
    Stmt::named(
        "UPDATE applications SET state = 'accepted', correction_json = NULL, updated_at = :now WHERE id = :id AND state = 'submitted'",
        vec![("id", application.into()), ("now", now.into())],
    )
}

/// The application's cases with their items' promised days, for their deadlines. Decodes into
/// `AcceptedCaseRow`.
pub fn cases_to_accept(application: &str) -> Stmt {
    Stmt::named(
        "SELECT c.id, i.promised_days FROM cases c JOIN items i ON i.id = c.item_id WHERE c.application_id = :application",
        vec![("application", application.into())],
    )
}

/// A waiting case goes to its department with its deadline, only if the statement before it changed
/// something: the acceptance, then each case after the one before.
pub fn start_case_after(case: &str, due: &str, now: i64) -> Stmt {
    Stmt::named(
        "UPDATE cases SET state = 'handling', step = 0, due = :due, updated_at = :now WHERE id = :id AND state = 'waiting' AND changes() > 0",
        vec![("id", case.into()), ("due", due.into()), ("now", now.into())],
    )
}

/// The front desk asks for corrections (field → note, as JSON) of a submitted application.
pub fn ask_correction(application: &str, correction_json: &str, now: i64) -> Stmt {
    Stmt::named(
        "UPDATE applications SET state = 'correction', correction_json = :correction, updated_at = :now WHERE id = :id AND state = 'submitted'",
        vec![("id", application.into()), ("correction", correction_json.into()), ("now", now.into())],
    )
}

/// The application's cases end with it, only if the statement just before it changed the application.
fn cases_withdrawn_after(application: &str, now: i64) -> Stmt {
    Stmt::named(
        "UPDATE cases SET state = 'withdrawn', updated_at = :now WHERE application_id = :application AND changes() > 0",
        vec![("application", application.into()), ("now", now.into())],
    )
}

/// The front desk rejects a submitted application with its reason, and its cases end with it.
pub fn reject(application: &str, reason: &str, now: i64) -> [Stmt; 2] {
    [
        Stmt::named(
            "UPDATE applications SET state = 'rejected', note = :reason, updated_at = :now WHERE id = :id AND state = 'submitted'",
            vec![("id", application.into()), ("reason", reason.into()), ("now", now.into())],
        ),
        cases_withdrawn_after(application, now),
    ]
}

/// The applicant collects the results of a ready application.
pub fn collect(application: &str, now: i64) -> Stmt {
    Stmt::named(
        "UPDATE applications SET state = 'collected', updated_at = :now WHERE id = :id AND state = 'ready'",
        vec![("id", application.into()), ("now", now.into())],
    )
}

/// The applicant withdraws before acceptance, and the cases end with it.
pub fn withdraw(application: &str, now: i64) -> [Stmt; 2] {
    [
        Stmt::named(
            "UPDATE applications SET state = 'withdrawn', updated_at = :now WHERE id = :id AND state IN ('submitted', 'correction')",
            vec![("id", application.into()), ("now", now.into())],
        ),
        cases_withdrawn_after(application, now),
    ]
}

/// The corrected answers, submitted again, only while a correction is asked.
pub fn resubmit(application: &str, values_enc: &str, now: i64) -> Stmt {
    Stmt::named(
        "UPDATE applications SET state = 'submitted', values_enc = :values, correction_json = NULL, updated_at = :now WHERE id = :id AND state = 'correction'",
        vec![("id", application.into()), ("values", values_enc.into()), ("now", now.into())],
    )
}

#[cfg(all(test, not(target_arch = "wasm32")))]
mod tests {
    use super::*;
    use crate::sql::host::{decode, migrated};

    /// A bundle of two items (the first with two form versions, the second with none), a center, a
    /// resident and a clerk.
    fn fixture() -> rusqlite::Connection {
        let conn = migrated();
        conn.execute_batch(
            "PRAGMA foreign_keys = OFF;
             INSERT INTO bundles (id, name_zh, name_en) VALUES ('bun', '开店', 'Open a shop'), ('bun2', '迁户', 'Move');
             INSERT INTO items (id, dept_id, kind, name_zh, name_en, current_version, search_text, promised_days) VALUES
               ('it1', 'dep1', 'public_service', '事一', 'Item 1', 1, '', 5), ('it2', 'dep2', 'public_service', '事二', 'Item 2', 1, '', NULL);
             INSERT INTO bundle_items (bundle_id, item_id, ord) VALUES ('bun', 'it2', 2), ('bun', 'it1', 1);
             INSERT INTO item_forms (item_id, version, form_json) VALUES ('it1', 1, '{\"v\":1}'), ('it1', 2, '{\"v\":2}');
             INSERT INTO centers (id, kind, name_zh, name_en, area_zh, area_en, address_zh, address_en, phone, hours_json)
               VALUES ('ctr', 'district', '中心', 'Center', '区', 'Area', '路', 'Road', '1', '[]');
             INSERT INTO accounts (id, role, login_lookup, name_enc, id_enc, mobile_enc, password, created_at, password_changed_at) VALUES
               ('res', 'resident', 'LR', 'NR', 'IR', 'MR', 'P', 1, 1), ('clerk', 'window_staff', 'LS', 'NS', NULL, NULL, 'P', 1, 1);",
        )
        .unwrap_or_else(|e| panic!("fixture: {e}"));
        conn
    }

    fn one(conn: &rusqlite::Connection, sql: &str) -> String {
        conn.query_row(sql, [], |r| r.get::<_, String>(0)).unwrap_or_else(|e| panic!("{e}: {sql}"))
    }

    fn run<const N: usize>(conn: &rusqlite::Connection, stmts: [Stmt; N]) -> [usize; N] {
        stmts.map(|s| s.execute(conn).unwrap_or_else(|e| panic!("{e}: {}", s.sql)))
    }

    /// The submission batch as `create` sends it, for a bundle's items: the application, its cases, the
    /// first line of its timeline, the front desk's line, one upload pointed to.
    fn submit(conn: &rusqlite::Connection, id: &str, key: &str, items: [&str; 2], now: i64) -> [usize; 6] {
        let number = format!("TB{id}");
        let app = NewApplicationRow {
            id,
            number: &number,
            bundle_id: "bun",
            account_id: "res",
            center_id: "ctr",
            values_enc: "V",
            forms_json: "F",
            consent_json: "C",
            idem_key: key,
            now,
        };
        let case = |i: usize| {
            let (case_id, case_number) = (format!("{id}-c{i}"), format!("{number}-{i}"));
            insert_case_after(&NewCaseRow { id: &case_id, application_id: id, number: &case_number, item_id: items[i - 1], now })
        };
        let desk = AppEvent { application_id: id, actor_id: "clerk", action: "entered_by_front_desk", note: "at the window", at: now };
        run(conn, [insert_application(&app), case(1), case(2), submitted_event(id, "res", now), application_event(&desk), attach_file(id, "up1", "file", key)])
    }

    /// The forms read in the bundle's order with each item's latest form; a profile and a draft are one
    /// row each that saving again replaces, every value in its column; a draft is dropped once and only
    /// the person's own; the 代办 look-up finds a resident, never staff of the same digest.
    #[test]
    fn forms_profiles_and_drafts() {
        let conn = fixture();
        let forms: Vec<BundleFormRow> = decode(&conn, &bundle_forms("bun"));
        assert_eq!(
            forms.iter().map(|f| (f.name_zh.as_str(), f.name_en.as_str(), f.form_json.as_deref())).collect::<Vec<_>>(),
            [("开店", "Open a shop", Some(r#"{"v":2}"#)), ("开店", "Open a shop", None)]
        );
        assert!(decode::<BundleFormRow>(&conn, &bundle_forms("bun2")).is_empty(), "a bundle without items");

        let p: Vec<ProfileRow> = decode(&conn, &profile_of("res"));
        assert_eq!(
            (p[0].role, p[0].name_enc.as_str(), p[0].id_enc.as_deref(), p[0].mobile_enc.as_deref(), p[0].saved.as_deref()),
            (Role::Resident, "NR", Some("IR"), Some("MR"), None)
        );
        assert_eq!(save_profile("res", "S1", 10).execute(&conn).unwrap(), 1);
        assert_eq!(one(&conn, "SELECT account_id || values_enc || updated_at FROM profiles"), "resS110");
        assert_eq!(save_profile("res", "S2", 11).execute(&conn).unwrap(), 1);
        assert_eq!(one(&conn, "SELECT count(*) || account_id || values_enc || updated_at FROM profiles"), "1resS211");
        assert_eq!(decode::<ProfileRow>(&conn, &profile_of("res"))[0].saved.as_deref(), Some("S2"));
        assert_eq!(saved_profile("res").query_rows(&conn, &["values_enc"]).unwrap(), [vec![rusqlite::types::Value::Text("S2".into())]]);
        let staff: Vec<ProfileRow> = decode(&conn, &profile_of("clerk"));
        assert_eq!((staff[0].role, staff[0].id_enc.as_deref(), staff[0].saved.as_deref()), (Role::WindowStaff, None, None));
        assert!(saved_profile("clerk").query_rows(&conn, &["values_enc"]).unwrap().is_empty());

        assert_eq!(save_draft("res", "bun", "D1", 20).execute(&conn).unwrap(), 1);
        assert_eq!(one(&conn, "SELECT account_id || bundle_id || values_enc || updated_at FROM drafts"), "resbunD120");
        assert_eq!(save_draft("res", "bun", "D2", 21).execute(&conn).unwrap(), 1);
        assert_eq!(save_draft("res", "bun2", "E", 22).execute(&conn).unwrap(), 1);
        let d: Vec<DraftRow> = decode(&conn, &draft("res", "bun"));
        assert_eq!((d.len(), d[0].bundle_id.as_str(), d[0].values_enc.as_str(), d[0].updated_at), (1, "bun", "D2", 21));
        assert!(decode::<DraftRow>(&conn, &draft("clerk", "bun")).is_empty());
        let all: Vec<DraftRow> = decode(&conn, &drafts_of("res"));
        assert_eq!(all.iter().map(|d| (d.bundle_id.as_str(), d.values_enc.as_str())).collect::<Vec<_>>(), [("bun", "D2"), ("bun2", "E")]);
        assert_eq!(drop_draft("clerk", "bun").execute(&conn).unwrap(), 0, "not the clerk's");
        assert_eq!(drop_draft("res", "bun").execute(&conn).unwrap(), 1);
        assert_eq!(drop_draft("res", "bun").execute(&conn).unwrap(), 0);
        assert_eq!(one(&conn, "SELECT group_concat(bundle_id) FROM drafts"), "bun2");

        let id = |lookup: &str| resident_by_lookup(lookup).query_rows(&conn, &["id"]).unwrap();
        assert_eq!(id("LR"), [vec![rusqlite::types::Value::Text("res".into())]]);
        assert!(id("LS").is_empty(), "a staff login is not a resident's");
        let n = |center: &str| center_count(center).query_rows(&conn, &["n"]).unwrap()[0][0].clone();
        assert_eq!((n("ctr"), n("nope")), (rusqlite::types::Value::Integer(1), rusqlite::types::Value::Integer(0)));
    }

    /// A submission writes every row with each value in its column; the same key again (a retry, a
    /// double click) writes nothing at all, not even an upload link; a case that cannot be written stops
    /// the cases and the timeline after it; the key finds what it made.
    #[test]
    fn a_submission_is_written_once_and_whole() {
        let conn = fixture();
        assert_eq!(submit(&conn, "app1", "key-1", ["it1", "it2"], 100), [1, 1, 1, 1, 1, 1]);
        assert_eq!(
            one(&conn, "SELECT id || number || bundle_id || account_id || center_id || state || values_enc || forms_json || consent_json || idem_key || created_at || updated_at || coalesce(correction_json, note, '-') FROM applications"),
            "app1TBapp1bunresctrsubmittedVFCkey-1100100-"
        );
        assert_eq!(
            one(&conn, "SELECT group_concat(x, ',') FROM (SELECT id || application_id || number || item_id || dept_id || state || step || version || coalesce(due, '-') || updated_at AS x FROM cases ORDER BY number)"),
            "app1-c1app1TBapp1-1it1dep1waiting00-100,app1-c2app1TBapp1-2it2dep2waiting00-100"
        );
        assert_eq!(
            one(&conn, "SELECT group_concat(x, ',') FROM (SELECT application_id || coalesce(case_id, '-') || at || actor_id || action || note || coalesce(step, '-') AS x FROM case_events ORDER BY id)"),
            "app1-100ressubmitted-,app1-100clerkentered_by_front_deskat the window-"
        );
        assert_eq!(one(&conn, "SELECT application_id || upload_id || field FROM application_files"), "app1up1file");

        assert_eq!(submit(&conn, "app1b", "key-1", ["it1", "it2"], 101), [0; 6], "the same key again");
        assert_eq!(attach_file("app1", "up1", "file", "key-1").execute(&conn).unwrap(), 0, "linked once");
        assert_eq!(attach_file("app1", "up2", "file", "key-2").execute(&conn).unwrap(), 0, "not this key's application");
        assert_eq!(one(&conn, "SELECT (SELECT count(*) FROM applications) || (SELECT count(*) FROM cases) || (SELECT count(*) FROM case_events)"), "122");
        assert_eq!(submit(&conn, "app2", "key-2", ["gone", "it2"], 102), [1, 0, 0, 0, 0, 1], "no case, no later case, no timeline");

        let prior: Vec<PriorRow> = decode(&conn, &by_key("res", "key-1"));
        assert_eq!((prior.len(), prior[0].id.as_str(), prior[0].center_id.as_str()), (1, "app1", "ctr"));
        assert!(decode::<PriorRow>(&conn, &by_key("clerk", "key-1")).is_empty(), "keys are the person's own");
        assert!(by_key("res", "key-3").query_rows(&conn, &["id"]).unwrap().is_empty());
    }

    /// The front desk's and the applicant's transitions each change an application only from the states
    /// that allow them, once, with every value in its column; what follows one in its batch (the cases,
    /// the timeline, the notification) changes nothing when it did not happen; the reads answer their
    /// row types, in their order.
    #[test]
    fn transitions_happen_once_from_their_states() {
        let conn = fixture();
        submit(&conn, "app1", "key-1", ["it1", "it2"], 100);
        conn.execute("UPDATE applications SET correction_json = 'old' WHERE id = 'app1'", []).unwrap();
        let accepted: Vec<AcceptedCaseRow> = decode(&conn, &cases_to_accept("app1"));
        let mut due: Vec<_> = accepted.iter().map(|c| (c.id.as_str(), c.promised_days)).collect();
        due.sort_by(|a, b| a.0.cmp(b.0));
        assert_eq!(due, [("app1-c1", Some(5.0)), ("app1-c2", None)]);
        let ready = Event::ApplicationReady { application_id: "app1".into(), number: "TBapp1".into() };
        let accept_batch = |now: i64| {
            let e = AppEvent { application_id: "app1", actor_id: "clerk", action: "accepted", note: "", at: now };
            run(
                &conn,
                [
                    accept("app1", now),
                    start_case_after("app1-c1", "2026-12-09", now),
                    start_case_after("app1-c2", "2026-12-10", now),
                    application_event(&e),
                    notify_applicant("app1", &format!("n{now}"), &ready, now),
                ],
            )
        };
        assert_eq!(accept_batch(200), [1, 1, 1, 1, 1]);
        assert_eq!(one(&conn, "SELECT state || coalesce(correction_json, '-') || updated_at FROM applications WHERE id = 'app1'"), "accepted-200");
        assert_eq!(
            one(&conn, "SELECT group_concat(x, ',') FROM (SELECT id || state || step || due || updated_at AS x FROM cases ORDER BY id)"),
            "app1-c1handling02026-12-09200,app1-c2handling02026-12-10200"
        );
        assert_eq!(
            one(&conn, "SELECT id || account_id || kind || ref_id || body_json || created_at FROM notifications"),
            format!("n200res{}app1{}200", ready.kind().as_str(), ready.body_json())
        );
        assert_eq!(accept_batch(201), [0; 5], "accepted already: no case, line or notification");
        assert_eq!(ask_correction("app1", "{}", 202).execute(&conn).unwrap(), 0);
        assert_eq!(run(&conn, reject("app1", "no", 202)), [0, 0]);
        assert_eq!(run(&conn, withdraw("app1", 202)), [0, 0], "withdrawn only before acceptance");
        assert_eq!(resubmit("app1", "X", 202).execute(&conn).unwrap(), 0);
        assert_eq!(collect("app1", 202).execute(&conn).unwrap(), 0, "not ready");
        conn.execute("UPDATE applications SET state = 'ready' WHERE id = 'app1'", []).unwrap();
        assert_eq!(collect("app1", 203).execute(&conn).unwrap(), 1);
        assert_eq!(collect("app1", 204).execute(&conn).unwrap(), 0);
        assert_eq!(one(&conn, "SELECT state || updated_at FROM applications WHERE id = 'app1'"), "collected203");

        submit(&conn, "app2", "key-2", ["it1", "it2"], 300);
        assert_eq!(ask_correction("app2", r#"{"name":"fix"}"#, 301).execute(&conn).unwrap(), 1);
        assert_eq!(one(&conn, "SELECT state || correction_json || updated_at FROM applications WHERE id = 'app2'"), r#"correction{"name":"fix"}301"#);
        assert_eq!(ask_correction("app2", "{}", 302).execute(&conn).unwrap(), 0);
        let refused = [accept("app2", 302), start_case_after("app2-c1", "2026-12-09", 302)];
        assert_eq!(run(&conn, refused), [0, 0], "not while a correction is asked, nor its waiting cases");
        assert_eq!(resubmit("app2", "V2", 303).execute(&conn).unwrap(), 1);
        assert_eq!(
            one(&conn, "SELECT state || values_enc || coalesce(correction_json, '-') || updated_at FROM applications WHERE id = 'app2'"),
            "submittedV2-303"
        );
        assert_eq!(resubmit("app2", "V3", 304).execute(&conn).unwrap(), 0);
        assert_eq!(run(&conn, reject("app2", "incomplete", 305)), [1, 2]);
        assert_eq!(one(&conn, "SELECT state || note || updated_at FROM applications WHERE id = 'app2'"), "rejectedincomplete305");
        assert_eq!(one(&conn, "SELECT group_concat(state || updated_at) FROM cases WHERE application_id = 'app2'"), "withdrawn305,withdrawn305");
        assert_eq!(run(&conn, reject("app2", "again", 306)), [0, 0]);
        assert_eq!(one(&conn, "SELECT note FROM applications WHERE id = 'app2'"), "incomplete");

        submit(&conn, "app3", "key-3", ["it1", "it2"], 400);
        assert_eq!(ask_correction("app3", "{}", 401).execute(&conn).unwrap(), 1);
        assert_eq!(run(&conn, withdraw("app3", 402)), [1, 2], "from a correction too");
        assert_eq!(one(&conn, "SELECT state || updated_at || (SELECT group_concat(state || updated_at) FROM cases WHERE application_id = 'app3') FROM applications WHERE id = 'app3'"), "withdrawn402withdrawn402,withdrawn402");
        assert_eq!(run(&conn, withdraw("app3", 403)), [0, 0]);
        submit(&conn, "app4", "key-4", ["it1", "it2"], 500);
        conn.execute("UPDATE cases SET state = 'approved' WHERE id = 'app4-c2'", []).unwrap();

        let a: Vec<AppRow> = decode(&conn, &application("app2"));
        let a = &a[0];
        assert_eq!(
            (a.id.as_str(), a.number.as_str(), a.bundle_id.as_str(), a.account_id.as_str(), a.center_id.as_str(), a.state, a.values_enc.as_str()),
            ("app2", "TBapp2", "bun", "res", "ctr", AppState::Rejected, "V2")
        );
        assert_eq!(
            (a.consent_json.as_str(), a.correction_json.as_deref(), a.note.as_deref(), a.created_at, a.b_zh.as_str(), a.b_en.as_str()),
            ("C", None, Some("incomplete"), 300, "开店", "Open a shop")
        );
        assert!(decode::<AppRow>(&conn, &application("nope")).is_empty());
        let events: Vec<EventRow> = decode(&conn, &events_of("app1"));
        assert_eq!(
            events.iter().map(|e| (e.at, e.case_id.as_deref(), e.action.as_str(), e.note.as_str())).collect::<Vec<_>>(),
            [(100, None, "submitted", ""), (100, None, "entered_by_front_desk", "at the window"), (200, None, "accepted", "")]
        );
        let mine: Vec<SummaryRow> = decode(&conn, &summaries_of("res"));
        assert_eq!(
            mine.iter().map(|s| (s.id.as_str(), s.state, s.cases, s.decided)).collect::<Vec<_>>(),
            [
                ("app4", AppState::Submitted, 2.0, 1.0),
                ("app3", AppState::Withdrawn, 2.0, 0.0),
                ("app2", AppState::Rejected, 2.0, 0.0),
                ("app1", AppState::Collected, 2.0, 0.0)
            ]
        );
        assert_eq!((mine[0].number.as_str(), mine[0].center_id.as_str(), mine[0].created_at, mine[0].b_en.as_str()), ("TBapp4", "ctr", 500, "Open a shop"));
        assert!(decode::<SummaryRow>(&conn, &summaries_of("clerk")).is_empty());
        conn.execute("UPDATE applications SET center_id = 'far', state = 'accepted' WHERE id = 'app3'", []).unwrap();
        let queue = |center: Option<&str>| decode::<SummaryRow>(&conn, &desk_queue(center)).into_iter().map(|s| s.id).collect::<Vec<_>>();
        assert_eq!(queue(Some("ctr")), ["app4"], "its center's, waiting for the desk");
        assert_eq!(queue(None), ["app3", "app4"], "every center's, oldest first");
        assert!(queue(Some("nowhere")).is_empty());
    }
}
