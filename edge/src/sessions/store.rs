//! The session statements — a token's session, starting, renewing and ending one, the password checks and
//! the sign-in throttle (counting an attempt, pacing an address) — one builder each, with named values
//! (`sql::Stmt::named`), pure, so the host SQL stage runs every one on SQLite.

use crate::sql::Stmt;
use serde::Deserialize;
use tongban_shared::account::{MAX_FAILS_PER_ACCOUNT, PACE_MAX_WAIT_SECS, PACE_MS, THROTTLE_WINDOW_SECS};

/// A live-looking session with its account and post. `role` stays text: the caller turns a role this
/// build does not know into an internal error only once the session is known to be alive, so a dead
/// session of such an account still reads as no session.
#[derive(Deserialize)]
pub struct SessionRow {
    pub account_id: String,
    pub role: String,
    pub idle_secs: i64,
    pub created_at: i64,
    pub expires_at: i64,
    pub center_id: Option<String>,
    pub dept_id: Option<String>,
    pub must_change_password: i64,
}

/// The password record of a signed-in account, and the login digest its failures count against.
#[derive(Deserialize)]
pub struct PasswordRow {
    pub password: String,
    pub login_lookup: String,
}

/// The account a login names. `role` stays text: it is read only after the password is checked, so a
/// role this build does not know never turns a wrong password into anything but `bad_credentials`.
#[derive(Deserialize)]
pub struct AccountRow {
    pub id: String,
    pub role: String,
    pub password: String,
    pub disabled: i64,
}

/// The session of a token's digest, unless its account is disabled; whether it is still alive is
/// `tongban_shared::account::session_alive`'s to say. Decodes into `SessionRow`.
pub fn session(token_digest: &str) -> Stmt {
    Stmt::named(
        "SELECT s.account_id, a.role, s.idle_secs, s.created_at, s.expires_at, st.center_id, st.dept_id, a.must_change_password \
         FROM sessions s JOIN accounts a ON a.id = s.account_id LEFT JOIN staff st ON st.account_id = a.id WHERE s.token_digest = :digest AND a.disabled = 0",
        vec![("digest", token_digest.into())],
    )
}

/// Moves a staff session's idle expiry (`tongban_shared::account::renewed_expiry`).
pub fn renew(token_digest: &str, expires_at: i64) -> Stmt {
    Stmt::named("UPDATE sessions SET expires_at = :expires WHERE token_digest = :digest", vec![("digest", token_digest.into()), ("expires", expires_at.into())])
}

/// A session as sign-in (or registration) starts it.
pub struct NewSession<'a> {
    /// `crypto::token_digest` of the cookie's token: the token itself is never stored.
    pub token_digest: &'a str,
    pub account_id: &'a str,
    pub now: i64,
    pub expires_at: i64,
    /// The sliding expiry of a staff session; 0 for a fixed one.
    pub idle_secs: i64,
}

pub fn insert_session(s: &NewSession) -> Stmt {
    Stmt::named(
        "INSERT INTO sessions (token_digest, account_id, created_at, expires_at, idle_secs) VALUES (:digest, :account, :now, :expires, :idle)",
        vec![
            ("digest", s.token_digest.into()),
            ("account", s.account_id.into()),
            ("now", s.now.into()),
            ("expires", s.expires_at.into()),
            ("idle", s.idle_secs.into()),
        ],
    )
}

/// Ends the session of a token's digest (signing out, or signing in again from the same browser).
pub fn end_session(token_digest: &str) -> Stmt {
    Stmt::named("DELETE FROM sessions WHERE token_digest = :digest", vec![("digest", token_digest.into())])
}

/// Decodes into `PasswordRow`.
pub fn password_of(account: &str) -> Stmt {
    Stmt::named("SELECT password, login_lookup FROM accounts WHERE id = :id", vec![("id", account.into())])
}

/// Decodes into `AccountRow`.
pub fn account_by_login(login_lookup: &str) -> Stmt {
    Stmt::named("SELECT id, role, password, disabled FROM accounts WHERE login_lookup = :lookup", vec![("lookup", login_lookup.into())])
}

/// A right password forgives the login's failures.
pub fn clear_failures(login_lookup: &str) -> Stmt {
    Stmt::named("DELETE FROM login_failures WHERE login_lookup = :lookup", vec![("lookup", login_lookup.into())])
}

/// The failures counted from a client address within the throttle window (column `n`).
pub fn client_failures(client: &str, now: i64) -> Stmt {
    Stmt::named(
        "SELECT count(*) AS n FROM login_failures WHERE client = :client AND at > :since",
        vec![("client", client.into()), ("since", (now - THROTTLE_WINDOW_SECS).into())],
    )
}

/// Counts an attempt on a login as a failure before its password is checked, only while fewer than
/// `MAX_FAILS_PER_ACCOUNT` are within the window: counting and deciding are one write, so parallel
/// guesses cannot all pass. Answers the new row's `id`, or no row when the attempt may not be checked.
pub fn claim_attempt(login_lookup: &str, client: &str, now: i64) -> Stmt {
    Stmt::named(
        "INSERT INTO login_failures (login_lookup, client, at) SELECT :lookup, :client, :now \
         WHERE (SELECT count(*) FROM login_failures WHERE login_lookup = :lookup AND at > :since) < :cap RETURNING id",
        vec![
            ("lookup", login_lookup.into()),
            ("client", client.into()),
            ("now", now.into()),
            ("since", (now - THROTTLE_WINDOW_SECS).into()),
            ("cap", i64::from(MAX_FAILS_PER_ACCOUNT).into()),
        ],
    )
}

/// Reserves the address's next check slot (`PACE_MS` long, in epoch milliseconds) after the last one
/// reserved, or from now if that has passed, in one conditional upsert, so parallel attempts queue. A slot
/// starting more than `PACE_MAX_WAIT_SECS` ahead is not reserved and nothing changes. Answers the
/// reserved slot's end (`next_at`), or no row.
pub fn reserve_pace(client: &str, now_ms: i64) -> Stmt {
    Stmt::named(
        "INSERT INTO login_pace (client, next_at) VALUES (:client, :now + :pace) \
         ON CONFLICT (client) DO UPDATE SET next_at = max(next_at, :now) + :pace WHERE max(next_at, :now) <= :now + :max_wait RETURNING next_at",
        vec![("client", client.into()), ("now", now_ms.into()), ("pace", PACE_MS.into()), ("max_wait", (PACE_MAX_WAIT_SECS * 1000).into())],
    )
}

/// A password record in the current scheme, only over the record just checked: a password changed
/// meanwhile is not overwritten.
pub fn upgrade_password(account: &str, record: &str, checked: &str) -> Stmt {
    Stmt::named(
        "UPDATE accounts SET password = :record WHERE id = :id AND password = :checked",
        vec![("id", account.into()), ("record", record.into()), ("checked", checked.into())],
    )
}

#[cfg(all(test, not(target_arch = "wasm32")))]
mod tests {
    /// The session store on SQLite: a session's values land in their columns and read back as
    /// `SessionRow` with the staff post, never for a disabled account; renewing and ending change only the
    /// token's session; a password upgrade lands only over the record checked. The throttle: a login gets
    /// `MAX_FAILS_PER_ACCOUNT` counted attempts within the window (a failure at its very start no longer
    /// counts), then an attempt writes nothing and answers no row, while another login is not held back;
    /// a client's failures are counted within the window; an address's check slots queue `PACE_MS` apart
    /// up to `PACE_MAX_WAIT_SECS` ahead, past it nothing is reserved, and a passed queue starts from now.
    #[test]
    fn the_session_store_runs_on_sqlite_and_answers_its_row_types() {
        use super::*;
        use crate::sql::host::{decode, migrated};
        use rusqlite::types::Value;
        let conn = migrated();
        conn.execute_batch(
            "PRAGMA foreign_keys = OFF;
             INSERT INTO accounts (id, role, login_lookup, name_enc, password, created_at, password_changed_at) VALUES
               ('acc', 'resident', 'L', 'N', 'P', 1, 1), ('clerk', 'window_staff', 'LC', 'N', 'PC', 1, 1), ('off', 'approver', 'LD', 'N', 'PD', 1, 1);
             UPDATE accounts SET must_change_password = 1 WHERE id = 'clerk';
             UPDATE accounts SET disabled = 1 WHERE id = 'off';
             INSERT INTO staff (account_id, login, center_id, dept_id, created_by, created_at) VALUES
               ('clerk', 'wang', 'ctr', NULL, 'admin', 1), ('off', 'li', NULL, 'dep', 'admin', 1);",
        )
        .unwrap_or_else(|e| panic!("fixture: {e}"));
        let one = |sql: &str| conn.query_row(sql, [], |r| r.get::<_, String>(0)).unwrap_or_else(|e| panic!("{e}: {sql}"));

        let start = |token_digest: &str, account_id: &str, expires_at: i64, idle_secs: i64| {
            insert_session(&NewSession { token_digest, account_id, now: 100, expires_at, idle_secs }).execute(&conn).unwrap()
        };
        assert_eq!(start("d_clerk", "clerk", 1900, 1800), 1);
        assert_eq!(one("SELECT token_digest || account_id || created_at || expires_at || idle_secs FROM sessions"), "d_clerkclerk10019001800");
        assert_eq!((start("d_acc", "acc", 200, 0), start("d_off", "off", 1900, 1800)), (1, 1));
        let s: Vec<SessionRow> = decode(&conn, &session("d_clerk"));
        let s = &s[0];
        assert_eq!(
            (
                s.account_id.as_str(),
                s.role.as_str(),
                s.idle_secs,
                s.created_at,
                s.expires_at,
                s.center_id.as_deref(),
                s.dept_id.as_deref(),
                s.must_change_password
            ),
            ("clerk", "window_staff", 1800, 100, 1900, Some("ctr"), None, 1)
        );
        let resident: Vec<SessionRow> = decode(&conn, &session("d_acc"));
        assert_eq!((resident[0].role.as_str(), resident[0].center_id.as_deref(), resident[0].must_change_password), ("resident", None, 0));
        assert!(decode::<SessionRow>(&conn, &session("d_off")).is_empty(), "a disabled account's session");
        assert!(decode::<SessionRow>(&conn, &session("unknown")).is_empty());

        assert_eq!(renew("d_clerk", 2500).execute(&conn).unwrap(), 1);
        assert_eq!(renew("unknown", 2500).execute(&conn).unwrap(), 0);
        assert_eq!(
            one("SELECT group_concat(token_digest || '@' || expires_at, ',') FROM (SELECT * FROM sessions ORDER BY token_digest)"),
            "d_acc@200,d_clerk@2500,d_off@1900"
        );
        assert_eq!(end_session("d_acc").execute(&conn).unwrap(), 1);
        assert_eq!(end_session("d_acc").execute(&conn).unwrap(), 0);
        assert_eq!(one("SELECT group_concat(token_digest, ',') FROM (SELECT * FROM sessions ORDER BY token_digest)"), "d_clerk,d_off");

        let p: Vec<PasswordRow> = decode(&conn, &password_of("clerk"));
        assert_eq!((p[0].password.as_str(), p[0].login_lookup.as_str()), ("PC", "LC"));
        assert!(decode::<PasswordRow>(&conn, &password_of("nobody")).is_empty());
        let a: Vec<AccountRow> = decode(&conn, &account_by_login("LD"));
        assert_eq!((a[0].id.as_str(), a[0].role.as_str(), a[0].password.as_str(), a[0].disabled), ("off", "approver", "PD", 1));
        assert!(decode::<AccountRow>(&conn, &account_by_login("nobody")).is_empty());
        assert_eq!(upgrade_password("acc", "P2", "changed meanwhile").execute(&conn).unwrap(), 0);
        assert_eq!(upgrade_password("acc", "P2", "P").execute(&conn).unwrap(), 1);
        assert_eq!(one("SELECT group_concat(id || password, ',') FROM (SELECT * FROM accounts ORDER BY id)"), "accP2,clerkPC,offPD");

        // The sign-in throttle, per login and per client address.
        let now = 1_000_000;
        conn.execute("INSERT INTO login_failures (login_lookup, client, at) VALUES ('L', 'cl', ?1), ('L', 'cl', ?1 + 1)", [now - THROTTLE_WINDOW_SECS])
            .unwrap();
        let claimed = |lookup: &str, client: &str, now: i64| claim_attempt(lookup, client, now).query_rows(&conn, &["id"]).unwrap().len();
        let cap = MAX_FAILS_PER_ACCOUNT as usize;
        assert_eq!((0..cap).map(|_| claimed("L", "cl", now)).collect::<Vec<_>>(), [vec![1; cap - 1], vec![0]].concat(), "one failure was counted already");
        assert_eq!(
            one("SELECT count(*) || '/' || max(id) FROM login_failures WHERE login_lookup = 'L'"),
            format!("{}/{}", cap + 1, cap + 1),
            "a refused attempt writes nothing"
        );
        assert_eq!(one("SELECT login_lookup || client || at FROM login_failures ORDER BY id DESC LIMIT 1"), format!("Lcl{now}"));
        assert_eq!(claimed("L2", "c2", now), 1, "another login is not held back");
        let failures = |client: &str, now: i64| client_failures(client, now).query_rows(&conn, &["n"]).unwrap();
        assert_eq!(failures("cl", now), [vec![Value::Integer(cap as i64)]], "not the one at the window's start");
        assert_eq!(failures("c2", now), [vec![Value::Integer(1)]]);
        assert_eq!(claimed("L", "cl", now + 1), 1, "the oldest counted failure has left the window");
        assert_eq!(claimed("L", "cl", now + 1), 0, "at the cap again");
        assert_eq!(claimed("L", "cl", now + THROTTLE_WINDOW_SECS), 1, "only the failure after `now` is left in the window");
        assert_eq!(failures("cl", now + THROTTLE_WINDOW_SECS), [vec![Value::Integer(2)]]);
        assert_eq!(clear_failures("L").execute(&conn).unwrap(), cap + 3);
        assert_eq!(one("SELECT group_concat(login_lookup, ',') FROM login_failures"), "L2");

        let reserve = |client: &str, now_ms: i64| -> Option<i64> {
            let rows = reserve_pace(client, now_ms).query_rows(&conn, &["next_at"]).unwrap();
            rows.first().map(|r| match r[0] {
                Value::Integer(n) => n - now_ms,
                ref v => panic!("{v:?}"),
            })
        };
        let t = 5_000_000;
        let ends: Vec<i64> = (1..).map(|k| k * PACE_MS).take_while(|end| end - PACE_MS <= PACE_MAX_WAIT_SECS * 1000).collect();
        assert!(ends.len() >= 2, "{ends:?}");
        assert_eq!(ends.iter().map(|_| reserve("cl", t)).collect::<Vec<_>>(), ends.iter().map(|e| Some(*e)).collect::<Vec<_>>(), "one slot after another");
        let last = ends[ends.len() - 1];
        assert_eq!(reserve("cl", t), None, "a slot too far ahead");
        assert_eq!(one("SELECT client || '@' || (next_at - 5000000) FROM login_pace"), format!("cl@{last}"), "a refused slot reserves nothing");
        assert_eq!(reserve("c2", t), Some(PACE_MS), "another address has its own queue");
        assert_eq!(reserve("cl", t + PACE_MS), Some(last), "the queue moves on as time passes");
        assert_eq!(reserve("cl", t + 10 * last), Some(PACE_MS), "a passed queue starts from now");
    }
}
