//! `/api/v1/accounts…` and `/api/v1/me`: registration and the signed-in user's own record, with personal
//! data sealed at rest and masked on the way out.

use crate::sql::Stmt;
use tongban_shared::account::Role;

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

#[cfg(target_arch = "wasm32")]
pub use wasm::*;

#[cfg(target_arch = "wasm32")]
mod wasm {
    use crate::crypto::{hex, random, Keyring};
    use crate::error::js_err;
    use crate::error::ApiError;
    use crate::http::{Answer, Body, Ctx};
    use crate::routes::ep;
    use crate::sessions::{self, hash_password};
    use serde::Deserialize;
    use tongban_shared::account::{AccessRecord, BusinessRef, Role};
    use tongban_shared::ErrorCode;
    use tongban_shared::{password, FieldError};
    use wasm_bindgen::JsValue;
    use worker::D1PreparedStatement;

    #[derive(Deserialize)]
    struct IdRow {
        id: String,
    }

    pub async fn register_resident(ctx: &Ctx, body: Body<ep::RegisterResident>) -> Answer<ep::RegisterResident> {
        let req = body.read(ctx)?;
        let v = req.validate().map_err(|errs| ApiError::from(errs[0].clone()))?;
        let keys = ctx.keyring()?;
        let password = hash_password(ctx, &req.password).await?;
        let id = hex(&random::<16>().map_err(js_err)?);
        let nonce = || random::<12>().map_err(js_err);
        let db = ctx.db()?;
        let insert = super::insert_account(&super::NewAccount {
            id: &id,
            role: Role::Resident,
            login_lookup: &keys.lookup_digest(&v.id_number),
            name_enc: &keys.seal(&v.name, nonce()?),
            id_enc: Some(&keys.seal(&v.id_number, nonce()?)),
            mobile_enc: &keys.seal(&v.mobile, nonce()?),
            mobile_lookup: &keys.lookup_digest(&v.mobile),
            password: &password,
            now: ctx.now,
        })
        .prepare(&db)?;
        create_and_sign_in(ctx, &keys, &id, Role::Resident, vec![insert]).await
    }

    /// Stores a new account's rows and its first session in one transaction — they exist together or not
    /// at all — and answers 201 with the masked record and the session cookie. A taken login (the unique
    /// lookup digest) is `account_exists`.
    async fn create_and_sign_in(
        ctx: &Ctx,
        keys: &Keyring,
        id: &str,
        role: Role,
        mut rows: Vec<D1PreparedStatement>,
    ) -> Result<crate::http::Reply<tongban_shared::account::Me>, ApiError> {
        let (session, set_cookie) = sessions::start(ctx, id, role, false)?;
        rows.extend(session);
        if let Err(e) = ctx.db()?.batch(rows).await {
            return Err(if e.to_string().contains("UNIQUE constraint failed") { ErrorCode::AccountExists.into() } else { e.into() });
        }
        let me = crate::me::me_of(ctx, keys, id).await?;
        let mut resp = ctx.reply(&me)?.with_status(201);
        resp.headers_mut().set("Set-Cookie", &set_cookie)?;
        Ok(resp)
    }

    pub async fn register_business(ctx: &Ctx, body: Body<ep::RegisterBusiness>) -> Answer<ep::RegisterBusiness> {
        let req = body.read(ctx)?;
        let v = req.validate().map_err(|errs| ApiError::from(errs[0].clone()))?;
        let keys = ctx.keyring()?;
        let password = hash_password(ctx, &req.password).await?;
        let id = hex(&random::<16>().map_err(js_err)?);
        let nonce = || random::<12>().map_err(js_err);
        let db = ctx.db()?;
        let rows = vec![
            super::insert_account(&super::NewAccount {
                id: &id,
                role: Role::Business,
                login_lookup: &keys.lookup_digest(&v.uscc),
                name_enc: &keys.seal(&v.company_name, nonce()?),
                id_enc: None,
                mobile_enc: &keys.seal(&v.mobile, nonce()?),
                mobile_lookup: &keys.lookup_digest(&v.mobile),
                password: &password,
                now: ctx.now,
            })
            .prepare(&db)?,
            db.prepare("INSERT INTO businesses (account_id, uscc, company_name, legal_rep_name_enc, legal_rep_id_enc) VALUES (?1, ?2, ?3, ?4, ?5)").bind(&[
                JsValue::from_str(&id),
                JsValue::from_str(&v.uscc),
                JsValue::from_str(&v.company_name),
                JsValue::from_str(&keys.seal(&v.legal_rep_name, nonce()?)),
                JsValue::from_str(&keys.seal(&v.legal_rep_id_number, nonce()?)),
            ])?,
        ];
        create_and_sign_in(ctx, &keys, &id, Role::Business, rows).await
    }

    pub async fn change_password(ctx: &Ctx, body: Body<ep::ChangePassword>) -> Answer<ep::ChangePassword> {
        let p = ctx.principal()?;
        let req = body.read(ctx)?;
        sessions::confirm_password(ctx, &p.account_id, &req.current_password).await?;
        password::check(&req.new_password).map_err(|c| FieldError::new(c, "new_password"))?;
        let record = hash_password(ctx, &req.new_password).await?;
        let db = ctx.db()?;
        let id = JsValue::from_str(&p.account_id);
        // One transaction: the new password and the end of every other session.
        db.batch(vec![
            db.prepare("UPDATE accounts SET password = ?2, password_changed_at = ?3, must_change_password = 0 WHERE id = ?1").bind(&[
                id.clone(),
                JsValue::from_str(&record),
                JsValue::from_f64(ctx.now as f64),
            ])?,
            db.prepare("DELETE FROM sessions WHERE account_id = ?1 AND token_digest <> ?2")
                .bind(&[id, JsValue::from_str(&sessions::own_token_digest(ctx)?)])?,
        ])
        .await?;
        crate::http::Reply::no_content()
    }

    #[derive(Deserialize)]
    struct ExportRow {
        name_enc: String,
        id_enc: Option<String>,
        mobile_enc: Option<String>,
        created_at: i64,
        password_changed_at: i64,
    }

    #[derive(Deserialize)]
    struct AccessRow {
        at: i64,
        by: Option<String>,
        center_id: Option<String>,
        reason: String,
    }

    #[derive(Deserialize)]
    struct Count {
        n: i64,
    }

    pub async fn export(ctx: &Ctx) -> Answer<ep::ExportMyData> {
        let p = ctx.principal()?;
        let keys = ctx.keyring()?;
        let db = ctx.db()?;
        let id = JsValue::from_str(&p.account_id);
        let r = db
            .batch(vec![
                db.prepare("SELECT name_enc, id_enc, mobile_enc, created_at, password_changed_at FROM accounts WHERE id = ?1").bind(std::slice::from_ref(&id))?,
                db.prepare("SELECT count(*) AS n FROM sessions WHERE account_id = ?1 AND expires_at > ?2")
                    .bind(&[id.clone(), JsValue::from_f64(ctx.now as f64)])?,
                db.prepare("SELECT b.account_id AS id, b.uscc, b.company_name FROM business_agents ba JOIN businesses b ON b.account_id = ba.business_id WHERE ba.agent_id = ?1")
                    .bind(std::slice::from_ref(&id))?,
                db.prepare("SELECT l.at, st.login AS by, l.actor_center AS center_id, l.reason FROM audit_log l LEFT JOIN staff st ON st.account_id = l.actor_id WHERE l.subject_id = ?1 ORDER BY l.id")
                    .bind(&[id])?,
            ])
            .await?;
        let a = r[0].results::<ExportRow>()?.into_iter().next().ok_or(ApiError::from(ErrorCode::Unauthenticated))?;
        let open = |v: &Option<String>| v.as_deref().and_then(|s| keys.open(s)).unwrap_or_default();
        // One field per category of `tongban_shared::privacy::PERSONAL_DATA`, each read the way its own
        // page reads it: some 20 D1 queries, inside a request's 50 subrequests.
        let (push_devices, notify_prefs) = crate::push::personal_data(&db, &p.account_id).await?;
        let data = tongban_shared::privacy::MyData {
            exported_at: ctx.now,
            account_id: p.account_id.clone(),
            name: keys.open(&a.name_enc).unwrap_or_default(),
            id_number: open(&a.id_enc),
            mobile: open(&a.mobile_enc),
            registered_at: a.created_at,
            password_changed_at: a.password_changed_at,
            active_sessions: r[1].results::<Count>()?.first().map_or(0, |c| c.n.max(0) as u32),
            agent_of: r[2].results::<BusinessRef>()?,
            accessed_by: r[3]
                .results::<AccessRow>()?
                .into_iter()
                .map(|x| AccessRecord { at: x.at, by: x.by.unwrap_or_default(), center_id: x.center_id, reason: x.reason })
                .collect(),
            agent_invitations: crate::agents::invitations_value(ctx).await?,
            saved_profile: crate::applications::saved_profile_value(ctx).await?,
            drafts: crate::applications::drafts_value(ctx).await?,
            uploads: crate::applications::uploads_value(ctx).await?,
            applications: crate::applications::mine_value(ctx).await?,
            e_licences: crate::applications::licences_value(ctx).await?,
            bookings: crate::bookings::mine_value(ctx).await?,
            waitlist: crate::bookings::waitlist_value(ctx).await?,
            push_devices,
            notify_prefs,
            inbox: crate::notifications::inbox_value(ctx).await?.items,
            reviews: crate::reviewer::mine_value(ctx).await?.reviews,
        };
        let mut resp = ctx.reply(&data)?;
        resp.headers_mut().set("Content-Disposition", "attachment; filename=\"tongban-my-data.json\"")?;
        Ok(resp)
    }

    pub async fn delete(ctx: &Ctx, body: Body<ep::DeleteMyAccount>) -> Answer<ep::DeleteMyAccount> {
        let p = ctx.principal()?;
        let req = body.read(ctx)?;
        sessions::confirm_password(ctx, &p.account_id, &req.password).await?;
        let keys = ctx.keyring()?;
        let db = ctx.db()?;
        let id = JsValue::from_str(&p.account_id);
        // What `tongban_shared::privacy::PERSONAL_DATA` says, in one transaction: nothing is half deleted.
        // The account row stays, anonymised, because what the law keeps (applications, the audit log)
        // must go on pointing at something; the ID number can register again.
        let uploads: Vec<String> = db
            .prepare("SELECT id FROM uploads WHERE account_id = ?1 AND id NOT IN (SELECT upload_id FROM application_files)")
            .bind(std::slice::from_ref(&id))?
            .all()
            .await?
            .results::<IdRow>()?
            .into_iter()
            .map(|r| r.id)
            .collect();
        let one = |sql: &str| -> Result<D1PreparedStatement, ApiError> { Ok(db.prepare(sql).bind(std::slice::from_ref(&id))?) };
        let mut batch = crate::bookings::end_for_deleted_account(&db, &p.account_id, ctx.now).await?;
        batch.extend([
            one("DELETE FROM agent_invitations WHERE agent_lookup = (SELECT login_lookup FROM accounts WHERE id = ?1)")?,
            one("DELETE FROM login_failures WHERE login_lookup = (SELECT login_lookup FROM accounts WHERE id = ?1)")?,
            one("DELETE FROM sessions WHERE account_id = ?1")?,
            one("DELETE FROM business_agents WHERE agent_id = ?1")?,
            one("DELETE FROM profiles WHERE account_id = ?1")?,
            one("DELETE FROM drafts WHERE account_id = ?1")?,
            one("DELETE FROM push_deliveries WHERE subscription_id IN (SELECT id FROM push_subscriptions WHERE account_id = ?1)")?,
            one("DELETE FROM push_subscriptions WHERE account_id = ?1")?,
            one("DELETE FROM notify_prefs WHERE account_id = ?1")?,
            one("DELETE FROM push_deliveries WHERE notification_id IN (SELECT id FROM notifications WHERE account_id = ?1)")?,
            one("DELETE FROM notifications WHERE account_id = ?1")?,
            one("DELETE FROM ban_lifts WHERE account_id = ?1")?,
            one("UPDATE reviews SET account_id = NULL WHERE account_id = ?1")?,
            db.prepare("INSERT OR IGNORE INTO erasures (object_key, since) SELECT ?2 || id, ?3 FROM uploads WHERE account_id = ?1 AND id NOT IN (SELECT upload_id FROM application_files)")
                .bind(&[id.clone(), JsValue::from_str(crate::applications::OBJECT_PREFIX), JsValue::from_f64(ctx.now as f64)])?,
            one("DELETE FROM uploads WHERE account_id = ?1 AND id NOT IN (SELECT upload_id FROM application_files)")?,
            db.prepare("UPDATE accounts SET login_lookup = 'deleted:' || id, name_enc = ?2, id_enc = NULL, mobile_enc = NULL, mobile_lookup = NULL, password = '!' WHERE id = ?1")
                .bind(&[id, JsValue::from_str(&keys.seal("已注销用户", random::<12>().map_err(js_err)?))])?,
        ]);
        db.batch(batch).await?;
        // The bytes go once the rows are gone; what fails here the cron erases (`jobs::erase_objects`).
        crate::jobs::erase_objects(&ctx.env, &uploads.iter().map(|u| crate::applications::object_key(u)).collect::<Vec<_>>()).await;
        let mut resp = crate::http::Reply::no_content()?;
        resp.headers_mut().set("Set-Cookie", &crate::http::session_cookie("", Some(0)))?;
        Ok(resp)
    }
}
