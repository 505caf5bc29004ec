//! The staff posts' statements: a post with its account, its AB backup and duties; the list an admin
//! sees; settings, disabling and a password reset, each with every session of the account ended in the
//! same batch where it must be.

use crate::sql::{Arg, Stmt};
use serde::Deserialize;
use tongban_shared::account::Role;

/// A post with its account and its backup's login.
#[derive(Deserialize)]
pub struct PostRow {
    pub id: String,
    pub login: String,
    pub role: Role,
    pub name_enc: String,
    pub center_id: Option<String>,
    pub dept_id: Option<String>,
    pub backup_id: Option<String>,
    pub backup_login: Option<String>,
    pub away: i64,
    pub duties: Option<String>,
    pub disabled: i64,
}

const POST_SELECT: &str =
    "SELECT a.id, st.login, a.role, a.name_enc, st.center_id, st.dept_id, st.backup_id, b.login AS backup_login, st.away, st.duties, a.disabled \
     FROM staff st JOIN accounts a ON a.id = st.account_id LEFT JOIN staff b ON b.account_id = st.backup_id";

pub fn post(id: &str) -> Stmt {
    Stmt::named(&format!("{POST_SELECT} WHERE st.account_id = :id"), vec![("id", id.into())])
}

/// The posts of one center (`Some`) or every post.
pub fn posts(center: Option<&str>) -> Stmt {
    match center {
        None => Stmt::new(format!("{POST_SELECT} ORDER BY st.center_id, st.dept_id, st.login"), vec![]),
        Some(c) => Stmt::named(&format!("{POST_SELECT} WHERE st.center_id = :center ORDER BY st.login"), vec![("center", c.into())]),
    }
}

/// A new post: its account (created by an admin, never self-registered) and its staff row.
pub struct NewPost<'a> {
    pub id: &'a str,
    pub role: Role,
    pub login: &'a str,
    pub login_lookup: &'a str,
    pub name_enc: &'a str,
    pub password: &'a str,
    pub center_id: Option<&'a str>,
    pub dept_id: Option<&'a str>,
    pub backup_id: Option<&'a str>,
    pub duties: Option<&'a str>,
    pub created_by: &'a str,
    pub now: i64,
}

/// The account and the post, in one batch: a login taken or a role the post table refuses fails both.
pub fn create_post(p: &NewPost) -> [Stmt; 2] {
    [
        Stmt::named(
            "INSERT INTO accounts (id, role, login_lookup, name_enc, password, created_at, password_changed_at) VALUES (:id, :role, :lookup, :name, :password, :now, :now)",
            vec![
                ("id", p.id.into()),
                ("role", p.role.as_str().into()),
                ("lookup", p.login_lookup.into()),
                ("name", p.name_enc.into()),
                ("password", p.password.into()),
                ("now", p.now.into()),
            ],
        ),
        Stmt::named(
            "INSERT INTO staff (account_id, login, center_id, dept_id, backup_id, created_by, created_at, duties) \
             VALUES (:id, :login, :center, :dept, :backup, :by, :now, :duties)",
            vec![
                ("id", p.id.into()),
                ("login", p.login.into()),
                ("center", p.center_id.into()),
                ("dept", p.dept_id.into()),
                ("backup", p.backup_id.into()),
                ("by", p.created_by.into()),
                ("now", p.now.into()),
                ("duties", p.duties.into()),
            ],
        ),
    ]
}

pub fn settings(id: &str, backup_id: Option<&str>, away: bool) -> Stmt {
    Stmt::named(
        "UPDATE staff SET backup_id = :backup, away = :away WHERE account_id = :id",
        vec![("id", id.into()), ("backup", backup_id.into()), ("away", Arg::Int(i64::from(away)))],
    )
}

pub fn set_disabled(id: &str, disabled: bool) -> Stmt {
    Stmt::named("UPDATE accounts SET disabled = :disabled WHERE id = :id", vec![("id", id.into()), ("disabled", Arg::Int(i64::from(disabled)))])
}

/// Every session of the account ends (a disabled account, a reset password).
pub fn end_sessions(account: &str) -> Stmt {
    Stmt::named("DELETE FROM sessions WHERE account_id = :id", vec![("id", account.into())])
}

/// A temporary password the holder must change at the next sign-in.
pub fn temporary_password(id: &str, record: &str, now: i64) -> Stmt {
    Stmt::named(
        "UPDATE accounts SET password = :record, must_change_password = 1, password_changed_at = :now WHERE id = :id",
        vec![("id", id.into()), ("record", record.into()), ("now", now.into())],
    )
}

#[cfg(all(test, not(target_arch = "wasm32")))]
mod tests {
    use super::*;
    use crate::sql::host::{decode, migrated};

    /// A post and its account are written together with each value in place; a taken login fails; the
    /// list is by center; settings, disabling and a reset land, and a reset or a disable ends sessions.
    #[test]
    fn posts_are_created_listed_and_managed() {
        let conn = migrated();
        conn.execute_batch("PRAGMA foreign_keys = OFF;").unwrap();
        let new = NewPost {
            id: "p1",
            role: Role::Approver,
            login: "approver.x",
            login_lookup: "dig-x",
            name_enc: "N",
            password: "rec",
            center_id: Some("ctr"),
            dept_id: Some("dep"),
            backup_id: None,
            duties: Some("review,decide"),
            created_by: "admin",
            now: 10,
        };
        assert_eq!(create_post(&new).map(|s| s.execute(&conn).unwrap()), [1, 1]);
        let [again, _] = create_post(&NewPost { id: "p2", login_lookup: "dig-y", ..new });
        again.execute(&conn).unwrap();
        let [_, taken] = create_post(&NewPost { id: "p2", login_lookup: "dig-y", ..new });
        assert!(taken.execute(&conn).is_err(), "a login is one post's");
        let a: String = conn
            .query_row(
                "SELECT id || role || login_lookup || name_enc || password || created_at || password_changed_at FROM accounts WHERE id = 'p1'",
                [],
                |r| r.get(0),
            )
            .unwrap();
        assert_eq!(a, "p1approverdig-xNrec1010");
        let st: String = conn
            .query_row(
                "SELECT account_id || login || center_id || dept_id || coalesce(backup_id, '-') || created_by || created_at || duties FROM staff",
                [],
                |r| r.get(0),
            )
            .unwrap();
        assert_eq!(st, "p1approver.xctrdep-admin10review,decide");
        conn.execute_batch(
            "INSERT INTO staff (account_id, login, center_id, created_by, created_at) VALUES ('p2', 'approver.y', 'ctr', 'admin', 11);
             INSERT INTO sessions (token_digest, account_id, created_at, expires_at, idle_secs) VALUES ('t1', 'p1', 1, 99, 0), ('t2', 'p1', 1, 99, 0);",
        )
        .unwrap_or_else(|e| panic!("fixture: {e}"));
        assert_eq!(settings("p1", Some("p2"), true).execute(&conn).unwrap(), 1);
        let p: Vec<PostRow> = decode(&conn, &post("p1"));
        assert_eq!((p[0].role, p[0].backup_login.as_deref(), p[0].away, p[0].disabled), (Role::Approver, Some("approver.y"), 1, 0));
        assert_eq!(decode::<PostRow>(&conn, &posts(Some("ctr"))).len(), 2);
        assert!(decode::<PostRow>(&conn, &posts(Some("other"))).is_empty());
        assert_eq!(decode::<PostRow>(&conn, &posts(None)).len(), 2);
        assert_eq!((set_disabled("p1", true).execute(&conn).unwrap(), end_sessions("p1").execute(&conn).unwrap()), (1, 2));
        assert_eq!(decode::<PostRow>(&conn, &post("p1"))[0].disabled, 1);
        assert_eq!(temporary_password("p1", "tmp", 20).execute(&conn).unwrap(), 1);
        let r: String =
            conn.query_row("SELECT password || must_change_password || password_changed_at FROM accounts WHERE id = 'p1'", [], |r| r.get(0)).unwrap();
        assert_eq!(r, "tmp120");
    }
}
