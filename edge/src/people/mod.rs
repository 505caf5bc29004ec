//! `/api/v1/people/lookup`: the front desk sees a person's full record only with a stated reason, and the
//! access is written to the audit log in the same transaction as the read — no record, no data.

pub mod store;

/// The audit record of `action` on the resident whose ID-number digest is `lookup`, for the same batch as
/// the access it records (it writes nothing when there is no such resident).
#[cfg(target_arch = "wasm32")]
fn audit(ctx: &crate::http::Ctx, action: &str, reason: &str, lookup: &str) -> Result<worker::D1PreparedStatement, crate::error::ApiError> {
    crate::audit::store::record_for_resident(&crate::audit::actor(ctx, action, reason)?, lookup).prepare(&ctx.db()?)
}

#[cfg(target_arch = "wasm32")]
pub async fn lookup(ctx: &crate::http::Ctx, body: crate::http::Body<crate::routes::ep::LookupPerson>) -> crate::http::Answer<crate::routes::ep::LookupPerson> {
    use crate::error::ApiError;
    use tongban_shared::staff::PersonRecord;
    use tongban_shared::ErrorCode;

    let p = ctx.principal()?;
    let req = body.read(ctx)?;
    let (id_number, reason) = req.validate()?;
    let keys = ctx.keyring()?;
    let lookup = keys.lookup_digest(&id_number);
    let db = ctx.db()?;
    let r = db.batch(vec![audit(ctx, "view_person", &reason, &lookup)?, store::resident(&lookup).prepare(&db)?]).await?;
    let row = r[1].results::<store::PersonRow>()?.into_iter().next().ok_or(ApiError::from(ErrorCode::PersonNotFound))?;
    let open = |v: &Option<String>| v.as_deref().and_then(|s| keys.open(s)).unwrap_or_default();
    let rules = match &p.center_id {
        Some(c) => crate::bookings::rules_of(&db, c).await?,
        None => Default::default(),
    };
    let ban = crate::bookings::ban_status(&db, &row.id, ctx.now, &rules).await?;
    let rec = PersonRecord {
        name: keys.open(&row.name_enc).unwrap_or_default(),
        id_number: open(&row.id_enc),
        mobile: open(&row.mobile_enc),
        account_id: row.id,
        ban,
    };
    ctx.reply(&rec)
}

/// `/api/v1/people/ban-lifts`: staff lift a no-show booking ban with a reason; the lift and the audit
/// record are one transaction, and no-shows before it stop counting.
#[cfg(target_arch = "wasm32")]
pub async fn lift_ban(ctx: &crate::http::Ctx, body: crate::http::Body<crate::routes::ep::LiftBan>) -> crate::http::Answer<crate::routes::ep::LiftBan> {
    use crate::error::ApiError;

    use tongban_shared::ErrorCode;

    let p = ctx.principal()?;
    let req = body.read(ctx)?;
    let (id_number, reason) = req.validate()?;
    let keys = ctx.keyring()?;
    let lookup = keys.lookup_digest(&id_number);
    let db = ctx.db()?;
    let r = db
        .batch(vec![
            store::lift_ban(&lookup, &p.account_id, &reason, ctx.now).prepare(&db)?,
            audit(ctx, "lift_ban", &reason, &lookup)?,
            store::resident_id(&lookup).prepare(&db)?,
        ])
        .await?;
    let id = r[2].results::<store::IdRow>()?.into_iter().next().ok_or(ApiError::from(ErrorCode::PersonNotFound))?.id;
    let ban = crate::bookings::ban_status(&db, &id, ctx.now, &Default::default()).await?;
    ctx.reply(&ban)
}
