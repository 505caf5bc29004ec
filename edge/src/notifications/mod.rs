//! `/api/v1/notifications…`: the in-app inbox. Events are written by the resource modules in the same
//! batch as the state change they report (see [`for_booking`] and [`for_ticket`]); here they are listed,
//! rendered from `shared::notify` in both languages, and marked read. The statements are built in [`store`].

pub mod store;

#[cfg(target_arch = "wasm32")]
pub use wasm::*;

#[cfg(target_arch = "wasm32")]
mod wasm {
    use super::store::{self, NotificationRow, UnreadRow};
    use crate::crypto::{hex, random};
    use crate::error::js_err;
    use crate::error::ApiError;
    use crate::http::{Answer, Ctx};
    use crate::routes::ep;
    use tongban_shared::notify::{Event, Inbox, InboxItem};
    use tongban_shared::time::clock;
    use tongban_shared::ErrorCode;
    use worker::{D1Database, D1PreparedStatement};

    /// A statement that gives `event` to the owner of booking `booking_id`, only if `guard` (SQL on
    /// the booking row `b`) holds — so it follows exactly the change that happened in the same batch.
    pub fn for_booking(db: &D1Database, booking_id: &str, event: &Event, guard: &str, now: i64) -> Result<D1PreparedStatement, ApiError> {
        let id = hex(&random::<16>().map_err(js_err)?);
        store::for_booking(&id, booking_id, event, guard, now).prepare(db)
    }

    /// The same for the holder of a ticket that came from a booking (walk-ins have no account: their
    /// phone follows the ticket page). `once` skips it if this kind was already sent for the ticket.
    pub fn for_ticket(db: &D1Database, ticket_id: &str, event: &Event, guard: &str, once: bool, now: i64) -> Result<D1PreparedStatement, ApiError> {
        let id = hex(&random::<16>().map_err(js_err)?);
        store::for_ticket(&id, ticket_id, event, guard, once, now).prepare(db)
    }

    pub async fn list(ctx: &Ctx) -> Answer<ep::ListNotifications> {
        ctx.reply(&inbox_value(ctx).await?)
    }

    /// What `list` answers, also for the data export.
    pub async fn inbox_value(ctx: &Ctx) -> Result<Inbox, ApiError> {
        let p = ctx.principal()?;
        let db = ctx.db()?;
        let r = db.batch(vec![store::latest(&p.account_id).prepare(&db)?, store::unread(&p.account_id).prepare(&db)?]).await?;
        let unread = r[1].results::<UnreadRow>()?.into_iter().next().map_or(0, |n| n.n.max(0) as u32);
        let items = r[0]
            .results::<NotificationRow>()?
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
        let db = ctx.db()?;
        let r = store::mark_read(&id, &p.account_id, ctx.now).prepare(&db)?.run().await?;
        if r.meta()?.and_then(|m| m.changes).unwrap_or(0) == 0 {
            return Err(ErrorCode::NotificationNotFound.into());
        }
        crate::http::Reply::no_content()
    }

    pub async fn mark_all_read(ctx: &Ctx) -> Answer<ep::MarkAllNotificationsRead> {
        let p = ctx.principal()?;
        let db = ctx.db()?;
        store::mark_all_read(&p.account_id, ctx.now).prepare(&db)?.run().await?;
        crate::http::Reply::no_content()
    }
}
