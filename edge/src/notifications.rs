//! `/api/v1/notifications…`: the in-app inbox. Events are written by the resource modules in the same
//! batch as the state change they report (see [`for_booking`] and [`for_ticket`]); here they are listed,
//! rendered from `shared::notify` in both languages, and marked read.

#[cfg(target_arch = "wasm32")]
pub use wasm::*;

#[cfg(target_arch = "wasm32")]
mod wasm {
    use crate::crypto::{hex, random};
    use crate::error::js_err;
    use crate::error::ApiError;
    use crate::http::{Answer, Ctx};
    use crate::routes::ep;
    use serde::Deserialize;
    use tongban_shared::notify::{Event, Inbox, InboxItem};
    use tongban_shared::time::clock;
    use tongban_shared::ErrorCode;
    use wasm_bindgen::JsValue;
    use worker::{D1Database, D1PreparedStatement};

    /// A statement that gives `event` to the owner of booking `booking_id`, only if `guard` (SQL on
    /// the booking row `b`) holds — so it follows exactly the change that happened in the same batch.
    pub fn for_booking(db: &D1Database, booking_id: &str, event: &Event, guard: &str, now: i64) -> Result<D1PreparedStatement, ApiError> {
        let id = hex(&random::<16>().map_err(js_err)?);
        Ok(db
            .prepare(format!(
                "INSERT INTO notifications (id, account_id, kind, ref_id, body_json, created_at) \
                 SELECT ?1, b.account_id, ?2, b.id, ?3, ?4 FROM bookings b WHERE b.id = ?5 AND ({guard})"
            ))
            .bind(&[
                JsValue::from_str(&id),
                JsValue::from_str(event.kind().as_str()),
                JsValue::from_str(&event.body_json()),
                JsValue::from_f64(now as f64),
                JsValue::from_str(booking_id),
            ])?)
    }

    /// The same for the holder of a ticket that came from a booking (walk-ins have no account: their
    /// phone follows the ticket page). `once` skips it if this kind was already sent for the ticket.
    pub fn for_ticket(db: &D1Database, ticket_id: &str, event: &Event, guard: &str, once: bool, now: i64) -> Result<D1PreparedStatement, ApiError> {
        let id = hex(&random::<16>().map_err(js_err)?);
        let once = if once { " AND NOT EXISTS (SELECT 1 FROM notifications n WHERE n.ref_id = t.id AND n.kind = ?2)" } else { "" };
        Ok(db
            .prepare(format!(
                "INSERT INTO notifications (id, account_id, kind, ref_id, body_json, created_at) \
                 SELECT ?1, b.account_id, ?2, t.id, ?3, ?4 FROM tickets t JOIN bookings b ON b.id = t.booking_id WHERE t.id = ?5 AND ({guard}){once}"
            ))
            .bind(&[
                JsValue::from_str(&id),
                JsValue::from_str(event.kind().as_str()),
                JsValue::from_str(&event.body_json()),
                JsValue::from_f64(now as f64),
                JsValue::from_str(ticket_id),
            ])?)
    }

    #[derive(Deserialize)]
    struct Row {
        id: String,
        kind: String,
        body_json: String,
        created_at: i64,
        read_at: Option<i64>,
    }

    pub async fn list(ctx: &Ctx) -> Answer<ep::ListNotifications> {
        ctx.reply(&inbox_value(ctx).await?)
    }

    /// What `list` answers, also for the data export.
    pub async fn inbox_value(ctx: &Ctx) -> Result<Inbox, ApiError> {
        let p = ctx.principal()?;
        let db = ctx.db()?;
        let acct = JsValue::from_str(&p.account_id);
        let r = db
            .batch(vec![
                db.prepare(
                    "SELECT id, kind, body_json, created_at, read_at FROM notifications WHERE account_id = ?1 ORDER BY created_at DESC, rowid DESC LIMIT 50",
                )
                .bind(std::slice::from_ref(&acct))?,
                db.prepare("SELECT count(*) AS n FROM notifications WHERE account_id = ?1 AND read_at IS NULL").bind(&[acct])?,
            ])
            .await?;
        #[derive(Deserialize)]
        struct N {
            n: i64,
        }
        let unread = r[1].results::<N>()?.into_iter().next().map_or(0, |n| n.n.max(0) as u32);
        let items = r[0]
            .results::<Row>()?
            .into_iter()
            // A kind this build does not know (written by a newer one) is skipped, not an error.
            .filter_map(|row| {
                let e = Event::from_row(&row.kind, &row.body_json)?;
                Some(InboxItem { id: row.id, kind: e.kind(), message: e.message(clock), created_at: row.created_at, read: row.read_at.is_some() })
            })
            .collect();
        Ok(Inbox { unread, items })
    }

    pub async fn mark_read(ctx: &Ctx) -> Answer<ep::MarkNotificationRead> {
        let p = ctx.principal()?;
        let id = ctx.hex_id("id")?;
        let r = ctx
            .db()?
            .prepare("UPDATE notifications SET read_at = coalesce(read_at, ?3) WHERE id = ?1 AND account_id = ?2")
            .bind(&[JsValue::from_str(&id), JsValue::from_str(&p.account_id), JsValue::from_f64(ctx.now as f64)])?
            .run()
            .await?;
        if r.meta()?.and_then(|m| m.changes).unwrap_or(0) == 0 {
            return Err(ErrorCode::NotificationNotFound.into());
        }
        crate::http::Reply::no_content()
    }

    pub async fn mark_all_read(ctx: &Ctx) -> Answer<ep::MarkAllNotificationsRead> {
        let p = ctx.principal()?;
        ctx.db()?
            .prepare("UPDATE notifications SET read_at = ?2 WHERE account_id = ?1 AND read_at IS NULL")
            .bind(&[JsValue::from_str(&p.account_id), JsValue::from_f64(ctx.now as f64)])?
            .run()
            .await?;
        crate::http::Reply::no_content()
    }
}
