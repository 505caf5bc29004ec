//! The hall queue: walk-in tickets (取号), check-in with a booking code (签到), "call next" at a window
//! (叫号), a ticket's live position, and the display's recent calls.
//!
//! Numbers come from `ticket_counters` inside the same batch that makes the ticket. "Call next" is one
//! UPDATE whose subquery picks the head of the service order, so concurrent calls from two windows get
//! two different tickets (or nothing).

#[cfg(target_arch = "wasm32")]
pub use wasm::*;

#[cfg(target_arch = "wasm32")]
mod wasm {
    use crate::bookings::rules_of;
    use crate::crypto::{hex, random};
    use crate::error::js_err;
    use crate::error::ApiError;
    use crate::http::{Answer, Body, Ctx};
    use crate::notifications::for_ticket;
    use crate::routes::ep;
    use chrono::NaiveDateTime;
    use serde::Deserialize;
    use tongban_shared::authz::require_center;
    use tongban_shared::booking::{check_in_window, normalise_code, BookingState};
    use tongban_shared::notify::Event;
    use tongban_shared::queue::{
        announcement, estimated_wait_minutes, handling_minutes, priority, Call, Called, CurrentTicket, Origin, Outcome, Ticket, TicketState, Waiting,
        WindowAction, WindowState, WindowStats, REJOIN_AFTER_CALLS, SERVICE_ORDER_SQL,
    };
    use tongban_shared::time::beijing;
    use tongban_shared::{ErrorCode, FieldError};
    use wasm_bindgen::JsValue;
    use worker::D1PreparedStatement;

    fn today(ctx: &Ctx) -> String {
        beijing(ctx.now).date().to_string()
    }

    /// The statements that number and create a ticket; `guarded` makes them depend on the statement
    /// before them having changed a row (check-in: only if the booking was really checked in now).
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
        let (cls, day) = (JsValue::from_str(class_id), JsValue::from_str(&today(ctx)));
        let guard = if guarded { " AND changes() = 1" } else { "" };
        Ok(vec![
            db.prepare(format!("UPDATE ticket_counters SET last = last + 1 WHERE class_id = ?1 AND day = ?2{guard}")).bind(&[cls.clone(), day.clone()])?,
            db.prepare(format!(
                "INSERT INTO tickets (id, center_id, class_id, day, seq, number, origin, booking_id, slot_start, state, created_at, review_code) \
                 SELECT ?3, ?4, ?1, ?2, last, printf('%s%03d', ?5, last), ?6, ?7, ?8, 'waiting', ?9, ?10 FROM ticket_counters WHERE class_id = ?1 AND day = ?2{guard}"
            ))
            .bind(&[
                cls,
                day,
                JsValue::from_str(id),
                JsValue::from_str(center),
                JsValue::from_str(prefix),
                JsValue::from_str(origin),
                booking.map_or(JsValue::NULL, |b| JsValue::from_str(b.0)),
                booking.and_then(|b| b.1).map_or(JsValue::NULL, JsValue::from_str),
                JsValue::from_f64(ctx.now as f64),
                JsValue::from_str(&tongban_shared::review::review_code(&crate::crypto::random::<8>().map_err(crate::error::js_err)?)),
            ])?,
        ])
    }

    fn counter(ctx: &Ctx, class_id: &str) -> Result<D1PreparedStatement, ApiError> {
        Ok(ctx
            .db()?
            .prepare("INSERT OR IGNORE INTO ticket_counters (class_id, day, last) VALUES (?1, ?2, 0)")
            .bind(&[JsValue::from_str(class_id), JsValue::from_str(&today(ctx))])?)
    }

    #[derive(Deserialize)]
    struct ClassRow {
        id: String,
        prefix: String,
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
        let class: Option<ClassRow> = ctx
            .db()?
            .prepare("SELECT id, prefix FROM window_classes WHERE center_id = ?1 AND (id = ?2 OR (?2 IS NULL AND kind = 'any')) ORDER BY prefix LIMIT 1")
            .bind(&[JsValue::from_str(&center), wanted.as_deref().map_or(JsValue::NULL, JsValue::from_str)])?
            .first(None)
            .await?;
        let class = class.ok_or(ApiError::from(if wanted.is_some() { ErrorCode::ClassNotFound } else { ErrorCode::CenterNotFound }))?;
        let id = hex(&random::<16>().map_err(js_err)?);
        let mut batch = vec![counter(ctx, &class.id)?];
        batch.extend(make_ticket(ctx, &id, &center, &class.id, &class.prefix, "walk_in", None, false)?);
        ctx.db()?.batch(batch).await?;
        Ok(ctx.reply(&ticket(ctx, &id).await?)?.with_status(201))
    }

    #[derive(Deserialize)]
    struct BookingRow {
        id: String,
        state: BookingState,
        date: String,
        start: String,
        center_id: String,
        class_id: String,
        prefix: String,
    }

    pub async fn check_in(ctx: &Ctx, body: Body<ep::CheckIn>) -> Answer<ep::CheckIn> {
        let req = body.read(ctx)?;
        let code = normalise_code(&req.code).map_err(|c| FieldError::new(c, "code"))?;
        let db = ctx.db()?;
        let b: BookingRow = db
            .prepare("SELECT b.id, b.state, b.date, b.start, b.center_id, s.class_id, w.prefix FROM bookings b JOIN slots s ON s.id = b.slot_id JOIN window_classes w ON w.id = s.class_id WHERE b.code = ?1")
            .bind(&[JsValue::from_str(&code)])?
            .first(None)
            .await?
            .ok_or(ApiError::from(ErrorCode::BookingNotFound))?;
        // Already checked in: the same ticket again (a second scan is not an error).
        #[derive(Deserialize)]
        struct Existing {
            id: String,
        }
        let existing = |db: &worker::D1Database| -> Result<D1PreparedStatement, ApiError> {
            Ok(db.prepare("SELECT id FROM tickets WHERE booking_id = ?1").bind(&[JsValue::from_str(&b.id)])?)
        };
        if b.state == BookingState::CheckedIn {
            if let Some(t) = existing(&db)?.first::<Existing>(None).await? {
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
        let mut batch = vec![
            counter(ctx, &b.class_id)?,
            db.prepare("UPDATE bookings SET state = 'checked_in', updated_at = ?2 WHERE id = ?1 AND state = 'confirmed'")
                .bind(&[JsValue::from_str(&b.id), JsValue::from_f64(ctx.now as f64)])?,
        ];
        let (origin, slot) = if late { ("walk_in", None) } else { ("booking", Some(b.start.as_str())) };
        batch.extend(make_ticket(ctx, &id, &b.center_id, &b.class_id, &b.prefix, origin, Some((&b.id, slot)), true)?);
        let r = db.batch(batch).await?;
        if r[3].meta()?.and_then(|m| m.changes).unwrap_or(0) == 0 {
            // A concurrent scan got there first: answer with its ticket.
            let t = existing(&db)?.first::<Existing>(None).await?.ok_or(ApiError::from(ErrorCode::InvalidTransition))?;
            return ctx.reply(&ticket(ctx, &t.id).await?);
        }
        let t = ticket(ctx, &id).await?;
        for_ticket(&db, &id, &Event::CheckedIn { ticket_id: id.clone(), number: t.number.clone() }, "1 = 1", true, ctx.now)?.run().await?;
        Ok(ctx.reply(&t)?.with_status(201))
    }

    #[derive(Deserialize)]
    struct CallRow {
        #[serde(default)]
        id: String,
        number: String,
        window_no: i64,
        called_at: i64,
    }

    #[derive(Deserialize)]
    struct WindowRow {
        class_id: String,
        name_zh: String,
        name_en: String,
    }

    /// The line a window calls: its class, or the center's any-item class for windows without one.
    async fn window_class(ctx: &Ctx, center: &str, window: u32) -> Result<WindowRow, ApiError> {
        let p = ctx.principal()?;
        require_center(p, center)?;
        ctx.db()?
            .prepare(
                "SELECT k.id AS class_id, k.name_zh, k.name_en FROM windows w JOIN window_classes k ON k.id = coalesce(w.class_id, \
                 (SELECT id FROM window_classes WHERE center_id = w.center_id AND kind = 'any' ORDER BY prefix LIMIT 1)) \
                 WHERE w.center_id = ?1 AND w.number = ?2",
            )
            .bind(&[JsValue::from_str(center), JsValue::from_f64(f64::from(window))])?
            .first(None)
            .await?
            .ok_or(ApiError::from(ErrorCode::WindowNotFound))
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
        let (cls, day) = (JsValue::from_str(&class.class_id), JsValue::from_str(&today(ctx)));
        // One batch: skipped tickets whose turn has come rejoin, then one UPDATE makes the head of the
        // line "called" by this window (or nothing), and the class's call counter moves only if it did.
        let r = db
            .batch(vec![
                counter(ctx, &class.class_id)?,
                db.prepare(
                    "UPDATE tickets SET state = 'waiting' WHERE class_id = ?1 AND day = ?2 AND state = 'skipped' \
                     AND rejoin_after_call <= (SELECT calls FROM ticket_counters WHERE class_id = ?1 AND day = ?2)",
                )
                .bind(&[cls.clone(), day.clone()])?,
                db.prepare(format!(
                    "UPDATE tickets SET state = 'called', window_no = ?3, called_by = ?4, called_at = ?5, \
                     call_no = (SELECT coalesce(max(call_no), 0) + 1 FROM tickets WHERE center_id = ?6 AND day = ?2), \
                     class_calls = (SELECT calls + 1 FROM ticket_counters WHERE class_id = ?1 AND day = ?2) \
                     WHERE id = (SELECT id FROM tickets WHERE class_id = ?1 AND day = ?2 AND state = 'waiting' ORDER BY {SERVICE_ORDER_SQL} LIMIT 1) \
                     RETURNING id, number, window_no, called_at"
                ))
                .bind(&[
                    cls.clone(),
                    day.clone(),
                    JsValue::from_f64(f64::from(window)),
                    JsValue::from_str(&p.account_id),
                    JsValue::from_f64(ctx.now as f64),
                    JsValue::from_str(&center),
                ])?,
                db.prepare("UPDATE ticket_counters SET calls = calls + 1 WHERE class_id = ?1 AND day = ?2 AND changes() = 1").bind(&[cls, day])?,
            ])
            .await?;
        let row = r[2].results::<CallRow>()?.into_iter().next();
        if let Some(c) = &row {
            // The holder of a booking ticket hears it on their phone, and so does whoever is now fourth.
            let turn = Event::YourTurn { ticket_id: c.id.clone(), number: c.number.clone(), window_no: window };
            let mut notes = vec![for_ticket(&db, &c.id, &turn, "1 = 1", false, ctx.now)?];
            #[derive(Deserialize)]
            struct Next {
                id: String,
                number: String,
            }
            let fourth: Option<Next> = db
                .prepare(format!(
                    "SELECT id, number FROM tickets WHERE class_id = ?1 AND day = ?2 AND state = 'waiting' ORDER BY {SERVICE_ORDER_SQL} LIMIT 1 OFFSET 3"
                ))
                .bind(&[JsValue::from_str(&class.class_id), JsValue::from_str(&today(ctx))])?
                .first(None)
                .await?;
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

    #[derive(Deserialize)]
    struct CurrentRow {
        id: String,
        number: String,
        state: TicketState,
        origin: Origin,
        called_at: Option<i64>,
        started_at: Option<i64>,
        booking_id: Option<String>,
    }

    async fn current(ctx: &Ctx, center: &str, window: u32) -> Result<Option<CurrentRow>, ApiError> {
        Ok(ctx
            .db()?
            .prepare(
                "SELECT id, number, state, origin, called_at, started_at, booking_id FROM tickets \
                 WHERE center_id = ?1 AND day = ?2 AND window_no = ?3 AND state IN ('called', 'serving') ORDER BY call_no DESC LIMIT 1",
            )
            .bind(&[JsValue::from_str(center), JsValue::from_str(&today(ctx)), JsValue::from_f64(f64::from(window))])?
            .first(None)
            .await?)
    }

    /// A window's current ticket, its line, and its day so far.
    pub async fn window_state(ctx: &Ctx) -> Answer<ep::WindowState> {
        let center = ctx.slug("id")?;
        let window = window_no(ctx)?;
        let class = window_class(ctx, &center, window).await?;
        ctx.reply(&state_of_window(ctx, &center, window, class).await?)
    }

    async fn state_of_window(ctx: &Ctx, center: &str, window: u32, class: WindowRow) -> Result<WindowState, ApiError> {
        #[derive(Deserialize)]
        struct S {
            waiting: i64,
            served: i64,
            on_the_spot: i64,
            skipped: i64,
            wait: Option<f64>,
            handle: Option<f64>,
        }
        let db = ctx.db()?;
        let (c, day, w) = (JsValue::from_str(center), JsValue::from_str(&today(ctx)), JsValue::from_f64(f64::from(window)));
        let s: S = db
            .prepare(
                "SELECT (SELECT count(*) FROM tickets WHERE class_id = ?4 AND day = ?2 AND state IN ('waiting', 'skipped')) AS waiting, \
                 (SELECT count(*) FROM tickets WHERE center_id = ?1 AND day = ?2 AND window_no = ?3 AND state = 'done') AS served, \
                 (SELECT count(*) FROM tickets WHERE center_id = ?1 AND day = ?2 AND window_no = ?3 AND outcome = 'on_the_spot') AS on_the_spot, \
                 (SELECT count(*) FROM tickets WHERE center_id = ?1 AND day = ?2 AND window_no = ?3 AND state = 'skipped') AS skipped, \
                 (SELECT avg(called_at - created_at) / 60.0 FROM tickets WHERE center_id = ?1 AND day = ?2 AND window_no = ?3 AND called_at IS NOT NULL) AS wait, \
                 (SELECT avg(finished_at - started_at) / 60.0 FROM tickets WHERE center_id = ?1 AND day = ?2 AND window_no = ?3 AND finished_at IS NOT NULL) AS handle",
            )
            .bind(&[c, day, w, JsValue::from_str(&class.class_id)])?
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
        let (id, now, day) = (JsValue::from_str(&t.id), JsValue::from_f64(ctx.now as f64), JsValue::from_str(&today(ctx)));
        let st = JsValue::from_str(t.state.as_str());
        let mut batch = Vec::new();
        match &action {
            WindowAction::Recall => batch.push(
                db.prepare(
                    "UPDATE tickets SET recalls = recalls + 1, called_at = ?2, call_no = (SELECT coalesce(max(call_no), 0) + 1 FROM tickets WHERE center_id = ?4 AND day = ?5) \
                     WHERE id = ?1 AND state = ?3",
                )
                .bind(&[id, now, st, JsValue::from_str(&center), day])?,
            ),
            WindowAction::Skip => batch.push(
                db.prepare(
                    "UPDATE tickets SET state = 'skipped', rejoin_after_call = (SELECT calls FROM ticket_counters WHERE class_id = tickets.class_id AND day = tickets.day) + ?4 \
                     WHERE id = ?1 AND state = ?3 AND ?2 IS NOT NULL",
                )
                .bind(&[id, now, st, JsValue::from_f64(f64::from(REJOIN_AFTER_CALLS))])?,
            ),
            WindowAction::Start => batch.push(db.prepare("UPDATE tickets SET state = 'serving', started_at = ?2 WHERE id = ?1 AND state = ?3").bind(&[id, now, st])?),
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
                batch.push(
                    db.prepare("UPDATE tickets SET state = 'done', finished_at = ?2, outcome = ?4, item_id = coalesce((SELECT id FROM items WHERE id = ?5), item_id) WHERE id = ?1 AND state = ?3")
                        .bind(&[id, now.clone(), st, JsValue::from_str(o), item.as_deref().map_or(JsValue::NULL, JsValue::from_str)])?,
                );
                if let Some(b) = &t.booking_id {
                    batch.push(db.prepare("UPDATE bookings SET state = 'done', updated_at = ?2 WHERE id = ?1 AND state = 'checked_in' AND changes() = 1").bind(&[JsValue::from_str(b), now])?);
                }
                // An invitation to review, never a demand (booked visitors have an inbox).
                batch.push(for_ticket(&db, &t.id, &Event::ReviewInvite { ticket_id: t.id.clone(), number: t.number.clone() }, "t.state = 'done'", true, ctx.now)?);
            }
            WindowAction::Transfer { class_id } => {
                if class_id == &class.class_id {
                    return Err(FieldError::new(ErrorCode::InvalidTransition, "class_id").into());
                }
                let exists: Option<i64> = db
                    .prepare("SELECT count(*) AS n FROM window_classes WHERE id = ?1 AND center_id = ?2")
                    .bind(&[JsValue::from_str(class_id), JsValue::from_str(&center)])?
                    .first(Some("n"))
                    .await?;
                if exists.unwrap_or(0) == 0 {
                    return Err(FieldError::new(ErrorCode::ClassNotFound, "class_id").into());
                }
                let to = JsValue::from_str(class_id);
                batch.push(db.prepare("INSERT OR IGNORE INTO ticket_counters (class_id, day, last) VALUES (?1, ?2, 0)").bind(&[to.clone(), day.clone()])?);
                batch.push(db.prepare("UPDATE ticket_counters SET last = last + 1 WHERE class_id = ?1 AND day = ?2").bind(&[to.clone(), day.clone()])?);
                // A fresh sequence number in the new line keeps (class, day, seq) unique; the printed
                // number stays what the person holds, and `transferred_from` puts it first.
                batch.push(
                    db.prepare(
                        "UPDATE tickets SET state = 'waiting', transferred_from = class_id, class_id = ?4, window_no = NULL, \
                         seq = (SELECT last FROM ticket_counters WHERE class_id = ?4 AND day = ?5) WHERE id = ?1 AND state = ?3 AND ?2 IS NOT NULL",
                    )
                    .bind(&[id, now, st, to, day])?,
                );
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
        let rows: Vec<CallRow> = ctx
            .db()?
            // A transferred ticket keeps its call number but waits again with no window: not a call to show.
            .prepare("SELECT number, window_no, called_at FROM tickets WHERE center_id = ?1 AND day = ?2 AND call_no IS NOT NULL AND window_no IS NOT NULL ORDER BY call_no DESC LIMIT 10")
            .bind(&[JsValue::from_str(&center), JsValue::from_str(&today(ctx))])?
            .all()
            .await?
            .results()?;
        let v: Vec<Call> = rows.into_iter().map(call).collect();
        ctx.reply(&v)
    }

    #[derive(Deserialize)]
    struct TicketRow {
        id: String,
        number: String,
        center_id: String,
        class_id: String,
        day: String,
        origin: Origin,
        state: TicketState,
        window_no: Option<i64>,
        seq: i64,
        slot_start: Option<String>,
        open_windows: i64,
        avg_minutes: i64,
        transferred_from: Option<String>,
        review_code: Option<String>,
        reviewed: i64,
    }

    #[derive(Deserialize)]
    struct WaitingRow {
        number: String,
        origin: Origin,
        slot_start: Option<String>,
        seq: i64,
        transferred_from: Option<String>,
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
        let t: TicketRow = db
            .prepare("SELECT t.id, t.number, t.center_id, t.class_id, t.day, t.origin, t.state, t.window_no, t.seq, t.slot_start, w.open_windows, w.avg_minutes, t.transferred_from, t.review_code, \
                      EXISTS (SELECT 1 FROM reviews r WHERE r.event_kind = 'ticket' AND r.event_id = t.id) AS reviewed FROM tickets t JOIN window_classes w ON w.id = t.class_id WHERE t.id = ?1")
            .bind(&[JsValue::from_str(id)])?
            .first(None)
            .await?
            .ok_or(ApiError::from(ErrorCode::TicketNotFound))?;
        let state = t.state;
        let ahead = if state == TicketState::Waiting {
            let rows: Vec<WaitingRow> = db
                .prepare("SELECT number, origin, slot_start, seq, transferred_from FROM tickets WHERE class_id = ?1 AND day = ?2 AND state = 'waiting'")
                .bind(&[JsValue::from_str(&t.class_id), JsValue::from_str(&t.day)])?
                .all()
                .await?
                .results()?;
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
            #[derive(Deserialize)]
            struct H {
                secs: i64,
            }
            let recent: Vec<H> = db
                .prepare("SELECT finished_at - started_at AS secs FROM tickets WHERE class_id = ?1 AND day = ?2 AND finished_at IS NOT NULL ORDER BY finished_at DESC LIMIT 10")
                .bind(&[JsValue::from_str(&t.class_id), JsValue::from_str(&t.day)])?
                .all()
                .await?
                .results()?;
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
        #[derive(Deserialize)]
        struct R {
            id: String,
            prefix: String,
            name_zh: String,
            name_en: String,
            kind: String,
            waiting: i64,
        }
        let center = ctx.slug("id")?;
        let rows: Vec<R> = ctx
            .db()?
            .prepare(
                "SELECT k.id, k.prefix, k.name_zh, k.name_en, k.kind,                  (SELECT count(*) FROM tickets t WHERE t.class_id = k.id AND t.day = ?2 AND t.state IN ('waiting', 'skipped')) AS waiting                  FROM window_classes k WHERE k.center_id = ?1 ORDER BY k.prefix",
            )
            .bind(&[JsValue::from_str(&center), JsValue::from_str(&today(ctx))])?
            .all()
            .await?
            .results()?;
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
