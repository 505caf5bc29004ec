//! The account statements — registering a resident or a business, a new password, the data export and
//! erasing an account — one builder each, with named values (`sql::Stmt::named`), pure, so the host SQL
//! stage runs every one on SQLite.

use crate::sql::Stmt;
use serde::Deserialize;
use tongban_shared::account::Role;

/// An upload of the account that no application points to (what erasing the account removes).
#[derive(Deserialize)]
pub struct IdRow {
    pub id: String,
}

/// The account's own row, sealed as stored, for the export.
#[derive(Deserialize)]
pub struct ExportRow {
    pub name_enc: String,
    pub id_enc: Option<String>,
    pub mobile_enc: Option<String>,
    pub created_at: i64,
    pub password_changed_at: i64,
}

/// One look at the person's data by staff (the audit log), for the export. `by` is the staff login;
/// none once the post is gone.
#[derive(Deserialize)]
pub struct AccessRow {
    pub at: i64,
    pub by: Option<String>,
    pub center_id: Option<String>,
    pub reason: String,
}

/// A count (column `n`).
#[derive(Deserialize)]
pub struct CountRow {
    pub n: i64,
}

/// A new account's row: personal fields already sealed, logins already digested (`crypto::Keyring`).
pub struct NewAccount<'a> {
    pub id: &'a str,
    pub role: Role,
    /// Digest of the ID number or credit code the person signs in with.
    pub login_lookup: &'a str,
    /// A resident's name, or a business's company name.
    pub name_enc: &'a str,
    /// A resident's ID number (a business's credit code is public registry data, in `businesses`).
    pub id_enc: Option<&'a str>,
    pub mobile_enc: &'a str,
    pub mobile_lookup: &'a str,
    /// The password record (`password::hash`).
    pub password: &'a str,
    pub now: i64,
}

/// The account's row; a taken login (the unique `login_lookup`) fails it.
pub fn insert_account(a: &NewAccount) -> Stmt {
    Stmt::named(
        "INSERT INTO accounts (id, role, login_lookup, name_enc, id_enc, mobile_enc, mobile_lookup, password, created_at, password_changed_at) \
         VALUES (:id, :role, :login, :name, :id_number, :mobile, :mobile_lookup, :password, :now, :now)",
        vec![
            ("id", a.id.into()),
            ("role", a.role.as_str().into()),
            ("login", a.login_lookup.into()),
            ("name", a.name_enc.into()),
            ("id_number", a.id_enc.into()),
            ("mobile", a.mobile_enc.into()),
            ("mobile_lookup", a.mobile_lookup.into()),
            ("password", a.password.into()),
            ("now", a.now.into()),
        ],
    )
}

/// A business account's registry row, beside its account row. The credit code and company name are
/// public registry data; the legal representative's are sealed.
pub struct NewBusiness<'a> {
    pub account_id: &'a str,
    pub uscc: &'a str,
    pub company_name: &'a str,
    pub legal_rep_name_enc: &'a str,
    pub legal_rep_id_enc: &'a str,
}

/// A credit code registered already (the unique `uscc`) fails it.
pub fn insert_business(b: &NewBusiness) -> Stmt {
    Stmt::named(
        "INSERT INTO businesses (account_id, uscc, company_name, legal_rep_name_enc, legal_rep_id_enc) VALUES (:account, :uscc, :company, :rep_name, :rep_id)",
        vec![
            ("account", b.account_id.into()),
            ("uscc", b.uscc.into()),
            ("company", b.company_name.into()),
            ("rep_name", b.legal_rep_name_enc.into()),
            ("rep_id", b.legal_rep_id_enc.into()),
        ],
    )
}

/// A password the person chose themselves, replacing theirs (or an admin's temporary one).
pub struct NewPassword<'a> {
    pub account_id: &'a str,
    /// The password record (`password::hash`).
    pub password: &'a str,
    /// Digest of the session that changes it: the one session that stays.
    pub keep_session: &'a str,
    pub now: i64,
}

/// The new password, then the end of every other session: one batch, so a stolen session cannot outlive
/// the change.
pub fn change_password(p: &NewPassword) -> [Stmt; 2] {
    [
        Stmt::named(
            "UPDATE accounts SET password = :password, password_changed_at = :now, must_change_password = 0 WHERE id = :account",
            vec![("account", p.account_id.into()), ("password", p.password.into()), ("now", p.now.into())],
        ),
        Stmt::named(
            "DELETE FROM sessions WHERE account_id = :account AND token_digest <> :keep",
            vec![("account", p.account_id.into()), ("keep", p.keep_session.into())],
        ),
    ]
}

/// The export's reads of this module, in one batch, answered in this order: the account (`ExportRow`),
/// its live sessions (`CountRow`), the businesses it is an agent of (`BusinessRef`), and who of the staff
/// looked at its data (`AccessRow`, oldest first).
pub fn export(account: &str, now: i64) -> [Stmt; 4] {
    let of = |sql: &str| Stmt::named(sql, vec![("account", account.into())]);
    [
        of("SELECT name_enc, id_enc, mobile_enc, created_at, password_changed_at FROM accounts WHERE id = :account"),
        Stmt::named(
            "SELECT count(*) AS n FROM sessions WHERE account_id = :account AND expires_at > :now",
            vec![("account", account.into()), ("now", now.into())],
        ),
        of("SELECT b.account_id AS id, b.uscc, b.company_name FROM business_agents ba JOIN businesses b ON b.account_id = ba.business_id WHERE ba.agent_id = :account"),
        of("SELECT l.at, st.login AS by, l.actor_center AS center_id, l.reason FROM audit_log l LEFT JOIN staff st ON st.account_id = l.actor_id \
            WHERE l.subject_id = :account ORDER BY l.id"),
    ]
}

/// The account's uploads that no application points to: the ones erasing it removes, whose bytes then go
/// too. Decodes into `IdRow`.
pub fn loose_uploads(account: &str) -> Stmt {
    Stmt::named("SELECT id FROM uploads WHERE account_id = :account AND id NOT IN (SELECT upload_id FROM application_files)", vec![("account", account.into())])
}

/// What erasing an account needs beside its id.
pub struct Erasure<'a> {
    pub account_id: &'a str,
    /// Where the uploads' bytes are kept (`applications::OBJECT_PREFIX`): each loose upload's key is
    /// recorded for the cron to erase should the request not.
    pub object_prefix: &'a str,
    /// The anonymised account's name (已注销用户), sealed.
    pub sealed_name: &'a str,
    pub now: i64,
}

/// This module's part of `tongban_shared::privacy::PERSONAL_DATA`'s erasure, in batch order. The account
/// row is anonymised last, since the statements before it find the invitations and failures by its login
/// digest; its login becomes `deleted:<id>`, so the ID number can register again. The upload keys are
/// recorded before the uploads' rows go.
pub fn erase(e: &Erasure) -> [Stmt; 16] {
    let of = |sql: &str| Stmt::named(sql, vec![("account", e.account_id.into())]);
    [
        of("DELETE FROM agent_invitations WHERE agent_lookup = (SELECT login_lookup FROM accounts WHERE id = :account)"),
        of("DELETE FROM login_failures WHERE login_lookup = (SELECT login_lookup FROM accounts WHERE id = :account)"),
        of("DELETE FROM sessions WHERE account_id = :account"),
        of("DELETE FROM business_agents WHERE agent_id = :account"),
        of("DELETE FROM profiles WHERE account_id = :account"),
        of("DELETE FROM drafts WHERE account_id = :account"),
        of("DELETE FROM push_deliveries WHERE subscription_id IN (SELECT id FROM push_subscriptions WHERE account_id = :account)"),
        of("DELETE FROM push_subscriptions WHERE account_id = :account"),
        of("DELETE FROM notify_prefs WHERE account_id = :account"),
        of("DELETE FROM push_deliveries WHERE notification_id IN (SELECT id FROM notifications WHERE account_id = :account)"),
        of("DELETE FROM notifications WHERE account_id = :account"),
        of("DELETE FROM ban_lifts WHERE account_id = :account"),
        of("UPDATE reviews SET account_id = NULL WHERE account_id = :account"),
        Stmt::named(
            "INSERT OR IGNORE INTO erasures (object_key, since) SELECT :prefix || id, :now FROM uploads \
             WHERE account_id = :account AND id NOT IN (SELECT upload_id FROM application_files)",
            vec![("account", e.account_id.into()), ("prefix", e.object_prefix.into()), ("now", e.now.into())],
        ),
        of("DELETE FROM uploads WHERE account_id = :account AND id NOT IN (SELECT upload_id FROM application_files)"),
        Stmt::named(
            "UPDATE accounts SET login_lookup = 'deleted:' || id, name_enc = :name, id_enc = NULL, mobile_enc = NULL, mobile_lookup = NULL, password = '!' \
             WHERE id = :account",
            vec![("account", e.account_id.into()), ("name", e.sealed_name.into())],
        ),
    ]
}

#[cfg(all(test, not(target_arch = "wasm32")))]
mod tests {
    /// The account store on SQLite: a business's registry row lands column by column and a taken credit
    /// code fails it; a new password lands with its time and clears the temporary flag, and ends every
    /// session of the account but the one that changed it (others' sessions stay); the export's four reads
    /// answer their row types (live sessions only, the agent links, the staff who looked, oldest first);
    /// only uploads no application points to are loose; erasing removes the account's rows from every
    /// table and no one else's, records each loose upload's object key, and anonymises the account last.
    #[test]
    fn the_account_store_runs_on_sqlite_and_answers_its_row_types() {
        use super::*;
        use crate::sql::host::{decode, migrated};
        use tongban_shared::account::BusinessRef;
        let conn = migrated();
        conn.execute_batch("PRAGMA foreign_keys = OFF;").unwrap();
        let one = |sql: &str| conn.query_row(sql, [], |r| r.get::<_, String>(0)).unwrap_or_else(|e| panic!("{e}: {sql}"));
        let account = |id: &'static str, role: Role, login: &'static str| NewAccount {
            id,
            role,
            login_lookup: login,
            name_enc: "N",
            id_enc: Some("I"),
            mobile_enc: "M",
            mobile_lookup: "ML",
            password: "P",
            now: 10,
        };
        for a in [account("acc", Role::Resident, "L"), account("other", Role::Resident, "LO"), account("biz", Role::Business, "LB")] {
            assert_eq!(insert_account(&a).execute(&conn).unwrap(), 1);
        }
        let business = NewBusiness { account_id: "biz", uscc: "91110000X", company_name: "公司", legal_rep_name_enc: "RN", legal_rep_id_enc: "RI" };
        assert_eq!(insert_business(&business).execute(&conn).unwrap(), 1);
        assert_eq!(one("SELECT account_id || uscc || company_name || legal_rep_name_enc || legal_rep_id_enc FROM businesses"), "biz91110000X公司RNRI");
        assert!(insert_business(&NewBusiness { account_id: "biz2", ..business }).execute(&conn).is_err(), "a registered credit code fails it");

        conn.execute_batch(
            "UPDATE accounts SET must_change_password = 1 WHERE id = 'acc';
             INSERT INTO sessions (token_digest, account_id, created_at, expires_at, idle_secs) VALUES
               ('keep', 'acc', 10, 1000, 0), ('stolen', 'acc', 10, 1000, 0), ('old', 'acc', 10, 50, 0), ('theirs', 'other', 10, 1000, 0);",
        )
        .unwrap();
        let change = |account_id: &str| store_changes(&conn, &change_password(&NewPassword { account_id, password: "P2", keep_session: "keep", now: 70 }));
        assert_eq!(change("acc"), [1, 2]);
        assert_eq!(one("SELECT password || password_changed_at || must_change_password || created_at FROM accounts WHERE id = 'acc'"), "P270010");
        assert_eq!(one("SELECT group_concat(token_digest, ',') FROM (SELECT token_digest FROM sessions ORDER BY token_digest)"), "keep,theirs");
        assert_eq!(change("nobody"), [0, 0]);
        assert_eq!(one("SELECT password FROM accounts WHERE id = 'other'"), "P", "another account's password stays");

        conn.execute_batch(
            "INSERT INTO sessions (token_digest, account_id, created_at, expires_at, idle_secs) VALUES ('dead', 'acc', 10, 100, 0);
             INSERT INTO business_agents (business_id, agent_id, added_at) VALUES ('biz', 'acc', 20), ('biz', 'other', 21);
             INSERT INTO staff (account_id, login, center_id, created_by, created_at) VALUES ('clerk', 'wang', 'ctr', 'admin', 1);
             INSERT INTO audit_log (at, actor_id, actor_center, action, subject_id, reason) VALUES
               (30, 'clerk', 'ctr', 'view', 'acc', 'counter'), (31, 'gone', NULL, 'view', 'acc', 'case'), (32, 'clerk', 'ctr', 'view', 'other', 'x');",
        )
        .unwrap();
        let [account_row, sessions, agent_of, accessed] = export("acc", 100);
        let a: Vec<ExportRow> = decode(&conn, &account_row);
        assert_eq!(
            (a[0].name_enc.as_str(), a[0].id_enc.as_deref(), a[0].mobile_enc.as_deref(), a[0].created_at, a[0].password_changed_at),
            ("N", Some("I"), Some("M"), 10, 70)
        );
        assert_eq!(decode::<CountRow>(&conn, &sessions)[0].n, 1, "the live session, not the ones ended at or before now");
        let b: Vec<BusinessRef> = decode(&conn, &agent_of);
        assert_eq!(b.iter().map(|b| (b.id.as_str(), b.uscc.as_str(), b.company_name.as_str())).collect::<Vec<_>>(), [("biz", "91110000X", "公司")]);
        let l: Vec<AccessRow> = decode(&conn, &accessed);
        assert_eq!(
            l.iter().map(|l| (l.at, l.by.as_deref(), l.center_id.as_deref(), l.reason.as_str())).collect::<Vec<_>>(),
            [(30, Some("wang"), Some("ctr"), "counter"), (31, None, None, "case")]
        );
        let [nobody, none_live, ..] = export("nobody", 100);
        assert!(decode::<ExportRow>(&conn, &nobody).is_empty());
        assert_eq!(decode::<CountRow>(&conn, &none_live)[0].n, 0);

        // The account's rows in every table erasing touches, and another account's beside them.
        conn.execute_batch(
            "INSERT INTO agent_invitations (id, business_id, agent_lookup, id_masked, state, created_at) VALUES
               ('inv1', 'biz', 'L', 'm', 'pending', 1), ('inv2', 'biz', 'LO', 'm', 'pending', 1);
             INSERT INTO login_failures (login_lookup, client, at) VALUES ('L', 'c', 1), ('L', 'c', 2), ('LO', 'c', 3);
             INSERT INTO profiles (account_id, values_enc, updated_at) VALUES ('acc', 'v', 1), ('other', 'v', 1);
             INSERT INTO drafts (account_id, bundle_id, values_enc, updated_at) VALUES ('acc', 'b1', 'v', 1), ('acc', 'b2', 'v', 1), ('other', 'b1', 'v', 1);
             INSERT INTO push_subscriptions (id, account_id, endpoint, p256dh, auth, created_at) VALUES
               ('sub_a', 'acc', 'https://push.example/a', 'k', 'k', 1), ('sub_o', 'other', 'https://push.example/o', 'k', 'k', 1);
             INSERT INTO notify_prefs (account_id, prefs_json, lang) VALUES ('acc', '{}', 'zh'), ('other', '{}', 'en');
             INSERT INTO notifications (id, account_id, kind, ref_id, body_json, created_at) VALUES ('n_a', 'acc', 'k', NULL, '{}', 5), ('n_o', 'other', 'k', NULL, '{}', 5);
             INSERT INTO push_deliveries (notification_id, subscription_id, state, next_at, updated_at) VALUES ('n_o', 'sub_a', 'sent', 5, 5), ('n_a', 'sub_o', 'sent', 5, 5);
             INSERT INTO ban_lifts (account_id, lifted_at, lifted_by, reason) VALUES ('acc', 1, 'clerk', 'r'), ('other', 1, 'clerk', 'r');
             INSERT INTO reviews (id, event_kind, event_id, account_id, anonymous, level, channel, client, center_id, month, finished_at, created_at) VALUES
               ('r_a', 'ticket', 't1', 'acc', 0, 5, 'web', 'c', 'ctr', '2026-12', 1, 1), ('r_o', 'ticket', 't2', 'other', 0, 5, 'web', 'c', 'ctr', '2026-12', 1, 1);
             INSERT INTO uploads (id, account_id, name, media_type, size, created_at) VALUES
               ('u1', 'acc', 'a.pdf', 'application/pdf', 1, 1), ('u2', 'acc', 'b.pdf', 'application/pdf', 1, 1), ('u3', 'other', 'c.pdf', 'application/pdf', 1, 1);
             INSERT INTO application_files (application_id, upload_id, field) VALUES ('app', 'u2', 'f');",
        )
        .unwrap();
        assert_eq!(one("SELECT count(*) || '' FROM push_deliveries"), "4", "the trigger queued one delivery per notification");
        let loose: Vec<IdRow> = decode(&conn, &loose_uploads("acc"));
        assert_eq!(loose.iter().map(|r| r.id.as_str()).collect::<Vec<_>>(), ["u1"], "an application's upload is kept");

        let erasure = Erasure { account_id: "acc", object_prefix: "uploads/", sealed_name: "SEALED", now: 900 };
        // Invitations, failures, sessions, agent links, profile, drafts, deliveries to its devices, devices,
        // preferences, deliveries of its notifications, notifications, ban lifts, reviews, erasures, uploads,
        // the account.
        assert_eq!(store_changes(&conn, &erase(&erasure)), [1, 2, 2, 1, 1, 2, 2, 1, 1, 1, 1, 1, 1, 1, 1, 1]);
        assert_eq!(
            one("SELECT login_lookup || name_enc || coalesce(id_enc, '-') || coalesce(mobile_enc, '-') || coalesce(mobile_lookup, '-') || password || role FROM accounts WHERE id = 'acc'"),
            "deleted:accSEALED---!resident"
        );
        assert_eq!(one("SELECT group_concat(object_key || '@' || since, ',') FROM erasures"), "uploads/u1@900");
        let left = |table: &str, key: &str| one(&format!("SELECT coalesce(group_concat(k, ','), '') FROM (SELECT {key} AS k FROM {table} ORDER BY k)"));
        assert_eq!(left("agent_invitations", "id"), "inv2");
        assert_eq!(left("login_failures", "login_lookup"), "LO");
        assert_eq!(left("sessions", "token_digest"), "theirs");
        assert_eq!(left("business_agents", "agent_id"), "other");
        assert_eq!(left("profiles", "account_id"), "other");
        assert_eq!(left("drafts", "account_id"), "other");
        assert_eq!(left("push_subscriptions", "id"), "sub_o");
        assert_eq!(left("notify_prefs", "account_id"), "other");
        assert_eq!(left("push_deliveries", "notification_id || subscription_id"), "n_osub_o");
        assert_eq!(left("notifications", "id"), "n_o");
        assert_eq!(left("ban_lifts", "account_id"), "other");
        assert_eq!(left("reviews", "id || coalesce(account_id, '-')"), "r_a-,r_oother", "a review stays, without its author");
        assert_eq!(left("uploads", "id"), "u2,u3");
        assert_eq!(one("SELECT login_lookup || name_enc || password FROM accounts WHERE id = 'other'"), "LONP");
        assert_eq!(store_changes(&conn, &erase(&erasure)), [0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1], "nothing left but the row itself");
    }

    /// Runs statements in order, as a D1 batch does, with the rows each changed.
    fn store_changes(conn: &rusqlite::Connection, stmts: &[crate::sql::Stmt]) -> Vec<usize> {
        stmts.iter().map(|s| s.execute(conn).unwrap_or_else(|e| panic!("{e}: {}", s.sql))).collect()
    }
}
