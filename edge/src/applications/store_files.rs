//! The statements of an application's materials — uploads and their quota, who may open one — and of
//! e-licences — the holder's library, the references a form may make, issuing at the unified output,
//! sealing old rows — one builder each, with named values (`sql::Stmt::named`), pure, so the host tests run
//! every one on SQLite.

use crate::sql::Stmt;
use serde::Deserialize;
use tongban_shared::application::{UPLOADS_PER_ACCOUNT, UPLOAD_BYTES_PER_ACCOUNT};

/// An upload's facts (not its bytes), for the export.
#[derive(Deserialize)]
pub struct UploadRow {
    pub id: String,
    pub name: String,
    pub media_type: String,
    pub size: f64,
}

/// Whose an upload is, and how it is served.
#[derive(Deserialize)]
pub struct UploadOwnerRow {
    pub account_id: String,
    pub name: String,
    pub media_type: String,
}

/// An application that points to an upload: its center, and whether a department has a case in it.
#[derive(Deserialize)]
pub struct UploadAppRow {
    pub center_id: String,
    pub dept_case: f64,
}

/// An e-licence as stored: `number` and `fields_json` are sealed unless `sealed = 0` (a row from before
/// sealing).
#[derive(Deserialize)]
pub struct LicenceRow {
    pub id: String,
    pub licence: String,
    pub name_zh: String,
    pub name_en: String,
    pub number: String,
    pub issuer_zh: String,
    pub issuer_en: String,
    pub issued_on: String,
    pub fields_json: String,
    pub case_id: Option<String>,
    pub sealed: i64,
}

/// A licence from before sealing, in the clear.
#[derive(Deserialize)]
pub struct LegacyLicenceRow {
    pub id: String,
    pub number: String,
    pub fields_json: String,
}

const LICENCE_COLUMNS: &str = "id, licence, name_zh, name_en, number, issuer_zh, issuer_en, issued_on, fields_json, case_id, sealed";

/// The account's uploads, oldest first. Decodes into `UploadRow`.
pub fn uploads_of(account: &str) -> Stmt {
    Stmt::named("SELECT id, name, media_type, size FROM uploads WHERE account_id = :account ORDER BY created_at, id", vec![("account", account.into())])
}

/// An upload as it arrives.
pub struct NewUpload<'a> {
    pub id: &'a str,
    pub account_id: &'a str,
    pub name: &'a str,
    pub media_type: &'a str,
    pub size: i64,
    pub now: i64,
}

/// The upload's row, only while the account's loose uploads (those no application points to) stay within
/// `UPLOADS_PER_ACCOUNT` files and `UPLOAD_BYTES_PER_ACCOUNT` bytes with it. Counted inside the write, so
/// parallel uploads cannot pass the quota together: over it, nothing changes.
pub fn record_upload(u: &NewUpload) -> Stmt {
    Stmt::named(
        "INSERT INTO uploads (id, account_id, name, media_type, size, created_at) SELECT :id, :account, :name, :media_type, :size, :now \
         WHERE (SELECT count(*) FROM uploads WHERE account_id = :account AND id NOT IN (SELECT upload_id FROM application_files)) < :files \
         AND (SELECT coalesce(sum(size), 0) FROM uploads WHERE account_id = :account AND id NOT IN (SELECT upload_id FROM application_files)) + :size <= :bytes",
        vec![
            ("id", u.id.into()),
            ("account", u.account_id.into()),
            ("name", u.name.into()),
            ("media_type", u.media_type.into()),
            ("size", u.size.into()),
            ("now", u.now.into()),
            ("files", i64::from(UPLOADS_PER_ACCOUNT).into()),
            ("bytes", (UPLOAD_BYTES_PER_ACCOUNT as i64).into()),
        ],
    )
}

/// Decodes into `UploadOwnerRow`.
pub fn upload(id: &str) -> Stmt {
    Stmt::named("SELECT account_id, name, media_type FROM uploads WHERE id = :id", vec![("id", id.into())])
}

/// The applications pointing to the upload, each with whether `dept` has a case in it (never without a
/// department). Decodes into `UploadAppRow`.
pub fn applications_with(upload: &str, dept: Option<&str>) -> Stmt {
    Stmt::named(
        "SELECT a.center_id, (SELECT count(*) FROM cases c WHERE c.application_id = a.id AND c.dept_id = :dept) AS dept_case \
         FROM application_files f JOIN applications a ON a.id = f.application_id WHERE f.upload_id = :upload",
        vec![("upload", upload.into()), ("dept", dept.into())],
    )
}

/// Whether an answer's upload is the applicant's, or (`staff`, at the window) was scanned by the staff
/// member entering it (column `n`).
pub fn upload_count(id: &str, account: &str, staff: Option<&str>) -> Stmt {
    Stmt::named(
        "SELECT count(*) AS n FROM uploads WHERE id = :id AND account_id IN (:account, :staff)",
        vec![("id", id.into()), ("account", account.into()), ("staff", staff.unwrap_or(account).into())],
    )
}

/// Whether an answer's e-licence is the holder's own and of the field's type (column `n`).
pub fn licence_count(id: &str, holder: &str, licence: &str) -> Stmt {
    Stmt::named(
        "SELECT count(*) AS n FROM e_licences WHERE id = :id AND holder_id = :holder AND licence = :licence",
        vec![("id", id.into()), ("holder", holder.into()), ("licence", licence.into())],
    )
}

/// The holder's library, oldest first. Decodes into `LicenceRow`.
pub fn licences_of(holder: &str) -> Stmt {
    Stmt::named(&format!("SELECT {LICENCE_COLUMNS} FROM e_licences WHERE holder_id = :holder ORDER BY created_at, id"), vec![("holder", holder.into())])
}

/// One licence, only if it is the holder's: a department sees no one else's. Decodes into `LicenceRow`.
pub fn licence_of(id: &str, holder: &str) -> Stmt {
    Stmt::named(&format!("SELECT {LICENCE_COLUMNS} FROM e_licences WHERE id = :id AND holder_id = :holder"), vec![("id", id.into()), ("holder", holder.into())])
}

/// A licence an approved case issues into its holder's library, sealed.
pub struct NewLicence<'a> {
    pub id: &'a str,
    pub holder_id: &'a str,
    /// The licence's type (`business_licence`, …).
    pub licence: &'a str,
    pub name_zh: &'a str,
    pub name_en: &'a str,
    pub number_sealed: &'a str,
    pub issuer_zh: &'a str,
    pub issuer_en: &'a str,
    pub issued_on: &'a str,
    pub fields_sealed: &'a str,
    pub case_id: &'a str,
    pub now: i64,
}

/// The licence, only if the statement just before it changed something: the application's move to ready,
/// then each licence after the one before, so a unified output that lost its race issues nothing.
pub fn issue_licence_after(l: &NewLicence) -> Stmt {
    Stmt::named(
        "INSERT INTO e_licences (id, holder_id, licence, name_zh, name_en, number, issuer_zh, issuer_en, issued_on, fields_json, case_id, created_at, sealed) \
         SELECT :id, :holder, :licence, :name_zh, :name_en, :number, :issuer_zh, :issuer_en, :issued_on, :fields, :case, :now, 1 WHERE changes() > 0",
        vec![
            ("id", l.id.into()),
            ("holder", l.holder_id.into()),
            ("licence", l.licence.into()),
            ("name_zh", l.name_zh.into()),
            ("name_en", l.name_en.into()),
            ("number", l.number_sealed.into()),
            ("issuer_zh", l.issuer_zh.into()),
            ("issuer_en", l.issuer_en.into()),
            ("issued_on", l.issued_on.into()),
            ("fields", l.fields_sealed.into()),
            ("case", l.case_id.into()),
            ("now", l.now.into()),
        ],
    )
}

/// Up to 20 licences from before sealing, for one cron run's batch. Decodes into `LegacyLicenceRow`.
pub fn legacy_licences() -> Stmt {
    Stmt::new("SELECT id, number, fields_json FROM e_licences WHERE sealed = 0 LIMIT 20", vec![])
}

/// A licence's number and fields replaced by their sealed form, only if still unsealed: two runs at once
/// never seal a sealed value again.
pub fn seal_licence(id: &str, number_sealed: &str, fields_sealed: &str) -> Stmt {
    Stmt::named(
        "UPDATE e_licences SET number = :number, fields_json = :fields, sealed = 1 WHERE id = :id AND sealed = 0",
        vec![("id", id.into()), ("number", number_sealed.into()), ("fields", fields_sealed.into())],
    )
}

#[cfg(all(test, not(target_arch = "wasm32")))]
mod tests {
    use super::*;
    use crate::sql::host::{decode, migrated};

    fn one(conn: &rusqlite::Connection, sql: &str) -> String {
        conn.query_row(sql, [], |r| r.get::<_, String>(0)).unwrap_or_else(|e| panic!("{e}: {sql}"))
    }

    fn count(conn: &rusqlite::Connection, stmt: Stmt) -> rusqlite::types::Value {
        stmt.query_rows(conn, &["n"]).unwrap()[0][0].clone()
    }

    /// An upload's values land in their columns; the quota holds inside the write, by files and by bytes,
    /// over the account's loose uploads only (one an application points to no longer counts), so an upload
    /// past it changes nothing; who may see an upload reads as its rows.
    #[test]
    fn uploads_keep_within_the_quota() {
        let conn = migrated();
        conn.execute_batch(
            "PRAGMA foreign_keys = OFF;
             INSERT INTO applications (id, number, bundle_id, account_id, center_id, state, values_enc, forms_json, consent_json, idem_key, created_at, updated_at)
               VALUES ('app', 'TB1', 'bun', 'res', 'ctr', 'accepted', 'V', '[]', '[]', 'k', 1, 1);
             INSERT INTO cases (id, application_id, number, item_id, dept_id, state, updated_at) VALUES ('c1', 'app', 'TB1-1', 'it1', 'dep1', 'handling', 1);",
        )
        .unwrap();
        let up = |id: &str, account: &str, size: i64, now: i64| {
            record_upload(&NewUpload { id, account_id: account, name: &format!("{id}.pdf"), media_type: "application/pdf", size, now }).execute(&conn).unwrap()
        };
        assert_eq!(up("u00", "res", 1234, 10), 1);
        assert_eq!(one(&conn, "SELECT id || account_id || name || media_type || size || created_at FROM uploads"), "u00resu00.pdfapplication/pdf123410");
        let cap = i64::from(UPLOADS_PER_ACCOUNT);
        for i in 1..cap {
            assert_eq!(up(&format!("u{i:02}"), "res", 1, 10 + i), 1);
        }
        assert_eq!(up("over", "res", 1, 100), 0, "one file over the quota");
        conn.execute("INSERT INTO application_files (application_id, upload_id, field) VALUES ('app', 'u00', 'file')", []).unwrap();
        assert_eq!(up("next", "res", 1, 101), 1, "a file an application points to no longer counts");
        let max = 5_242_880;
        for i in 0..UPLOAD_BYTES_PER_ACCOUNT as i64 / max {
            assert_eq!(up(&format!("b{i:02}"), "biz", max, 200 + i), 1, "up to the byte quota exactly");
        }
        assert_eq!(up("byte", "biz", 1, 300), 0, "one byte over it");
        assert_eq!(one(&conn, "SELECT count(*) || '/' || sum(size) FROM uploads WHERE account_id = 'biz'"), format!("20/{UPLOAD_BYTES_PER_ACCOUNT}"));

        let mine: Vec<UploadRow> = decode(&conn, &uploads_of("res"));
        assert_eq!(mine.len() as i64, cap + 1);
        assert_eq!((mine[0].id.as_str(), mine[0].name.as_str(), mine[0].media_type.as_str(), mine[0].size), ("u00", "u00.pdf", "application/pdf", 1234.0));
        assert_eq!(mine.last().map(|u| u.id.as_str()), Some("next"), "oldest first");
        let u: Vec<UploadOwnerRow> = decode(&conn, &upload("u00"));
        assert_eq!((u[0].account_id.as_str(), u[0].name.as_str(), u[0].media_type.as_str()), ("res", "u00.pdf", "application/pdf"));
        assert!(decode::<UploadOwnerRow>(&conn, &upload("nope")).is_empty());
        let apps = |dept: Option<&str>| {
            decode::<UploadAppRow>(&conn, &applications_with("u00", dept)).into_iter().map(|a| (a.center_id, a.dept_case)).collect::<Vec<_>>()
        };
        assert_eq!(apps(Some("dep1")), [("ctr".to_string(), 1.0)]);
        assert_eq!(apps(Some("dep2")), [("ctr".to_string(), 0.0)], "no case of that department");
        assert_eq!(apps(None), [("ctr".to_string(), 0.0)], "never without a department");
        assert!(decode::<UploadAppRow>(&conn, &applications_with("u01", Some("dep1"))).is_empty(), "no application points to it");

        let n = |v: i64| rusqlite::types::Value::Integer(v);
        assert_eq!(count(&conn, upload_count("u01", "res", None)), n(1));
        assert_eq!(count(&conn, upload_count("u01", "other", None)), n(0), "someone else's");
        assert_eq!(count(&conn, upload_count("u01", "other", Some("res"))), n(1), "scanned by the staff member entering it");
    }

    /// The holder's licences read in their order and only as theirs; a licence is issued only after a
    /// change and sealed, each value in its column; legacy rows are read 20 a run and sealed once.
    #[test]
    fn licences_are_the_holders_issued_after_a_change_and_sealed_once() {
        let conn = migrated();
        conn.execute_batch("PRAGMA foreign_keys = OFF; CREATE TEMP TABLE flag (v INTEGER); INSERT INTO flag VALUES (0);").unwrap();
        let l = NewLicence {
            id: "l1",
            holder_id: "res",
            licence: "business_licence",
            name_zh: "营业执照",
            name_en: "Business licence",
            number_sealed: "SN",
            issuer_zh: "市监局",
            issuer_en: "Market regulation",
            issued_on: "2026-12-01",
            fields_sealed: "SF",
            case_id: "c1",
            now: 50,
        };
        conn.execute("UPDATE flag SET v = 1 WHERE v = 9", []).unwrap();
        assert_eq!(issue_licence_after(&l).execute(&conn).unwrap(), 0, "the unified output lost its race");
        conn.execute("UPDATE flag SET v = 1 WHERE v = 0", []).unwrap();
        assert_eq!(issue_licence_after(&l).execute(&conn).unwrap(), 1);
        assert_eq!(issue_licence_after(&NewLicence { id: "l2", licence: "food_licence", now: 40, ..l }).execute(&conn).unwrap(), 1, "after the one before");
        assert_eq!(
            one(&conn, "SELECT id || holder_id || licence || name_zh || name_en || number || issuer_zh || issuer_en || issued_on || fields_json || case_id || created_at || sealed FROM e_licences WHERE id = 'l1'"),
            "l1resbusiness_licence营业执照Business licenceSN市监局Market regulation2026-12-01SFc1501"
        );
        let n = |v: i64| rusqlite::types::Value::Integer(v);
        assert_eq!(count(&conn, licence_count("l1", "res", "business_licence")), n(1));
        assert_eq!(count(&conn, licence_count("l1", "res", "food_licence")), n(0), "not of the field's type");
        assert_eq!(count(&conn, licence_count("l1", "other", "business_licence")), n(0), "not the holder's");
        let ids = |s: Stmt| decode::<LicenceRow>(&conn, &s).into_iter().map(|r| r.id).collect::<Vec<_>>();
        assert_eq!(ids(licences_of("res")), ["l2", "l1"], "oldest first");
        assert!(ids(licences_of("other")).is_empty());
        assert!(ids(licence_of("l1", "other")).is_empty(), "no one else's");
        let r: Vec<LicenceRow> = decode(&conn, &licence_of("l1", "res"));
        let r = &r[0];
        assert_eq!(
            [&r.id, &r.licence, &r.name_zh, &r.name_en, &r.number, &r.issuer_zh, &r.issuer_en, &r.issued_on, &r.fields_json].map(|s| s.as_str()),
            ["l1", "business_licence", "营业执照", "Business licence", "SN", "市监局", "Market regulation", "2026-12-01", "SF"]
        );
        assert_eq!((r.case_id.as_deref(), r.sealed), (Some("c1"), 1));

        for i in 0..21 {
            conn.execute(
                "INSERT INTO e_licences (id, holder_id, licence, name_zh, name_en, number, issuer_zh, issuer_en, issued_on, fields_json, created_at) \
                 VALUES (?1, 'res', 'id_card', '身份证', 'ID card', 'N' || ?1, '公安', 'Police', '2020-01-01', '{}', 1)",
                [format!("old{i:02}")],
            )
            .unwrap();
        }
        let legacy: Vec<LegacyLicenceRow> = decode(&conn, &legacy_licences());
        assert_eq!(legacy.len(), 20, "a run's batch");
        let old = legacy.iter().find(|l| l.id == "old00").unwrap();
        assert_eq!((old.number.as_str(), old.fields_json.as_str()), ("Nold00", "{}"));
        assert!(!legacy.iter().any(|l| l.id.starts_with('l')), "sealed ones are not read");
        assert_eq!(seal_licence("old00", "SN0", "SF0").execute(&conn).unwrap(), 1);
        assert_eq!(one(&conn, "SELECT number || fields_json || sealed FROM e_licences WHERE id = 'old00'"), "SN0SF01");
        assert_eq!(seal_licence("old00", "SN1", "SF1").execute(&conn).unwrap(), 0, "sealed once");
        assert_eq!(one(&conn, "SELECT number FROM e_licences WHERE id = 'old00'"), "SN0");
        assert_eq!(decode::<LegacyLicenceRow>(&conn, &legacy_licences()).len(), 20);
        assert_eq!(seal_licence("l1", "X", "Y").execute(&conn).unwrap(), 0, "a licence issued sealed");
    }
}
