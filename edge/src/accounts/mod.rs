//! `/api/v1/accounts…` and `/api/v1/me`: registration and the signed-in user's own record, with personal
//! data sealed at rest and masked on the way out. The statements are built in [`store`].

pub mod store;

#[cfg(target_arch = "wasm32")]
pub use wasm::*;

#[cfg(target_arch = "wasm32")]
mod wasm {
    use super::store::{self, AccessRow, CountRow, Erasure, ExportRow, IdRow, NewAccount, NewBusiness, NewPassword};
    use crate::crypto::{hex, random, Keyring};
    use crate::error::js_err;
    use crate::error::ApiError;
    use crate::http::{Answer, Body, Ctx};
    use crate::routes::ep;
    use crate::sessions::{self, hash_password};
    use tongban_shared::account::{AccessRecord, BusinessRef, Role};
    use tongban_shared::ErrorCode;
    use tongban_shared::{password, FieldError};
    use worker::D1PreparedStatement;

    pub async fn register_resident(ctx: &Ctx, body: Body<ep::RegisterResident>) -> Answer<ep::RegisterResident> {
        let req = body.read(ctx)?;
        let v = req.validate().map_err(|errs| ApiError::from(errs[0].clone()))?;
        let keys = ctx.keyring()?;
        let password = hash_password(ctx, &req.password).await?;
        let id = hex(&random::<16>().map_err(js_err)?);
        let nonce = || random::<12>().map_err(js_err);
        let db = ctx.db()?;
        let insert = store::insert_account(&NewAccount {
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
            store::insert_account(&NewAccount {
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
            store::insert_business(&NewBusiness {
                account_id: &id,
                uscc: &v.uscc,
                company_name: &v.company_name,
                legal_rep_name_enc: &keys.seal(&v.legal_rep_name, nonce()?),
                legal_rep_id_enc: &keys.seal(&v.legal_rep_id_number, nonce()?),
            })
            .prepare(&db)?,
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
        let keep = sessions::own_token_digest(ctx)?;
        // One transaction: the new password and the end of every other session.
        let [update, others] = store::change_password(&NewPassword { account_id: &p.account_id, password: &record, keep_session: &keep, now: ctx.now });
        db.batch(vec![update.prepare(&db)?, others.prepare(&db)?]).await?;
        crate::http::Reply::no_content()
    }

    pub async fn export(ctx: &Ctx) -> Answer<ep::ExportMyData> {
        let p = ctx.principal()?;
        let keys = ctx.keyring()?;
        let db = ctx.db()?;
        let reads = store::export(&p.account_id, ctx.now).iter().map(|s| s.prepare(&db)).collect::<Result<Vec<_>, _>>()?;
        let r = db.batch(reads).await?;
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
            active_sessions: r[1].results::<CountRow>()?.first().map_or(0, |c| c.n.max(0) as u32),
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
        // What `tongban_shared::privacy::PERSONAL_DATA` says, in one transaction: nothing is half deleted.
        // The account row stays, anonymised, because what the law keeps (applications, the audit log)
        // must go on pointing at something; the ID number can register again.
        let uploads: Vec<String> = store::loose_uploads(&p.account_id).prepare(&db)?.all().await?.results::<IdRow>()?.into_iter().map(|r| r.id).collect();
        let mut batch = crate::bookings::end_for_deleted_account(&db, &p.account_id, ctx.now).await?;
        let sealed_name = keys.seal("已注销用户", random::<12>().map_err(js_err)?);
        let erasure = Erasure { account_id: &p.account_id, object_prefix: crate::applications::OBJECT_PREFIX, sealed_name: &sealed_name, now: ctx.now };
        for s in store::erase(&erasure) {
            batch.push(s.prepare(&db)?);
        }
        db.batch(batch).await?;
        // The bytes go once the rows are gone; what fails here the cron erases (`jobs::erase_objects`).
        crate::jobs::erase_objects(&ctx.env, &uploads.iter().map(|u| crate::applications::object_key(u)).collect::<Vec<_>>()).await;
        let mut resp = crate::http::Reply::no_content()?;
        resp.headers_mut().set("Set-Cookie", &crate::http::session_cookie("", Some(0)))?;
        Ok(resp)
    }
}
