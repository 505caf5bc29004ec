//! `/api/v1/audit`: admins read who saw whose personal data, when and why. There is no route to change or
//! delete a record, and the table's triggers refuse it anyway.

pub mod store;

/// The signed-in staff member doing `action` now, for why `reason`: who an audit record names.
#[cfg(target_arch = "wasm32")]
pub fn actor<'a>(ctx: &'a crate::http::Ctx, action: &'a str, reason: &'a str) -> Result<store::Actor<'a>, crate::error::ApiError> {
    let p = ctx.principal()?;
    Ok(store::Actor { account_id: &p.account_id, center_id: p.center_id.as_deref(), action, reason, now: ctx.now })
}

/// The audit row of a staff action on `subject` (an account), to batch with the action itself: the
/// record exists exactly when the action does.
#[cfg(target_arch = "wasm32")]
pub fn record(
    ctx: &crate::http::Ctx,
    db: &worker::D1Database,
    subject: &str,
    action: &str,
    reason: &str,
) -> Result<worker::D1PreparedStatement, crate::error::ApiError> {
    store::record(&actor(ctx, action, reason)?, subject).prepare(db)
}

/// [`record`] of an action the statement just before it in the batch performed, only if that statement
/// changed a row: an action that lost its race (a stale version, a state already left) leaves no record.
#[cfg(target_arch = "wasm32")]
pub fn record_after(
    ctx: &crate::http::Ctx,
    db: &worker::D1Database,
    subject: &str,
    action: &str,
    reason: &str,
) -> Result<worker::D1PreparedStatement, crate::error::ApiError> {
    store::record_after(&actor(ctx, action, reason)?, subject).prepare(db)
}

#[cfg(target_arch = "wasm32")]
pub async fn list(ctx: &crate::http::Ctx) -> crate::http::Answer<crate::routes::ep::ListAudit> {
    use tongban_shared::ids::{mask_id, mask_name};
    use tongban_shared::staff::AuditEntry;

    let p = ctx.principal()?;
    let db = ctx.db()?;
    let stmt = store::latest(tongban_shared::authz::admin_list_scope(p)).prepare(&db)?;
    let keys = ctx.keyring()?;
    let open = |v: &Option<String>| v.as_deref().and_then(|s| keys.open(s)).unwrap_or_default();
    let entries: Vec<AuditEntry> = stmt
        .all()
        .await?
        .results::<store::AuditRow>()?
        .into_iter()
        .map(|r| AuditEntry {
            id: r.id.max(0) as u64,
            at: r.at,
            actor_login: r.actor_login.unwrap_or_default(),
            actor_center: r.actor_center,
            action: r.action,
            subject: format!("{} {}", mask_name(&open(&r.name_enc)), mask_id(&open(&r.id_enc))),
            reason: r.reason,
        })
        .collect();
    ctx.reply(&entries)
}
