//! `/api/v1/people/lookup`: the front desk sees a person's full record only with a stated reason, and the
//! access is written to the audit log in the same transaction as the read — no record, no data.

/// The audit record of `action` on the resident whose ID-number digest is `lookup`, for the same batch as
/// the access it records (it writes nothing when there is no such resident).
#[cfg(target_arch = "wasm32")]
fn audit(ctx: &crate::http::Ctx, action: &str, reason: &str, lookup: &wasm_bindgen::JsValue) -> Result<worker::D1PreparedStatement, crate::error::ApiError> {
    use wasm_bindgen::JsValue;
    let p = ctx.principal()?;
    let db = ctx.db()?;
    Ok(db
        .prepare("INSERT INTO audit_log (at, actor_id, actor_center, action, subject_id, reason) SELECT ?1, ?2, ?3, ?4, id, ?5 FROM accounts WHERE login_lookup = ?6 AND role = 'resident'")
        .bind(&[
            JsValue::from_f64(ctx.now as f64),
            JsValue::from_str(&p.account_id),
            p.center_id.as_deref().map_or(JsValue::NULL, JsValue::from_str),
            JsValue::from_str(action),
            JsValue::from_str(reason),
            lookup.clone(),
        ])?)
}

#[cfg(target_arch = "wasm32")]
pub async fn lookup(ctx: &crate::http::Ctx, body: crate::http::Body<crate::routes::ep::LookupPerson>) -> crate::http::Answer<crate::routes::ep::LookupPerson> {
    use crate::error::ApiError;
    use serde::Deserialize;
    use tongban_shared::staff::PersonRecord;
    use tongban_shared::ErrorCode;
    use wasm_bindgen::JsValue;

    #[derive(Deserialize)]
    struct Row {
        id: String,
        name_enc: String,
        id_enc: Option<String>,
        mobile_enc: Option<String>,
    }

    let p = ctx.principal()?;
    let req = body.read(ctx)?;
    let (id_number, reason) = req.validate()?;
    let keys = ctx.keyring()?;
    let lookup = JsValue::from_str(&keys.lookup_digest(&id_number));
    let db = ctx.db()?;
    let r = db
        .batch(vec![
            audit(ctx, "view_person", &reason, &lookup)?,
            db.prepare("SELECT id, name_enc, id_enc, mobile_enc FROM accounts WHERE login_lookup = ?1 AND role = 'resident'").bind(&[lookup])?,
        ])
        .await?;
    let row = r[1].results::<Row>()?.into_iter().next().ok_or(ApiError::from(ErrorCode::PersonNotFound))?;
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
    use wasm_bindgen::JsValue;

    let p = ctx.principal()?;
    let req = body.read(ctx)?;
    let (id_number, reason) = req.validate()?;
    let keys = ctx.keyring()?;
    let lookup = JsValue::from_str(&keys.lookup_digest(&id_number));
    let db = ctx.db()?;
    let (now, actor, reason_v) = (JsValue::from_f64(ctx.now as f64), JsValue::from_str(&p.account_id), JsValue::from_str(&reason));
    let r = db
        .batch(vec![
            db.prepare(
                "INSERT INTO ban_lifts (account_id, lifted_at, lifted_by, reason) SELECT id, ?1, ?2, ?3 FROM accounts WHERE login_lookup = ?4 AND role = 'resident' \
                 ON CONFLICT (account_id) DO UPDATE SET lifted_at = excluded.lifted_at, lifted_by = excluded.lifted_by, reason = excluded.reason",
            )
            .bind(&[now, actor, reason_v, lookup.clone()])?,
            audit(ctx, "lift_ban", &reason, &lookup)?,
            db.prepare("SELECT id FROM accounts WHERE login_lookup = ?1 AND role = 'resident'").bind(&[lookup])?,
        ])
        .await?;
    #[derive(serde::Deserialize)]
    struct Id {
        id: String,
    }
    let id = r[2].results::<Id>()?.into_iter().next().ok_or(ApiError::from(ErrorCode::PersonNotFound))?.id;
    let ban = crate::bookings::ban_status(&db, &id, ctx.now, &Default::default()).await?;
    ctx.reply(&ban)
}
