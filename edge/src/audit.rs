//! `/api/v1/audit`: admins read who saw whose personal data, when and why. There is no route to change or
//! delete a record, and the table's triggers refuse it anyway.

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
    use crate::http::{num, opt, text};
    let p = ctx.principal()?;
    Ok(db.prepare("INSERT INTO audit_log (at, actor_id, actor_center, action, subject_id, reason) VALUES (?1, ?2, ?3, ?4, ?5, ?6)").bind(&[
        num(ctx.now as f64),
        text(&p.account_id),
        opt(p.center_id.as_deref()),
        text(action),
        text(subject),
        text(reason),
    ])?)
}

#[cfg(target_arch = "wasm32")]
pub async fn list(ctx: &crate::http::Ctx) -> crate::http::Answer<crate::routes::ep::ListAudit> {
    use serde::Deserialize;
    use tongban_shared::ids::{mask_id, mask_name};
    use tongban_shared::staff::AuditEntry;
    use wasm_bindgen::JsValue;

    #[derive(Deserialize)]
    struct Row {
        id: i64,
        at: i64,
        actor_login: Option<String>,
        actor_center: Option<String>,
        action: String,
        reason: String,
        name_enc: Option<String>,
        id_enc: Option<String>,
    }

    const SELECT: &str = "SELECT l.id, l.at, st.login AS actor_login, l.actor_center, l.action, l.reason, a.name_enc, a.id_enc \
        FROM audit_log l LEFT JOIN staff st ON st.account_id = l.actor_id LEFT JOIN accounts a ON a.id = l.subject_id";
    let p = ctx.principal()?;
    let db = ctx.db()?;
    let stmt = match tongban_shared::authz::admin_list_scope(p) {
        None => db.prepare(format!("{SELECT} ORDER BY l.id DESC LIMIT 500")),
        Some(center) => db.prepare(format!("{SELECT} WHERE l.actor_center = ?1 ORDER BY l.id DESC LIMIT 500")).bind(&[JsValue::from_str(center)])?,
    };
    let keys = ctx.keyring()?;
    let open = |v: &Option<String>| v.as_deref().and_then(|s| keys.open(s)).unwrap_or_default();
    let entries: Vec<AuditEntry> = stmt
        .all()
        .await?
        .results::<Row>()?
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
