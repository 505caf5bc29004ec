//! `/api/v1/centers/{id}/kiosks…`: the self-service machines (自助终端) of a hall. A center admin registers
//! one and gets its key once; the machine sends the key (`X-Kiosk-Key`) with its tickets and check-ins,
//! which then count against the kiosk's own rate limit instead of a stranger's, so a busy hall is not
//! throttled while a script from the same address is. Revoking a kiosk stops its key at once. The
//! statements are built in [`store`].

pub mod store;

#[cfg(target_arch = "wasm32")]
pub use wasm::*;

#[cfg(target_arch = "wasm32")]
mod wasm {
    use super::store::{self, KioskRow, NewKioskRow};
    use crate::crypto::{hex, random, token_digest, token_string};
    use crate::error::js_err;
    use crate::error::ApiError;
    use crate::http::{changed, Answer, Body, Ctx};
    use crate::routes::ep;
    use tongban_shared::authz::require_center;
    use tongban_shared::queue::{Kiosk, KioskKey, KIOSK_HEADER};
    use tongban_shared::{ErrorCode, FieldError};

    impl KioskRow {
        fn view(self) -> Kiosk {
            Kiosk { id: self.id, center_id: self.center_id, label: self.label, created_at: self.created_at, revoked: self.revoked_at.is_some() }
        }
    }

    /// The registered kiosk this request comes from: None without the header; a key that is unknown,
    /// revoked, or of another center than the path's is `kiosk_unknown` (a machine that lost its
    /// registration should say so, not quietly fall back to a stranger's limit).
    pub async fn from_request(ctx: &Ctx) -> Result<Option<KioskRow>, ApiError> {
        let Some(key) = ctx.req.headers().get(KIOSK_HEADER)? else { return Ok(None) };
        let row: Option<KioskRow> = store::by_key(&token_digest(key.trim())).prepare(&ctx.db()?)?.first(None).await?;
        let row = row.ok_or(ApiError::from(ErrorCode::KioskUnknown))?;
        if ctx.params.get("id").is_some_and(|center| center != row.center_id) {
            return Err(ErrorCode::KioskUnknown.into());
        }
        Ok(Some(row))
    }

    fn admin_of(ctx: &Ctx) -> Result<String, ApiError> {
        let center = ctx.slug("id")?;
        require_center(ctx.principal()?, &center)?;
        Ok(center)
    }

    pub async fn list(ctx: &Ctx) -> Answer<ep::ListKiosks> {
        let center = admin_of(ctx)?;
        let rows: Vec<KioskRow> = store::of_center(&center).prepare(&ctx.db()?)?.all().await?.results()?;
        ctx.reply(&rows.into_iter().map(KioskRow::view).collect::<Vec<_>>())
    }

    /// Registers a kiosk; the cap is counted in the insert itself, so parallel registrations cannot pass it.
    pub async fn create(ctx: &Ctx, body: Body<ep::CreateKiosk>) -> Answer<ep::CreateKiosk> {
        let center = admin_of(ctx)?;
        let label = body.read(ctx)?.label()?;
        let db = ctx.db()?;
        let exists: Option<i64> = store::center_exists(&center).prepare(&db)?.first(Some("n")).await?;
        if exists.is_none() {
            return Err(FieldError::new(ErrorCode::CenterNotFound, "id").into());
        }
        let id = hex(&random::<16>().map_err(js_err)?);
        let key = token_string(random::<32>().map_err(js_err)?);
        let new =
            NewKioskRow { id: &id, center_id: &center, label: &label, key_digest: &token_digest(&key), created_by: &ctx.principal()?.account_id, now: ctx.now };
        let r = store::register(&new).prepare(&db)?.run().await?;
        if !changed(&r) {
            return Err(ErrorCode::TooManyKiosks.into());
        }
        let kiosk = Kiosk { id, center_id: center.clone(), label, created_at: ctx.now, revoked: false };
        // The key rides in the fragment, which browsers never send to a server or put in a log.
        let enroll_path = format!("/kiosk/{center}#kiosk-key={key}");
        Ok(ctx.reply(&KioskKey { kiosk, key, enroll_path })?.with_status(201))
    }

    pub async fn revoke(ctx: &Ctx) -> Answer<ep::RevokeKiosk> {
        let center = admin_of(ctx)?;
        let kiosk = ctx.hex_id("kiosk")?;
        let r = store::revoke(&kiosk, &center, ctx.now).prepare(&ctx.db()?)?.run().await?;
        if !changed(&r) {
            return Err(ErrorCode::KioskNotFound.into());
        }
        crate::http::Reply::no_content()
    }
}
