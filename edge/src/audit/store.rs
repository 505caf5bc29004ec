//! The audit log's statements: a record written in the same batch as the access it records, and the
//! admins' list. There is no statement that changes or deletes a record (the table's triggers refuse it).

use crate::sql::Stmt;
use serde::Deserialize;

/// A record as the list reads it, with the staff member's login and the subject's sealed name and ID.
#[derive(Deserialize)]
pub struct AuditRow {
    pub id: i64,
    pub at: i64,
    pub actor_login: Option<String>,
    pub actor_center: Option<String>,
    pub action: String,
    pub reason: String,
    pub name_enc: Option<String>,
    pub id_enc: Option<String>,
}

/// Who did what, when and why.
pub struct Actor<'a> {
    pub account_id: &'a str,
    pub center_id: Option<&'a str>,
    pub action: &'a str,
    pub reason: &'a str,
    pub now: i64,
}

const AUDIT_SELECT: &str = "SELECT l.id, l.at, st.login AS actor_login, l.actor_center, l.action, l.reason, a.name_enc, a.id_enc \
    FROM audit_log l LEFT JOIN staff st ON st.account_id = l.actor_id LEFT JOIN accounts a ON a.id = l.subject_id";

fn actor(a: &Actor) -> Vec<(&'static str, crate::sql::Arg)> {
    vec![("at", a.now.into()), ("actor", a.account_id.into()), ("center", a.center_id.into()), ("action", a.action.into()), ("reason", a.reason.into())]
}

/// The record of an action on the account `subject`.
pub fn record(a: &Actor, subject: &str) -> Stmt {
    let mut v = actor(a);
    v.push(("subject", subject.into()));
    Stmt::named("INSERT INTO audit_log (at, actor_id, actor_center, action, subject_id, reason) VALUES (:at, :actor, :center, :action, :subject, :reason)", v)
}

/// The record of an action on `subject` that the statement just before it in the batch performed, only if
/// that statement changed a row (`changes() = 1`): an action that lost its race leaves no record.
pub fn record_after(a: &Actor, subject: &str) -> Stmt {
    let mut v = actor(a);
    v.push(("subject", subject.into()));
    Stmt::named(
        "INSERT INTO audit_log (at, actor_id, actor_center, action, subject_id, reason) SELECT :at, :actor, :center, :action, :subject, :reason WHERE changes() = 1",
        v,
    )
}

/// The record of an action on the resident whose ID-number digest is `lookup`: nothing when there is no
/// such resident, so the record exists exactly when the access does.
pub fn record_for_resident(a: &Actor, lookup: &str) -> Stmt {
    let mut v = actor(a);
    v.push(("lookup", lookup.into()));
    Stmt::named(
        "INSERT INTO audit_log (at, actor_id, actor_center, action, subject_id, reason) \
         SELECT :at, :actor, :center, :action, id, :reason FROM accounts WHERE login_lookup = :lookup AND role = 'resident'",
        v,
    )
}

/// The latest 500 records, of one center's staff or (`None`) all.
pub fn latest(center: Option<&str>) -> Stmt {
    match center {
        None => Stmt::new(format!("{AUDIT_SELECT} ORDER BY l.id DESC LIMIT 500"), vec![]),
        Some(c) => Stmt::named(&format!("{AUDIT_SELECT} WHERE l.actor_center = :center ORDER BY l.id DESC LIMIT 500"), vec![("center", c.into())]),
    }
}

#[cfg(all(test, not(target_arch = "wasm32")))]
mod tests {
    use super::*;
    use crate::sql::host::{decode, migrated};

    /// A record lands with each value in its column; one for a resident only when the resident exists
    /// (not for another role's account); the list reads them newest first, by center.
    #[test]
    fn records_land_and_read_back() {
        let conn = migrated();
        conn.execute_batch(
            "PRAGMA foreign_keys = OFF;
             INSERT INTO accounts (id, role, login_lookup, name_enc, password, created_at, password_changed_at) VALUES
               ('res', 'resident', 'dig-r', 'N', 'p', 1, 1), ('biz', 'business', 'dig-b', 'B', 'p', 1, 1);
             INSERT INTO staff (account_id, login, center_id, created_by, created_at) VALUES ('clerk', 'window.x', 'ctr', 'admin', 1);",
        )
        .unwrap_or_else(|e| panic!("fixture: {e}"));
        let a = Actor { account_id: "clerk", center_id: Some("ctr"), action: "view_person", reason: "办理", now: 50 };
        assert_eq!(record(&a, "res").execute(&conn).unwrap(), 1);
        let row: String = conn.query_row("SELECT at || actor_id || actor_center || action || subject_id || reason FROM audit_log", [], |r| r.get(0)).unwrap();
        assert_eq!(row, "50clerkctrview_personres办理");
        assert_eq!(record_for_resident(&Actor { now: 60, ..a }, "dig-r").execute(&conn).unwrap(), 1);
        assert_eq!(record_for_resident(&a, "dig-b").execute(&conn).unwrap(), 0, "not a resident");
        assert_eq!(record_for_resident(&a, "nobody").execute(&conn).unwrap(), 0);
        conn.execute("UPDATE accounts SET role = role WHERE id = 'nobody'", []).unwrap();
        assert_eq!(record_after(&Actor { action: "act_for", ..a }, "res").execute(&conn).unwrap(), 0, "the action changed nothing");
        conn.execute("UPDATE accounts SET role = role WHERE id = 'res'", []).unwrap();
        assert_eq!(record_after(&Actor { action: "act_for", now: 55, ..a }, "res").execute(&conn).unwrap(), 1);
        let all: Vec<AuditRow> = decode(&conn, &latest(None));
        assert_eq!(all.iter().map(|r| r.at).collect::<Vec<_>>(), [55, 60, 50]);
        assert_eq!((all[0].actor_login.as_deref(), all[0].name_enc.as_deref()), (Some("window.x"), Some("N")));
        assert_eq!(decode::<AuditRow>(&conn, &latest(Some("ctr"))).len(), 3);
        assert!(decode::<AuditRow>(&conn, &latest(Some("other"))).is_empty());
    }
}
