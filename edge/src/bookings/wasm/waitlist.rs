//! The waiting list (候补): joining a full slot, one's own places, leaving. A freed seat is offered to the
//! first in line by `offer_seat` in the booking core, inside the write that frees it.

use super::*;
use crate::bookings::store::{self, WaitAsk, WaitCheckRow, WaitRow};

impl WaitRow {
    fn entry(self) -> WaitlistEntry {
        WaitlistEntry {
            state: self.state,
            center_name: Text::new(self.center_zh, self.center_en),
            item_name: Text::new(self.item_zh, self.item_en),
            id: self.id,
            center_id: self.center_id,
            item_id: self.item_id,
            date: self.date,
            start: self.start,
            position: self.position.max(0) as u32,
            booking_id: self.booking_id,
        }
    }
}

/// Joining a full slot's waiting list. Only a full slot has one; the person must be able to take
/// the seat if offered (limits), and is on a slot's list once.
pub async fn join_waitlist(ctx: &Ctx, body: Body<ep::JoinWaitlist>) -> Answer<ep::JoinWaitlist> {
    let p = ctx.principal()?;
    let req = body.read(ctx)?;
    let (date, start) = req.parse()?;
    let db = ctx.db()?;
    let (c, ban) = context_for(&db, &req.center_id, &req.item_id, Some(&p.account_id), ctx.now).await?;
    let now = beijing(ctx.now);
    c.check_slot(date, &start, now.date())?;
    check_ban(ban)?;
    let sid = slot_id(&c.class_id, date, &start);
    let id = hex(&random::<16>().map_err(js_err)?);
    // The slot's lapsed holds are given back first, so "full" is exact.
    let mut batch = sweep_slot(&db, &sid, ctx.now, &c.rules)?;
    let (day, ask_start) = (date.to_string(), start.clone());
    let ask = WaitAsk {
        id: &id,
        account_id: &p.account_id,
        item_id: &req.item_id,
        center_id: &req.center_id,
        slot: &sid,
        date: &day,
        start: &ask_start,
        max_active: c.rules.max_active_per_person,
        now: ctx.now,
    };
    batch.push(store::join_waitlist(&ask).prepare(&db)?);
    let r = db.batch(batch).await?;
    let r = r.last().ok_or_else(|| ApiError::Internal("empty batch".into()))?;
    if r.meta()?.and_then(|m| m.changes).unwrap_or(0) == 0 {
        let w: WaitCheckRow = store::wait_check(&sid, &p.account_id)
            .prepare(&db)?
            .first(None)
            .await?
            .ok_or_else(|| ApiError::Internal("waitlist check returned no row".into()))?;
        let code = if w.mine > 0 {
            ErrorCode::AlreadyWaiting
        } else if w.full != Some(1) {
            ErrorCode::SlotHasSeats
        } else {
            ErrorCode::LimitReached
        };
        return Err(refused(code, &c.rules));
    }
    let row = store::waitlist_entry(&id).prepare(&db)?.first::<WaitRow>(None).await?;
    Ok(ctx.reply(&row.ok_or_else(|| ApiError::Internal("new waitlist entry not found".into()))?.entry())?.with_status(201))
}

pub async fn my_waitlist(ctx: &Ctx) -> Answer<ep::ListMyWaitlist> {
    ctx.reply(&waitlist_value(ctx).await?)
}

/// What `my_waitlist` answers, also for the data export.
pub async fn waitlist_value(ctx: &Ctx) -> Result<Vec<WaitlistEntry>, ApiError> {
    let p = ctx.principal()?;
    let rows: Vec<WaitRow> = store::waitlist_of(&p.account_id).prepare(&ctx.db()?)?.all().await?.results()?;
    Ok(rows.into_iter().map(WaitRow::entry).collect())
}

pub async fn leave_waitlist(ctx: &Ctx) -> Answer<ep::LeaveWaitlist> {
    let p = ctx.principal()?;
    let id = ctx.hex_id("id")?;
    let r = store::leave_waitlist(&id, &p.account_id, ctx.now).prepare(&ctx.db()?)?.run().await?;
    if r.meta()?.and_then(|m| m.changes).unwrap_or(0) == 0 {
        return Err(ErrorCode::WaitlistNotFound.into());
    }
    crate::http::Reply::no_content()
}
