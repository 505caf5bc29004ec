//! The hall queue: walk-in tickets (取号), check-in with a booking code (签到), "call next" at a window
//! (叫号), a ticket's live position, and the display's recent calls.
//!
//! Numbers come from `ticket_counters` inside the same batch that makes the ticket. "Call next" is one
//! UPDATE whose subquery picks the head of the service order, so concurrent calls from two windows get
//! two different tickets (or nothing).

pub mod store;

#[cfg(target_arch = "wasm32")]
pub use wasm::*;

#[cfg(target_arch = "wasm32")]
mod wasm {
    use super::store::{
        self, BookingRow, CallKey, CallRow, ClassRow, CurrentRow, HandlingRow, IdRow, LineRow, NewTicket, NumberRow, StatsRow, TicketRow, WaitingRow, WindowRow,
    };
    use crate::bookings::rules_of;
    use crate::crypto::{hex, random};
    use crate::error::js_err;
    use crate::error::ApiError;
    use crate::http::{Answer, Body, Ctx};
    use crate::notifications::for_ticket;
    use crate::routes::ep;
    use chrono::NaiveDateTime;
    use tongban_shared::authz::require_center;
    use tongban_shared::booking::{check_in_window, normalise_code, BookingState};
    use tongban_shared::notify::Event;
    use tongban_shared::queue::{
        announcement, estimated_wait_minutes, handling_minutes, priority, Call, Called, CurrentTicket, Origin, Outcome, Ticket, TicketState, Waiting,
        WindowAction, WindowState, WindowStats, REJOIN_AFTER_CALLS,
    };
    use tongban_shared::time::beijing;
    use tongban_shared::{ErrorCode, FieldError};
    use worker::D1PreparedStatement;

    fn today(ctx: &Ctx) -> String {
        beijing(ctx.now).date().to_string()
    }

    /// The statements that number and create a ticket (`store::make_ticket`), bound to D1.
    #[allow(clippy::too_many_arguments)]
    fn make_ticket(
        ctx: &Ctx,
        id: &str,
        center: &str,
        class_id: &str,
        prefix: &str,
        origin: &str,
        booking: Option<(&str, Option<&str>)>,
        guarded: bool,
    ) -> Result<Vec<D1PreparedStatement>, ApiError> {
        let db = ctx.db()?;
        let code = tongban_shared::review::review_code(&random::<8>().map_err(js_err)?);
        let t = NewTicket {
            id,
            center_id: center,
            class_id,
            day: &today(ctx),
            prefix,
            origin,
            booking_id: booking.map(|b| b.0),
            slot_start: booking.and_then(|b| b.1),
            review_code: &code,
            now: ctx.now,
        };
        store::make_ticket(&t, guarded).iter().map(|s| s.prepare(&db)).collect()
    }

    fn counter(ctx: &Ctx, class_id: &str) -> Result<D1PreparedStatement, ApiError> {
        store::counter(class_id, &today(ctx)).prepare(&ctx.db()?)
    }

    /// A walk-in ticket for one line: `?class=<id>`, else the any-item line.
    pub async fn walk_in(ctx: &Ctx) -> Answer<ep::TakeTicket> {
        let center = ctx.slug("id")?;
        let wanted = ctx.query_pairs().into_iter().rev().find(|(k, _)| k == "class").map(|(_, v)| v);
        if let Some(w) = &wanted {
            if !tongban_shared::catalogue::is_valid_slug(w) {
                return Err(FieldError::new(ErrorCode::BadId, "class").into());
            }
        }
        let class: Option<ClassRow> = store::walk_in_line(&center, wanted.as_deref()).prepare(&ctx.db()?)?.first(None).await?;
        let class = class.ok_or(ApiError::from(if wanted.is_some() { ErrorCode::ClassNotFound } else { ErrorCode::CenterNotFound }))?;
        let id = hex(&random::<16>().map_err(js_err)?);
        let mut batch = vec![counter(ctx, &class.id)?];
        batch.extend(make_ticket(ctx, &id, &center, &class.id, &class.prefix, "walk_in", None, false)?);
        ctx.db()?.batch(batch).await?;
        Ok(ctx.reply(&ticket(ctx, &id).await?)?.with_status(201))
    }

    pub async fn check_in(ctx: &Ctx, body: Body<ep::CheckIn>) -> Answer<ep::CheckIn> {
        let req = body.read(ctx)?;
        let code = normalise_code(&req.code).map_err(|c| FieldError::new(c, "code"))?;
        let db = ctx.db()?;
        let b: BookingRow = store::booking_by_code(&code).prepare(&db)?.first(None).await?.ok_or(ApiError::from(ErrorCode::BookingNotFound))?;
        // Already checked in: the same ticket again (a second scan is not an error).
        let existing = |db: &worker::D1Database| store::ticket_of_booking(&b.id).prepare(db);
        if b.state == BookingState::CheckedIn {
            if let Some(t) = existing(&db)?.first::<IdRow>(None).await? {
                return ctx.reply(&ticket(ctx, &t.id).await?);
            }
        }
        if b.state != BookingState::Confirmed {
            return Err(ErrorCode::InvalidTransition.into());
        }
        if b.date != today(ctx) {
            return Err(ErrorCode::NotToday.into());
        }
        let slot_start =
            NaiveDateTime::parse_from_str(&format!("{} {}", b.date, b.start), "%Y-%m-%d %H:%M").map_err(|_| ApiError::Internal("bad slot time".into()))?;
        let rules = rules_of(&db, &b.center_id).await?;
        // Too late for the booking's priority: the person still gets a place, as a walk-in, and is told.
        let late = match check_in_window(slot_start, beijing(ctx.now), &rules) {
            Err(ErrorCode::CheckInLate) => true,
            Err(e) => return Err(crate::bookings::refused(e, &rules)),
            Ok(()) => false,
        };
        let id = hex(&random::<16>().map_err(js_err)?);
        let mut batch = vec![counter(ctx, &b.class_id)?, store::check_in_booking(&b.id, ctx.now).prepare(&db)?];
        let (origin, slot) = if late { ("walk_in", None) } else { ("booking", Some(b.start.as_str())) };
        batch.extend(make_ticket(ctx, &id, &b.center_id, &b.class_id, &b.prefix, origin, Some((&b.id, slot)), true)?);
        let r = db.batch(batch).await?;
        if r[3].meta()?.and_then(|m| m.changes).unwrap_or(0) == 0 {
            // A concurrent scan got there first: answer with its ticket.
            let t = existing(&db)?.first::<IdRow>(None).await?.ok_or(ApiError::from(ErrorCode::InvalidTransition))?;
            return ctx.reply(&ticket(ctx, &t.id).await?);
        }
        let t = ticket(ctx, &id).await?;
        for_ticket(&db, &id, &Event::CheckedIn { ticket_id: id.clone(), number: t.number.clone() }, "1 = 1", true, ctx.now)?.run().await?;
        Ok(ctx.reply(&t)?.with_status(201))
    }

    /// The line a window calls: its class, or the center's any-item class for windows without one.
    async fn window_class(ctx: &Ctx, center: &str, window: u32) -> Result<WindowRow, ApiError> {
        let p = ctx.principal()?;
        require_center(p, center)?;
        store::window_line(center, window).prepare(&ctx.db()?)?.first(None).await?.ok_or(ApiError::from(ErrorCode::WindowNotFound))
    }

    fn window_no(ctx: &Ctx) -> Result<u32, ApiError> {
        ctx.params.get("number").and_then(|n| n.parse().ok()).filter(|n| *n > 0).ok_or(FieldError::new(ErrorCode::BadId, "number").into())
    }

    pub async fn call_next(ctx: &Ctx) -> Answer<ep::CallNext> {
        let p = ctx.principal()?;
        let center = ctx.slug("id")?;
        let window = window_no(ctx)?;
        let class = window_class(ctx, &center, window).await?;
        let db = ctx.db()?;
        let day = today(ctx);
        // One batch: the line's counter, then `store::call_next` (rejoin, the call, the call counter).
        let key = CallKey { center_id: &center, class_id: &class.class_id, day: &day, window, staff_id: &p.account_id, now: ctx.now };
        let mut batch = vec![counter(ctx, &class.class_id)?];
        for stmt in store::call_next(&key) {
            batch.push(stmt.prepare(&db)?);
        }
        let r = db.batch(batch).await?;
        let row = r[2].results::<CallRow>()?.into_iter().next();
        if let Some(c) = &row {
            // The holder of a booking ticket hears it on their phone, and so does whoever is now fourth.
            let turn = Event::YourTurn { ticket_id: c.id.clone(), number: c.number.clone(), window_no: window };
            let mut notes = vec![for_ticket(&db, &c.id, &turn, "1 = 1", false, ctx.now)?];
            let fourth: Option<NumberRow> = store::fourth_in_line(&class.class_id, &day).prepare(&db)?.first(None).await?;
            if let Some(n) = fourth {
                notes.push(for_ticket(
                    &db,
                    &n.id,
                    &Event::ThreeAhead { ticket_id: n.id.clone(), number: n.number.clone() },
                    "t.state = 'waiting'",
                    true,
                    ctx.now,
                )?);
            }
            db.batch(notes).await?;
        }
        let called = Called { ticket: row.map(call) };
        ctx.reply(&called)
    }

    async fn current(ctx: &Ctx, center: &str, window: u32) -> Result<Option<CurrentRow>, ApiError> {
        Ok(store::current_ticket(center, &today(ctx), window).prepare(&ctx.db()?)?.first(None).await?)
    }

    /// A window's current ticket, its line, and its day so far.
    pub async fn window_state(ctx: &Ctx) -> Answer<ep::WindowState> {
        let center = ctx.slug("id")?;
        let window = window_no(ctx)?;
        let class = window_class(ctx, &center, window).await?;
        ctx.reply(&state_of_window(ctx, &center, window, class).await?)
    }

    async fn state_of_window(ctx: &Ctx, center: &str, window: u32, class: WindowRow) -> Result<WindowState, ApiError> {
        let s: StatsRow = store::window_stats(center, &today(ctx), window, &class.class_id)
            .prepare(&ctx.db()?)?
            .first(None)
            .await?
            .ok_or_else(|| ApiError::Internal("window stats returned no row".into()))?;
        let cur = current(ctx, center, window).await?;
        Ok(WindowState {
            center_id: center.to_string(),
            window_no: window,
            class_id: class.class_id,
            class_name: tongban_shared::Text::new(class.name_zh, class.name_en),
            current: cur.map(|t| CurrentTicket { state: t.state, origin: t.origin, number: t.number, called_at: t.called_at, started_at: t.started_at }),
            waiting: s.waiting.max(0) as u32,
            stats: WindowStats {
                served: s.served.max(0) as u32,
                on_the_spot: s.on_the_spot.max(0) as u32,
                skipped: s.skipped.max(0) as u32,
                avg_wait_minutes: s.wait.map(|x| (x * 10.0).round() / 10.0),
                avg_handle_minutes: s.handle.map(|x| (x * 10.0).round() / 10.0),
            },
        })
    }

    /// Recall, skip, start, finish or transfer the ticket this window called. Each is one conditional
    /// UPDATE on the ticket's current state, so a double press or two staff at once change it once.
    pub async fn window_action(ctx: &Ctx, body: Body<ep::WindowAction>) -> Answer<ep::WindowAction> {
        let center = ctx.slug("id")?;
        let window = window_no(ctx)?;
        let action = body.read(ctx)?;
        let class = window_class(ctx, &center, window).await?;
        let t = current(ctx, &center, window).await?.ok_or(ApiError::from(ErrorCode::QueueEmpty))?;
        t.state.next(action.event())?;
        let db = ctx.db()?;
        let day = today(ctx);
        let acting = store::Acting { ticket: &t.id, state: t.state.as_str(), now: ctx.now };
        let mut batch = Vec::new();
        match &action {
            WindowAction::Recall => batch.push(store::recall(acting, &center, &day).prepare(&db)?),
            WindowAction::Skip => batch.push(store::skip(acting, REJOIN_AFTER_CALLS).prepare(&db)?),
            WindowAction::Start => batch.push(store::start(acting).prepare(&db)?),
            WindowAction::Finish { outcome, item } => {
                let o = match outcome {
                    Outcome::OnTheSpot => "on_the_spot",
                    Outcome::BackOffice => "back_office",
                };
                if item.as_deref().is_some_and(|i| !tongban_shared::catalogue::is_valid_slug(i)) {
                    return Err(FieldError::new(ErrorCode::BadId, "item").into());
                }
                // The item handled (a walk-in's, recorded by staff) decides the department its review
                // and any work order belong to; an unknown id records nothing.
                batch.push(store::finish(acting, o, item.as_deref()).prepare(&db)?);
                if let Some(b) = &t.booking_id {
                    batch.push(store::booking_done_after(b, ctx.now).prepare(&db)?);
                }
                // An invitation to review, never a demand (booked visitors have an inbox).
                batch.push(for_ticket(
                    &db,
                    &t.id,
                    &Event::ReviewInvite { ticket_id: t.id.clone(), number: t.number.clone() },
                    "t.state = 'done'",
                    true,
                    ctx.now,
                )?);
            }
            WindowAction::Transfer { class_id } => {
                if class_id == &class.class_id {
                    return Err(FieldError::new(ErrorCode::InvalidTransition, "class_id").into());
                }
                let exists: Option<i64> = store::line_exists(class_id, &center).prepare(&db)?.first(Some("n")).await?;
                if exists.unwrap_or(0) == 0 {
                    return Err(FieldError::new(ErrorCode::ClassNotFound, "class_id").into());
                }
                for stmt in store::transfer(acting, class_id, &day) {
                    batch.push(stmt.prepare(&db)?);
                }
            }
        }
        let r = db.batch(batch).await?;
        // The ticket's own UPDATE decides: nothing changed means a concurrent action got there first.
        let main = if matches!(action, WindowAction::Transfer { .. }) { 2 } else { 0 };
        if r[main].meta()?.and_then(|m| m.changes).unwrap_or(0) == 0 {
            return Err(ErrorCode::InvalidTransition.into());
        }
        if action == WindowAction::Skip {
            for_ticket(&db, &t.id, &Event::Skipped { ticket_id: t.id.clone(), number: t.number.clone() }, "t.state = 'skipped'", false, ctx.now)?.run().await?;
        }
        ctx.reply(&state_of_window(ctx, &center, window, class).await?)
    }

    fn call(r: CallRow) -> Call {
        let w = r.window_no.max(0) as u32;
        Call { announcement: announcement(&r.number, w), number: r.number, window_no: w, called_at: r.called_at }
    }

    pub async fn recent_calls(ctx: &Ctx) -> Answer<ep::RecentCalls> {
        let center = ctx.slug("id")?;
        let rows: Vec<CallRow> = store::recent_calls(&center, &today(ctx)).prepare(&ctx.db()?)?.all().await?.results()?;
        let v: Vec<Call> = rows.into_iter().map(call).collect();
        ctx.reply(&v)
    }

    fn waiting(number: String, origin: Origin, slot_start: Option<String>, day: &str, seq: i64, transferred: bool) -> Waiting {
        Waiting {
            transferred,
            ticket: number,
            origin,
            slot_start: slot_start.and_then(|s| NaiveDateTime::parse_from_str(&format!("{day} {s}"), "%Y-%m-%d %H:%M").ok()),
            seq: seq.max(0) as u32,
        }
    }

    /// A ticket with its live position: how many waiting tickets the shared service order puts first.
    async fn ticket(ctx: &Ctx, id: &str) -> Result<Ticket, ApiError> {
        let db = ctx.db()?;
        let t: TicketRow = store::ticket(id).prepare(&db)?.first(None).await?.ok_or(ApiError::from(ErrorCode::TicketNotFound))?;
        let state = t.state;
        let ahead = if state == TicketState::Waiting {
            let rows: Vec<WaitingRow> = store::waiting_in(&t.class_id, &t.day).prepare(&db)?.all().await?.results()?;
            let me = waiting(t.number.clone(), t.origin, t.slot_start.clone(), &t.day, t.seq, t.transferred_from.is_some());
            rows.into_iter()
                .map(|r| waiting(r.number, r.origin, r.slot_start, &t.day, r.seq, r.transferred_from.is_some()))
                .filter(|w| priority(w) < priority(&me))
                .count() as u32
        } else {
            0
        };
        let minutes = if state == TicketState::Waiting {
            // Today's recent services of this line set the pace once there are a few of them.
            let recent: Vec<HandlingRow> = store::recent_handling(&t.class_id, &t.day).prepare(&db)?.all().await?.results()?;
            let avg = handling_minutes(&recent.iter().map(|h| h.secs).collect::<Vec<_>>(), t.avg_minutes.max(1) as u32);
            estimated_wait_minutes(ahead, t.open_windows.max(0) as u32, avg)
        } else {
            0
        };
        Ok(Ticket {
            estimated_wait_minutes: minutes,
            origin: t.origin,
            window_no: t.window_no.map(|w| w.max(0) as u32),
            id: t.id,
            number: t.number,
            center_id: t.center_id,
            state,
            ahead,
            // The code is for the paper slip of a walk-in: a booked visit is reviewed by the booking's owner,
            // signed in, so its code is never handed out (a counter check-in answers with this view too).
            review_code: t.review_code.filter(|_| t.origin != Origin::Booking),
            reviewed: t.reviewed != 0,
        })
    }

    /// The center's lines with how many wait in each (public: the kiosk and the hall display).
    pub async fn classes(ctx: &Ctx) -> Answer<ep::ListClasses> {
        let center = ctx.slug("id")?;
        let rows: Vec<LineRow> = store::lines(&center, &today(ctx)).prepare(&ctx.db()?)?.all().await?.results()?;
        if rows.is_empty() {
            return Err(ErrorCode::CenterNotFound.into());
        }
        let v: Vec<tongban_shared::queue::QueueClass> = rows
            .into_iter()
            .map(|r| tongban_shared::queue::QueueClass {
                any_item: r.kind == "any",
                name: tongban_shared::Text::new(r.name_zh, r.name_en),
                id: r.id,
                prefix: r.prefix,
                waiting: r.waiting.max(0) as u32,
            })
            .collect();
        ctx.reply(&v)
    }

    pub async fn get_ticket(ctx: &Ctx) -> Answer<ep::GetTicket> {
        let id = ctx.hex_id("id")?;
        ctx.reply(&ticket(ctx, &id).await?)
    }
}
