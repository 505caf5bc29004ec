//! The case statements — an application's cases and a department's, the steps of a case's approval chain
//! and who may take them, a step taken at the case's version, and the unified output's transition — one
//! builder each, with named values (`sql::Stmt::named`), pure, so the host tests run every one on SQLite.

use crate::sql::Stmt;
use serde::Deserialize;
use tongban_shared::application::CaseState;

/// A case with its item's and department's names and its item's approval chain.
#[derive(Deserialize)]
pub struct CaseRow {
    pub id: String,
    pub application_id: String,
    pub number: String,
    pub item_id: String,
    pub dept_id: String,
    pub state: CaseState,
    pub step: i64,
    pub due: Option<String>,
    pub version: i64,
    pub i_zh: String,
    pub i_en: String,
    pub d_zh: String,
    pub d_en: String,
    /// The `chain` of the item's current form, read with the case.
    pub chain: Option<String>,
}

/// A step taken on a case. `step` stays text (the column has no CHECK): a step this build does not know
/// is skipped, not an error that hides the case.
#[derive(Deserialize)]
pub struct StepEventRow {
    pub step: String,
    pub actor_id: String,
    pub at: i64,
    pub for_id: Option<String>,
}

/// A post's duties in its department's chains (`staff.duties`; none: every duty).
#[derive(Deserialize)]
pub struct DutiesRow {
    pub account_id: String,
    pub duties: Option<String>,
}

const CASE_SELECT: &str =
    "SELECT c.id, c.application_id, c.number, c.item_id, c.dept_id, c.state, c.step, c.due, c.version, i.name_zh AS i_zh, i.name_en AS i_en, \
     d.name_zh AS d_zh, d.name_en AS d_en, \
     json_extract((SELECT f.form_json FROM item_forms f WHERE f.item_id = c.item_id ORDER BY f.version DESC LIMIT 1), '$.chain') AS chain \
     FROM cases c JOIN items i ON i.id = c.item_id JOIN departments d ON d.id = c.dept_id";

/// Decodes into `CaseRow`.
pub fn case(id: &str) -> Stmt {
    Stmt::named(&format!("{CASE_SELECT} WHERE c.id = :id"), vec![("id", id.into())])
}

/// The application's cases by number. Decodes into `CaseRow`.
pub fn cases_of(application: &str) -> Stmt {
    Stmt::named(&format!("{CASE_SELECT} WHERE c.application_id = :application ORDER BY c.number"), vec![("application", application.into())])
}

/// A department's cases from acceptance on, open ones first by deadline, at most 200; none without a
/// department. Decodes into `CaseRow`.
pub fn department_cases(dept: Option<&str>) -> Stmt {
    Stmt::named(
        &format!(
            "{CASE_SELECT} WHERE c.dept_id = :dept AND c.state IN ('handling', 'approved', 'refused') ORDER BY c.state = 'handling' DESC, c.due, c.number LIMIT 200"
        ),
        vec![("dept", dept.into())],
    )
}

/// The applicant of an application (column `account_id`), whom a case's audit record is about.
pub fn owner_of(application: &str) -> Stmt {
    Stmt::named("SELECT account_id FROM applications WHERE id = :id", vec![("id", application.into())])
}

/// An account's sealed name (column `name_enc`), for who took a step.
pub fn name_of(account: &str) -> Stmt {
    Stmt::named("SELECT name_enc FROM accounts WHERE id = :id", vec![("id", account.into())])
}

/// The case's steps in the order they were taken (its other events have no step). Decodes into
/// `StepEventRow`.
pub fn step_events_of(case: &str) -> Stmt {
    Stmt::named("SELECT step, actor_id, at, for_id FROM case_events WHERE case_id = :case AND step IS NOT NULL ORDER BY id", vec![("case", case.into())])
}

/// The account's own post first, then each away post it is the backup (岗位AB角) of. Decodes into
/// `DutiesRow`.
pub fn duties_of(account: &str) -> Stmt {
    Stmt::named(
        "SELECT account_id, duties FROM staff WHERE account_id = :account OR (backup_id = :account AND away = 1) ORDER BY account_id = :account DESC",
        vec![("account", account.into())],
    )
}

/// A step of a case's chain as taken: the state and step it leaves the case at.
pub struct CaseAdvance<'a> {
    pub id: &'a str,
    /// The version the step was checked at.
    pub version: i64,
    pub state: CaseState,
    pub step: i64,
    pub now: i64,
}

/// The case moves on only at the version its step was checked at: whoever acted since, this changes
/// nothing (and `case_step_event`, after it in the batch, writes nothing either).
pub fn advance_case(a: &CaseAdvance) -> Stmt {
    Stmt::named(
        "UPDATE cases SET state = :state, step = :step, version = version + 1, decided_at = CASE WHEN :state IN ('approved', 'refused') THEN :now ELSE NULL END, \
         updated_at = :now WHERE id = :id AND version = :version",
        vec![("id", a.id.into()), ("version", a.version.into()), ("state", a.state.as_str().into()), ("step", a.step.into()), ("now", a.now.into())],
    )
}

/// One step taken on a case, for its history (`case_events`).
pub struct CaseStepEvent<'a> {
    pub application_id: &'a str,
    pub case_id: &'a str,
    pub at: i64,
    pub actor_id: &'a str,
    /// What was done (`handled`, `approved`, `refused`, …).
    pub action: &'a str,
    pub note: &'a str,
    /// The step it was (`shared::application::CaseStep`).
    pub step: &'a str,
    /// The post it was done for, when a backup (岗位AB角) acted.
    pub for_id: Option<&'a str>,
}

/// The event of a step, written only when the guarded update of the case just before it in the same batch
/// changed the case (`changes() > 0`): a step that lost a race leaves no event.
pub fn case_step_event(e: &CaseStepEvent) -> Stmt {
    Stmt::named(
        "INSERT INTO case_events (application_id, case_id, at, actor_id, action, note, step, for_id) \
         SELECT :application, :case, :at, :actor, :action, :note, :step, :for_id WHERE changes() > 0",
        vec![
            ("application", e.application_id.into()),
            ("case", e.case_id.into()),
            ("at", e.at.into()),
            ("actor", e.actor_id.into()),
            ("action", e.action.into()),
            ("note", e.note.into()),
            ("step", e.step.into()),
            ("for_id", e.for_id.into()),
        ],
    )
}

/// 统一出件: the head of the unified output's batch, guarded by the application's state so that two
/// departments deciding at once make it ready (and issue its licences, and notify) once.
pub fn ready(application: &str, now: i64) -> Stmt {
    Stmt::named(
        "UPDATE applications SET state = 'ready', updated_at = :now WHERE id = :id AND state = 'accepted'",
        vec![("id", application.into()), ("now", now.into())],
    )
}

/// The item's current form (column `form_json`): what licence an approved case issues.
pub fn latest_form(item: &str) -> Stmt {
    Stmt::named("SELECT form_json FROM item_forms WHERE item_id = :item ORDER BY version DESC LIMIT 1", vec![("item", item.into())])
}

#[cfg(all(test, not(target_arch = "wasm32")))]
mod tests {
    use super::*;
    use crate::sql::host::{decode, migrated};

    /// An accepted application of two cases: one at a department whose item's current form runs the
    /// three-step chain, one at another whose item has no form; a resident, three staff posts.
    fn fixture() -> rusqlite::Connection {
        let conn = migrated();
        conn.execute_batch(
            "PRAGMA foreign_keys = OFF;
             INSERT INTO departments (id, name_zh, name_en) VALUES ('dep1', '部一', 'Dept 1'), ('dep2', '部二', 'Dept 2');
             INSERT INTO items (id, dept_id, kind, name_zh, name_en, current_version, search_text) VALUES
               ('it1', 'dep1', 'public_service', '事一', 'Item 1', 2, ''), ('it2', 'dep2', 'public_service', '事二', 'Item 2', 1, '');
             INSERT INTO item_forms (item_id, version, form_json) VALUES ('it1', 1, '{\"chain\":\"one_check\"}'), ('it1', 2, '{\"chain\":\"three_step\"}');
             INSERT INTO applications (id, number, bundle_id, account_id, center_id, state, values_enc, forms_json, consent_json, idem_key, created_at, updated_at)
               VALUES ('app', 'TB1', 'bun', 'res', 'ctr', 'accepted', 'V', '[]', '[]', 'k', 1, 1);
             INSERT INTO cases (id, application_id, number, item_id, dept_id, state, step, due, version, updated_at) VALUES
               ('c2', 'app', 'TB1-2', 'it2', 'dep2', 'handling', 0, '2026-12-20', 0, 1),
               ('c1', 'app', 'TB1-1', 'it1', 'dep1', 'handling', 0, '2026-12-10', 0, 1);
             INSERT INTO accounts (id, role, login_lookup, name_enc, password, created_at, password_changed_at) VALUES
               ('res', 'resident', 'LR', 'NR', 'P', 1, 1), ('a1', 'approver', 'L1', 'N1', 'P', 1, 1);
             INSERT INTO staff (account_id, login, dept_id, backup_id, away, created_by, created_at, duties) VALUES
               ('a1', 'approver.1', 'dep1', NULL, 0, 'admin', 1, 'handle'), ('a2', 'approver.2', 'dep1', 'a1', 1, 'admin', 1, 'review'),
               ('a3', 'approver.3', 'dep1', 'a1', 0, 'admin', 1, 'decide'), ('a0', 'approver.0', 'dep1', NULL, 0, 'admin', 1, NULL);",
        )
        .unwrap_or_else(|e| panic!("fixture: {e}"));
        conn
    }

    fn one(conn: &rusqlite::Connection, sql: &str) -> String {
        conn.query_row(sql, [], |r| r.get::<_, String>(0)).unwrap_or_else(|e| panic!("{e}: {sql}"))
    }

    fn text(conn: &rusqlite::Connection, stmt: Stmt, column: &str) -> Vec<rusqlite::types::Value> {
        stmt.query_rows(conn, &[column]).unwrap().into_iter().flatten().collect()
    }

    /// The case reads carry the chain of the item's current form and the names of item and department;
    /// a department sees its own cases from acceptance on, open ones first by deadline, and nothing
    /// without a department; the names and owner of a case read by their column.
    #[test]
    fn cases_read_with_their_chain_and_names() {
        let conn = fixture();
        let c: Vec<CaseRow> = decode(&conn, &case("c1"));
        let c = &c[0];
        assert_eq!(
            (c.id.as_str(), c.application_id.as_str(), c.number.as_str(), c.item_id.as_str(), c.dept_id.as_str(), c.state, c.step, c.version),
            ("c1", "app", "TB1-1", "it1", "dep1", CaseState::Handling, 0, 0)
        );
        assert_eq!(
            (c.due.as_deref(), c.i_zh.as_str(), c.i_en.as_str(), c.d_zh.as_str(), c.d_en.as_str(), c.chain.as_deref()),
            (Some("2026-12-10"), "事一", "Item 1", "部一", "Dept 1", Some("three_step"))
        );
        assert_eq!(decode::<CaseRow>(&conn, &case("c2"))[0].chain, None, "an item without a form");
        assert!(decode::<CaseRow>(&conn, &case("nope")).is_empty());
        let ids = |s: Stmt| decode::<CaseRow>(&conn, &s).into_iter().map(|c| c.id).collect::<Vec<_>>();
        assert_eq!(ids(cases_of("app")), ["c1", "c2"], "by number");
        conn.execute_batch(
            "INSERT INTO cases (id, application_id, number, item_id, dept_id, state, due, updated_at) VALUES
               ('c3', 'app2', 'TB2-1', 'it1', 'dep1', 'approved', '2026-12-01', 1), ('c4', 'app3', 'TB3-1', 'it1', 'dep1', 'handling', '2026-12-30', 1),
               ('c5', 'app4', 'TB4-1', 'it1', 'dep1', 'waiting', NULL, 1), ('c6', 'app5', 'TB5-1', 'it1', 'dep1', 'withdrawn', NULL, 1);",
        )
        .unwrap();
        assert_eq!(ids(department_cases(Some("dep1"))), ["c1", "c4", "c3"], "open first by deadline; not before acceptance, not withdrawn");
        assert_eq!(ids(department_cases(Some("dep2"))), ["c2"]);
        assert!(ids(department_cases(None)).is_empty());
        assert_eq!(text(&conn, owner_of("app"), "account_id"), [rusqlite::types::Value::Text("res".into())]);
        assert_eq!(text(&conn, name_of("a1"), "name_enc"), [rusqlite::types::Value::Text("N1".into())]);
        assert!(text(&conn, name_of("a2"), "name_enc").is_empty(), "a post without an account");
        assert_eq!(text(&conn, latest_form("it1"), "form_json"), [rusqlite::types::Value::Text(r#"{"chain":"three_step"}"#.into())]);
        assert!(text(&conn, latest_form("it2"), "form_json").is_empty());
    }

    /// A step moves a case only at the version it was checked at, once (a second attempt at the same
    /// version, a parallel one, changes nothing and writes no event); a decision stamps `decided_at`;
    /// the steps read back in order without the case's other events; an account's duties come with the
    /// away posts it backs up, its own first; the application becomes ready once.
    #[test]
    fn a_step_is_taken_once_at_its_version() {
        let conn = fixture();
        let step = |version: i64, state: CaseState, step: i64, now: i64, actor: &str, at: &str, for_id: Option<&str>| {
            let e = CaseStepEvent { application_id: "app", case_id: "c1", at: now, actor_id: actor, action: "pass", note: "ok", step: at, for_id };
            [advance_case(&CaseAdvance { id: "c1", version, state, step, now }), case_step_event(&e)].map(|s| s.execute(&conn).unwrap())
        };
        let row = || one(&conn, "SELECT state || step || version || coalesce(decided_at, '-') || updated_at FROM cases WHERE id = 'c1'");
        assert_eq!(step(0, CaseState::Handling, 1, 100, "a1", "handle", None), [1, 1]);
        assert_eq!(row(), "handling11-100");
        assert_eq!(step(0, CaseState::Handling, 1, 101, "a3", "handle", None), [0, 0], "acted on since");
        conn.execute("INSERT INTO case_events (application_id, case_id, at, actor_id, action) VALUES ('app', 'c1', 102, 'a1', 'note')", []).unwrap();
        assert_eq!(step(1, CaseState::Handling, 2, 103, "a1", "review", Some("a2")), [1, 1]);
        assert_eq!(step(2, CaseState::Approved, 2, 104, "a3", "decide", None), [1, 1]);
        assert_eq!(row(), "approved23104104");
        assert_eq!(step(2, CaseState::Refused, 2, 105, "a1", "decide", None), [0, 0], "decided already");
        let steps: Vec<StepEventRow> = decode(&conn, &step_events_of("c1"));
        assert_eq!(
            steps.iter().map(|s| (s.step.as_str(), s.actor_id.as_str(), s.at, s.for_id.as_deref())).collect::<Vec<_>>(),
            [("handle", "a1", 100, None), ("review", "a1", 103, Some("a2")), ("decide", "a3", 104, None)]
        );
        assert!(decode::<StepEventRow>(&conn, &step_events_of("c2")).is_empty());

        let duties = |account: &str| {
            decode::<DutiesRow>(&conn, &duties_of(account)).into_iter().map(|d| (d.account_id, d.duties.unwrap_or_else(|| "-".into()))).collect::<Vec<_>>()
        };
        assert_eq!(duties("a1"), [("a1".to_string(), "handle".to_string()), ("a2".into(), "review".into())], "its own, then the away post it backs up");
        assert_eq!(duties("a0"), [("a0".to_string(), "-".to_string())]);
        assert!(duties("res").is_empty());

        assert_eq!(ready("app", 200).execute(&conn).unwrap(), 1);
        assert_eq!(one(&conn, "SELECT state || updated_at FROM applications"), "ready200");
        assert_eq!(ready("app", 201).execute(&conn).unwrap(), 0, "ready once");
    }
}
