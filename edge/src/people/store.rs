//! The front desk's statements on a resident found by the digest of their ID number: the full record,
//! its id, and a ban lift. Each goes with its audit record (`audit::store::record_for_resident`) in one batch.

use crate::sql::Stmt;
use serde::Deserialize;

/// A resident's sealed record.
#[derive(Deserialize)]
pub struct PersonRow {
    pub id: String,
    pub name_enc: String,
    pub id_enc: Option<String>,
    pub mobile_enc: Option<String>,
}

#[derive(Deserialize)]
pub struct IdRow {
    pub id: String,
}

/// The resident whose ID-number digest is `lookup` (never another role's account).
pub fn resident(lookup: &str) -> Stmt {
    Stmt::named("SELECT id, name_enc, id_enc, mobile_enc FROM accounts WHERE login_lookup = :lookup AND role = 'resident'", vec![("lookup", lookup.into())])
}

pub fn resident_id(lookup: &str) -> Stmt {
    Stmt::named("SELECT id FROM accounts WHERE login_lookup = :lookup AND role = 'resident'", vec![("lookup", lookup.into())])
}

/// The resident's no-shows before now stop counting (the latest lift wins), by whom and why.
pub fn lift_ban(lookup: &str, by: &str, reason: &str, now: i64) -> Stmt {
    Stmt::named(
        "INSERT INTO ban_lifts (account_id, lifted_at, lifted_by, reason) SELECT id, :now, :by, :reason FROM accounts WHERE login_lookup = :lookup AND role = 'resident' \
         ON CONFLICT (account_id) DO UPDATE SET lifted_at = excluded.lifted_at, lifted_by = excluded.lifted_by, reason = excluded.reason",
        vec![("now", now.into()), ("by", by.into()), ("reason", reason.into()), ("lookup", lookup.into())],
    )
}

#[cfg(all(test, not(target_arch = "wasm32")))]
mod tests {
    use super::*;
    use crate::sql::host::{decode, migrated};

    /// Only a resident is found or lifted; a second lift replaces the first with its own time, staff and reason.
    #[test]
    fn residents_are_found_and_lifted_by_their_digest() {
        let conn = migrated();
        conn.execute_batch(
            "PRAGMA foreign_keys = OFF;
             INSERT INTO accounts (id, role, login_lookup, name_enc, id_enc, password, created_at, password_changed_at) VALUES
               ('res', 'resident', 'dig-r', 'N', 'I', 'p', 1, 1), ('clerk', 'window_staff', 'dig-s', 'S', NULL, 'p', 1, 1);",
        )
        .unwrap_or_else(|e| panic!("fixture: {e}"));
        let r: Vec<PersonRow> = decode(&conn, &resident("dig-r"));
        assert_eq!((r[0].id.as_str(), r[0].name_enc.as_str(), r[0].id_enc.as_deref(), r[0].mobile_enc.as_deref()), ("res", "N", Some("I"), None));
        assert!(decode::<PersonRow>(&conn, &resident("dig-s")).is_empty(), "staff are not residents");
        assert_eq!(decode::<IdRow>(&conn, &resident_id("dig-r"))[0].id, "res");
        assert_eq!(lift_ban("dig-s", "clerk", "x", 5).execute(&conn).unwrap(), 0);
        assert_eq!(lift_ban("dig-r", "clerk", "病假", 5).execute(&conn).unwrap(), 1);
        assert_eq!(lift_ban("dig-r", "admin", "复核", 9).execute(&conn).unwrap(), 1);
        let lift: String = conn.query_row("SELECT count(*) || account_id || lifted_at || lifted_by || reason FROM ban_lifts", [], |r| r.get(0)).unwrap();
        assert_eq!(lift, "1res9admin复核");
    }
}
