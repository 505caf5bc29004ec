//! `/api/v1/staff…`: staff posts created and managed by admins — never self-registered — with their AB
//! backups (岗位AB角). Who may manage which post is `tongban_shared::authz::can_manage_post`.

pub mod store;

#[cfg(target_arch = "wasm32")]
pub use wasm::*;

#[cfg(target_arch = "wasm32")]
mod wasm {
    use super::store::{self, PostRow};
    use crate::crypto::{hex, random, Keyring};
    use crate::error::js_err;
    use crate::error::ApiError;
    use crate::http::{Answer, Body, Ctx};
    use crate::routes::ep;
    use crate::sessions::hash_password;
    use tongban_shared::account::Role;
    use tongban_shared::authz::can_manage_post;
    use tongban_shared::staff::StaffPost;
    use tongban_shared::ErrorCode;
    use tongban_shared::FieldError;

    impl PostRow {
        fn post(self, keys: &Keyring) -> StaffPost {
            StaffPost {
                name: keys.open(&self.name_enc).unwrap_or_default(),
                role: self.role,
                id: self.id,
                login: self.login,
                center_id: self.center_id,
                dept_id: self.dept_id,
                backup_id: self.backup_id,
                backup_login: self.backup_login,
                away: self.away != 0,
                active: self.disabled == 0,
                duties: if self.role == Role::Approver { tongban_shared::application::parse_duties(self.duties.as_deref()) } else { Vec::new() },
            }
        }
    }

    async fn one(ctx: &Ctx, id: &str) -> Result<Option<PostRow>, ApiError> {
        Ok(store::post(id).prepare(&ctx.db()?)?.first(None).await?)
    }

    /// A backup must be another post with the same center and department.
    async fn check_backup(ctx: &Ctx, backup: Option<&str>, own_id: Option<&str>, center: &Option<String>, dept: &Option<String>) -> Result<(), ApiError> {
        let Some(b) = backup else { return Ok(()) };
        let bad = || ApiError::from(FieldError::new(ErrorCode::InvalidBackup, "backup_id"));
        if Some(b) == own_id {
            return Err(bad());
        }
        match one(ctx, b).await? {
            Some(r) if &r.center_id == center && &r.dept_id == dept => Ok(()),
            _ => Err(bad()),
        }
    }

    pub async fn list(ctx: &Ctx) -> Answer<ep::ListStaff> {
        let p = ctx.principal()?;
        let db = ctx.db()?;
        let stmt = store::posts(tongban_shared::authz::admin_list_scope(p)).prepare(&db)?;
        let keys = ctx.keyring()?;
        let posts: Vec<StaffPost> = stmt.all().await?.results::<PostRow>()?.into_iter().map(|r| r.post(&keys)).collect();
        ctx.reply(&posts)
    }

    pub async fn create(ctx: &Ctx, body: Body<ep::CreateStaff>) -> Answer<ep::CreateStaff> {
        let p = ctx.principal()?;
        let req = body.read(ctx)?;
        let (login, name, role) = req.validate()?;
        if !can_manage_post(p, role, req.center_id.as_deref()) {
            return Err(ErrorCode::Forbidden.into());
        }
        check_backup(ctx, req.backup_id.as_deref(), None, &req.center_id, &req.dept_id).await?;
        let keys = ctx.keyring()?;
        let password = hash_password(ctx, &req.password).await?;
        let id = hex(&random::<16>().map_err(js_err)?);
        let db = ctx.db()?;
        let (lookup, sealed) = (keys.lookup_digest(&login), keys.seal(&name, random::<12>().map_err(js_err)?));
        let duties = req.duties.as_deref().map(tongban_shared::application::duties_string);
        let new = store::NewPost {
            id: &id,
            role,
            login: &login,
            login_lookup: &lookup,
            name_enc: &sealed,
            password: &password,
            center_id: req.center_id.as_deref(),
            dept_id: req.dept_id.as_deref(),
            backup_id: req.backup_id.as_deref(),
            duties: duties.as_deref(),
            created_by: &p.account_id,
            now: ctx.now,
        };
        let batch = store::create_post(&new).iter().map(|s| s.prepare(&db)).collect::<Result<Vec<_>, _>>()?;
        let r = db.batch(batch).await;
        if let Err(e) = r {
            let msg = e.to_string();
            return Err(if msg.contains("UNIQUE constraint failed") {
                ApiError::from(FieldError::new(ErrorCode::LoginTaken, "login"))
            } else if msg.contains("FOREIGN KEY constraint failed") {
                ApiError::from(FieldError::new(ErrorCode::InvalidPost, "role"))
            } else {
                e.into()
            });
        }
        let post = one(ctx, &id).await?.ok_or_else(|| ApiError::Internal("created post not found".into()))?.post(&keys);
        Ok(ctx.reply(&post)?.with_status(201))
    }

    pub async fn update(ctx: &Ctx, body: Body<ep::UpdateStaff>) -> Answer<ep::UpdateStaff> {
        let p = ctx.principal()?;
        let id = ctx.hex_id("id")?;
        let req = body.read(ctx)?;
        let target = one(ctx, &id).await?.ok_or(ApiError::from(ErrorCode::StaffNotFound))?;
        let role = target.role;
        if !can_manage_post(p, role, target.center_id.as_deref()) {
            return Err(ErrorCode::Forbidden.into());
        }
        check_backup(ctx, req.backup_id.as_deref(), Some(&id), &target.center_id, &target.dept_id).await?;
        store::settings(&id, req.backup_id.as_deref(), req.away).prepare(&ctx.db()?)?.run().await?;
        let keys = ctx.keyring()?;
        let post = one(ctx, &id).await?.ok_or(ApiError::from(ErrorCode::StaffNotFound))?.post(&keys);
        ctx.reply(&post)
    }

    /// The post `id` if the caller may manage it (the district admin any post; a center admin their own
    /// center's window staff), never the caller's own.
    async fn managed(ctx: &Ctx, id: &str) -> Result<PostRow, ApiError> {
        let p = ctx.principal()?;
        let target = one(ctx, id).await?.ok_or(ApiError::from(ErrorCode::StaffNotFound))?;
        let role = target.role;
        if !can_manage_post(p, role, target.center_id.as_deref()) || target.id == p.account_id {
            return Err(ErrorCode::Forbidden.into());
        }
        Ok(target)
    }

    /// `POST /staff/{id}/status`: disable a staff account (every session ends in the same transaction, and
    /// sign-in is refused) or enable it again; audited.
    pub async fn set_status(ctx: &Ctx, body: Body<ep::SetStaffStatus>) -> Answer<ep::SetStaffStatus> {
        let id = ctx.hex_id("id")?;
        let req = body.read(ctx)?;
        managed(ctx, &id).await?;
        let db = ctx.db()?;
        let mut batch = vec![store::set_disabled(&id, !req.active).prepare(&db)?];
        if !req.active {
            batch.push(store::end_sessions(&id).prepare(&db)?);
        }
        let (action, why) = if req.active { ("enable_staff", "启用账号 / account enabled") } else { ("disable_staff", "停用账号 / account disabled") };
        batch.push(crate::audit::record(ctx, &db, &id, action, why)?);
        db.batch(batch).await?;
        let post = one(ctx, &id).await?.ok_or(ApiError::from(ErrorCode::StaffNotFound))?.post(&ctx.keyring()?);
        ctx.reply(&post)
    }

    /// `POST /staff/{id}/password-reset`: a one-time temporary password, shown once to the admin. The old
    /// password and every session end; the holder must change it at the next sign-in; audited.
    pub async fn reset_password(ctx: &Ctx, body: Body<ep::ResetStaffPassword>) -> Answer<ep::ResetStaffPassword> {
        let id = ctx.hex_id("id")?;
        let req = body.read(ctx)?;
        let target = managed(ctx, &id).await?;
        if req.login.trim() != target.login {
            return Err(ApiError::from(FieldError::new(ErrorCode::InvalidLogin, "login")));
        }
        let temporary = tongban_shared::staff::temporary_password(&random::<12>().map_err(js_err)?);
        let record = hash_password(ctx, &temporary).await?;
        let db = ctx.db()?;
        db.batch(vec![
            store::temporary_password(&id, &record, ctx.now).prepare(&db)?,
            store::end_sessions(&id).prepare(&db)?,
            crate::audit::record(ctx, &db, &id, "reset_password", "重置密码 / password reset")?,
        ])
        .await?;
        ctx.reply(&tongban_shared::staff::TemporaryPassword { password: temporary })
    }
}
