//! The waiting list (候补): joining a full slot, one's own places, leaving. A freed seat is offered to the
//! first in line by `offer_seat` in the booking core, inside the write that frees it.

use super::*;

#[derive(Deserialize)]
struct WaitRow {
    id: String,
    center_id: String,
    center_zh: String,
    center_en: String,
    item_id: String,
    item_zh: String,
    item_en: String,
    date: String,
    start: String,
    state: WaitlistState,
    position: i64,
    booking_id: Option<String>,
}

const WAIT_SELECT: &str = "SELECT w.id, w.center_id, c.name_zh AS center_zh, c.name_en AS center_en, w.item_id, i.name_zh AS item_zh, i.name_en AS item_en, \
    w.date, w.start, w.state, w.booking_id, \
    (SELECT count(*) FROM waitlist x WHERE x.slot_id = w.slot_id AND x.state = 'waiting' AND x.rowid < w.rowid) AS position \
    FROM waitlist w JOIN centers c ON c.id = w.center_id JOIN items i ON i.id = w.item_id";

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
    batch.push(
        db.prepare(format!(
            "INSERT OR IGNORE INTO waitlist (id, account_id, item_id, center_id, slot_id, date, start, state, created_at, updated_at) \
             SELECT ?1, ?2, ?3, ?4, ?5, ?6, ?7, 'waiting', ?8, ?8 \
             WHERE (SELECT booked >= capacity FROM slots WHERE id = ?5) \
             AND {limits}",
            limits = limits_allow_sql("?2", "?3", "?6", "?9", "?8")
        ))
        .bind(&[
            text(&id),
            text(&p.account_id),
            text(&req.item_id),
            text(&req.center_id),
            text(&sid),
            text(&date.to_string()),
            text(&start),
            num(ctx.now as f64),
            num(c.rules.max_active_per_person),
        ])?,
    );
    let r = db.batch(batch).await?;
    let r = r.last().ok_or_else(|| ApiError::Internal("empty batch".into()))?;
    if r.meta()?.and_then(|m| m.changes).unwrap_or(0) == 0 {
        #[derive(Deserialize)]
        struct W {
            full: Option<i64>,
            mine: i64,
        }
        let w: W = db
            .prepare("SELECT (SELECT booked >= capacity FROM slots WHERE id = ?1) AS full, (SELECT count(*) FROM waitlist WHERE slot_id = ?1 AND account_id = ?2 AND state = 'waiting') AS mine")
            .bind(&[text(&sid), text(&p.account_id)])?
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
    let row = db.prepare(format!("{WAIT_SELECT} WHERE w.id = ?1")).bind(&[text(&id)])?.first::<WaitRow>(None).await?;
    Ok(ctx.reply(&row.ok_or_else(|| ApiError::Internal("new waitlist entry not found".into()))?.entry())?.with_status(201))
}

pub async fn my_waitlist(ctx: &Ctx) -> Answer<ep::ListMyWaitlist> {
    ctx.reply(&waitlist_value(ctx).await?)
}

/// What `my_waitlist` answers, also for the data export.
pub async fn waitlist_value(ctx: &Ctx) -> Result<Vec<WaitlistEntry>, ApiError> {
    let p = ctx.principal()?;
    let rows: Vec<WaitRow> = ctx
        .db()?
        .prepare(format!("{WAIT_SELECT} WHERE w.account_id = ?1 AND w.state IN ('waiting', 'offered') ORDER BY w.date, w.start"))
        .bind(&[text(&p.account_id)])?
        .all()
        .await?
        .results()?;
    Ok(rows.into_iter().map(WaitRow::entry).collect())
}

pub async fn leave_waitlist(ctx: &Ctx) -> Answer<ep::LeaveWaitlist> {
    let p = ctx.principal()?;
    let id = ctx.hex_id("id")?;
    let r = ctx
        .db()?
        .prepare("UPDATE waitlist SET state = 'left', updated_at = ?3 WHERE id = ?1 AND account_id = ?2 AND state = 'waiting'")
        .bind(&[text(&id), text(&p.account_id), num(ctx.now as f64)])?
        .run()
        .await?;
    if r.meta()?.and_then(|m| m.changes).unwrap_or(0) == 0 {
        return Err(ErrorCode::WaitlistNotFound.into());
    }
    crate::http::Reply::no_content()
}
