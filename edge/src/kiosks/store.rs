//! The kiosk statements — a key's kiosk, a hall's kiosks, registering and revoking one — one builder
//! each, with named values (`sql::Stmt::named`), pure, so the host SQL stage runs every one on SQLite.

use crate::sql::Stmt;
use serde::Deserialize;
use tongban_shared::queue::MAX_KIOSKS_PER_CENTER;

/// Decodes a kiosk's select list (`KIOSK_SELECT`); never its key's digest.
#[derive(Deserialize)]
pub struct KioskRow {
    pub id: String,
    pub center_id: String,
    pub label: String,
    pub created_at: i64,
    pub revoked_at: Option<i64>,
}

/// Decodes into `KioskRow`.
const KIOSK_SELECT: &str = "SELECT id, center_id, label, created_at, revoked_at FROM kiosks";

/// The unrevoked kiosk whose key has this digest.
pub fn by_key(key_digest: &str) -> Stmt {
    Stmt::named(&format!("{KIOSK_SELECT} WHERE key_digest = :digest AND revoked_at IS NULL"), vec![("digest", key_digest.into())])
}

/// The center's kiosks, revoked ones last, each group oldest first.
pub fn of_center(center: &str) -> Stmt {
    Stmt::named(&format!("{KIOSK_SELECT} WHERE center_id = :center ORDER BY revoked_at IS NOT NULL, created_at"), vec![("center", center.into())])
}

/// A row (column `n`) if the center exists.
pub fn center_exists(center: &str) -> Stmt {
    Stmt::named("SELECT 1 AS n FROM centers WHERE id = :center", vec![("center", center.into())])
}

/// A kiosk as a center admin registers it.
pub struct NewKioskRow<'a> {
    pub id: &'a str,
    pub center_id: &'a str,
    pub label: &'a str,
    /// `crypto::token_digest` of its key: the key itself is shown once and never stored.
    pub key_digest: &'a str,
    pub created_by: &'a str,
    pub now: i64,
}

/// The kiosk, unless the center has `MAX_KIOSKS_PER_CENTER` unrevoked ones: the cap is counted in the
/// insert itself, so parallel registrations cannot pass it together.
pub fn register(k: &NewKioskRow) -> Stmt {
    Stmt::named(
        "INSERT INTO kiosks (id, center_id, label, key_digest, created_by, created_at) SELECT :id, :center, :label, :digest, :by, :now \
         WHERE (SELECT count(*) FROM kiosks WHERE center_id = :center AND revoked_at IS NULL) < :cap",
        vec![
            ("id", k.id.into()),
            ("center", k.center_id.into()),
            ("label", k.label.into()),
            ("digest", k.key_digest.into()),
            ("by", k.created_by.into()),
            ("now", k.now.into()),
            ("cap", i64::from(MAX_KIOSKS_PER_CENTER).into()),
        ],
    )
}

/// Revokes the center's kiosk, once: revoking it again (or another center's) changes nothing.
pub fn revoke(kiosk: &str, center: &str, now: i64) -> Stmt {
    Stmt::named(
        "UPDATE kiosks SET revoked_at = :now WHERE id = :id AND center_id = :center AND revoked_at IS NULL",
        vec![("id", kiosk.into()), ("center", center.into()), ("now", now.into())],
    )
}

#[cfg(all(test, not(target_arch = "wasm32")))]
mod tests {
    /// The kiosk store on SQLite: a registration's values land in their columns, and past the cap of
    /// unrevoked kiosks one changes nothing (a revoked one frees its place); a key finds its kiosk only
    /// while it is unrevoked; revoking works once and only in the kiosk's center; the hall's list reads as
    /// `KioskRow`, revoked last.
    #[test]
    fn the_kiosk_store_runs_on_sqlite_and_answers_its_row_types() {
        use super::*;
        use crate::sql::host::{decode, migrated};
        let conn = migrated();
        conn.execute_batch(
            "PRAGMA foreign_keys = OFF;
             INSERT INTO centers (id, kind, name_zh, name_en, area_zh, area_en, address_zh, address_en, phone, hours_json)
               VALUES ('ctr', 'district', '中心', 'Center', '区', 'Area', '路', 'Road', '1', '[]');",
        )
        .unwrap_or_else(|e| panic!("fixture: {e}"));
        let one = |sql: &str| conn.query_row(sql, [], |r| r.get::<_, String>(0)).unwrap_or_else(|e| panic!("{e}: {sql}"));
        assert_eq!(center_exists("ctr").query_rows(&conn, &["n"]).unwrap(), [vec![rusqlite::types::Value::Integer(1)]]);
        assert!(center_exists("nowhere").query_rows(&conn, &["n"]).unwrap().is_empty());

        let new = |id: &str, digest: &str, now: i64| {
            register(&NewKioskRow { id, center_id: "ctr", label: "门口一号机", key_digest: digest, created_by: "admin", now }).execute(&conn).unwrap()
        };
        assert_eq!(new("k0", "d0", 10), 1);
        assert_eq!(
            one("SELECT id || center_id || label || key_digest || created_by || created_at || coalesce(revoked_at, '-') FROM kiosks"),
            "k0ctr门口一号机d0admin10-"
        );
        let cap = i64::from(MAX_KIOSKS_PER_CENTER);
        for i in 1..cap {
            assert_eq!(new(&format!("k{i}"), &format!("d{i}"), 10 + i), 1);
        }
        assert_eq!(new("kx", "dx", 100), 0, "over the cap");

        let found: Vec<KioskRow> = decode(&conn, &by_key("d1"));
        assert_eq!(
            (found[0].id.as_str(), found[0].center_id.as_str(), found[0].label.as_str(), found[0].created_at, found[0].revoked_at),
            ("k1", "ctr", "门口一号机", 11, None)
        );
        assert!(decode::<KioskRow>(&conn, &by_key("unknown")).is_empty());

        assert_eq!(revoke("k0", "other", 200).execute(&conn).unwrap(), 0, "another center's kiosk");
        assert_eq!(revoke("k0", "ctr", 200).execute(&conn).unwrap(), 1);
        assert_eq!(revoke("k0", "ctr", 201).execute(&conn).unwrap(), 0, "revoked already");
        assert_eq!(one("SELECT 'revoked at ' || revoked_at FROM kiosks WHERE id = 'k0'"), "revoked at 200");
        assert!(decode::<KioskRow>(&conn, &by_key("d0")).is_empty(), "a revoked key finds nothing");
        assert_eq!(new("kx", "dx", 300), 1, "a revoked kiosk frees its place");

        let listed: Vec<KioskRow> = decode(&conn, &of_center("ctr"));
        assert_eq!(listed.len() as i64, cap + 1);
        assert_eq!((listed[0].id.as_str(), listed[cap as usize - 1].id.as_str()), ("k1", "kx"), "unrevoked, oldest first");
        assert_eq!((listed[cap as usize].id.as_str(), listed[cap as usize].revoked_at), ("k0", Some(200)), "revoked last");
        assert!(decode::<KioskRow>(&conn, &of_center("other")).is_empty());
    }
}
