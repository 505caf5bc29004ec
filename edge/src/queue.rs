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
    use crate::bookings::beijing;
    use crate::crypto::{hex, random};
    use crate::error::ApiError;
    use crate::http::Ctx;
    use crate::sessions::js_err;
    use chrono::NaiveDateTime;
    use serde::Deserialize;
    use tongban_shared::account::Role;
    use tongban_shared::booking::{check_in_window, normalise_code, BookingRules};
    use tongban_shared::queue::{announcement, estimated_wait_minutes, priority, Call, Called, CheckIn, Origin, Ticket, TicketState, Waiting};
    use tongban_shared::{ErrorCode, FieldError};
    use wasm_bindgen::JsValue;
    use worker::{D1PreparedStatement, Response};

    fn today(ctx: &Ctx) -> String {
        beijing(ctx.now).date().to_string()
    }

    /// The statements that number and create a ticket; `guarded` makes them depend on the statement
    /// before them having changed a row (check-in: only if the booking was really checked in now).
    fn make_ticket(ctx: &Ctx, id: &str, center: &str, class_id: &str, prefix: &str, origin: &str, booking: Option<(&str, &str)>, guarded: bool) -> Result<Vec<D1PreparedStatement>, ApiError> {
        let db = ctx.db()?;
        let (cls, day) = (JsValue::from_str(class_id), JsValue::from_str(&today(ctx)));
        let guard = if guarded { " AND changes() = 1" } else { "" };
        Ok(vec![
            db.prepare(format!("UPDATE ticket_counters SET last = last + 1 WHERE class_id = ?1 AND day = ?2{guard}")).bind(&[cls.clone(), day.clone()])?,
            db.prepare(format!(
                "INSERT INTO tickets (id, center_id, class_id, day, seq, number, origin, booking_id, slot_start, state, created_at) \
                 SELECT ?3, ?4, ?1, ?2, last, printf('%s%03d', ?5, last), ?6, ?7, ?8, 'waiting', ?9 FROM ticket_counters WHERE class_id = ?1 AND day = ?2{guard}"
            ))
            .bind(&[
                cls,
                day,
                JsValue::from_str(id),
                JsValue::from_str(center),
                JsValue::from_str(prefix),
                JsValue::from_str(origin),
                booking.map_or(JsValue::NULL, |b| JsValue::from_str(b.0)),
                booking.map_or(JsValue::NULL, |b| JsValue::from_str(b.1)),
                JsValue::from_f64(ctx.now as f64),
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

    pub async fn walk_in(ctx: &Ctx) -> Result<Response, ApiError> {
        let center = ctx.slug("id")?;
        let class: ClassRow = ctx
            .db()?
            .prepare("SELECT id, prefix FROM window_classes WHERE center_id = ?1 ORDER BY prefix LIMIT 1")
            .bind(&[JsValue::from_str(&center)])?
            .first(None)
            .await?
            .ok_or(ApiError::from(ErrorCode::CenterNotFound))?;
        let id = hex(&random::<16>().map_err(js_err)?);
        let mut batch = vec![counter(ctx, &class.id)?];
        batch.extend(make_ticket(ctx, &id, &center, &class.id, &class.prefix, "walk_in", None, false)?);
        ctx.db()?.batch(batch).await?;
        Ok(ctx.json(&ticket(ctx, &id).await?, ctx.route.cache)?.with_status(201))
    }

    #[derive(Deserialize)]
    struct BookingRow {
        id: String,
        state: String,
        date: String,
        start: String,
        center_id: String,
        class_id: String,
        prefix: String,
    }

    pub async fn check_in(ctx: &Ctx) -> Result<Response, ApiError> {
        let req: CheckIn = ctx.json_body()?;
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
        if b.state == "checked_in" {
            if let Some(t) = existing(&db)?.first::<Existing>(None).await? {
                return ctx.json(&ticket(ctx, &t.id).await?, ctx.route.cache);
            }
        }
        if b.state != "confirmed" {
            return Err(ErrorCode::InvalidTransition.into());
        }
        if b.date != today(ctx) {
            return Err(ErrorCode::NotToday.into());
        }
        let slot_start = NaiveDateTime::parse_from_str(&format!("{} {}", b.date, b.start), "%Y-%m-%d %H:%M")
            .map_err(|_| ApiError::Internal("bad slot time".into()))?;
        check_in_window(slot_start, beijing(ctx.now), &BookingRules::default())?;
        let id = hex(&random::<16>().map_err(js_err)?);
        let mut batch = vec![
            counter(ctx, &b.class_id)?,
            db.prepare("UPDATE bookings SET state = 'checked_in', updated_at = ?2 WHERE id = ?1 AND state = 'confirmed'")
                .bind(&[JsValue::from_str(&b.id), JsValue::from_f64(ctx.now as f64)])?,
        ];
        batch.extend(make_ticket(ctx, &id, &b.center_id, &b.class_id, &b.prefix, "booking", Some((&b.id, &b.start)), true)?);
        let r = db.batch(batch).await?;
        if r[3].meta()?.and_then(|m| m.changes).unwrap_or(0) == 0 {
            // A concurrent scan got there first: answer with its ticket.
            let t = existing(&db)?.first::<Existing>(None).await?.ok_or(ApiError::from(ErrorCode::InvalidTransition))?;
            return ctx.json(&ticket(ctx, &t.id).await?, ctx.route.cache);
        }
        Ok(ctx.json(&ticket(ctx, &id).await?, ctx.route.cache)?.with_status(201))
    }

    #[derive(Deserialize)]
    struct CallRow {
        number: String,
        window_no: i64,
        called_at: i64,
    }

    pub async fn call_next(ctx: &Ctx) -> Result<Response, ApiError> {
        let p = ctx.principal()?;
        let center = ctx.slug("id")?;
        let window: u32 = ctx.params.get("number").and_then(|n| n.parse().ok()).filter(|n| *n > 0).ok_or(FieldError::new(ErrorCode::BadId, "number"))?;
        if p.role != Role::DistrictAdmin && p.center_id.as_deref() != Some(center.as_str()) {
            return Err(ErrorCode::WrongCenter.into());
        }
        let db = ctx.db()?;
        let exists: Option<i64> = db
            .prepare("SELECT count(*) AS n FROM windows WHERE center_id = ?1 AND number = ?2")
            .bind(&[JsValue::from_str(&center), JsValue::from_f64(f64::from(window))])?
            .first(Some("n"))
            .await?;
        if exists.unwrap_or(0) == 0 {
            return Err(ErrorCode::WindowNotFound.into());
        }
        // One statement: the head of the service order becomes "called" by this window, or nothing does.
        let row: Option<CallRow> = db
            .prepare(
                "UPDATE tickets SET state = 'called', window_no = ?3, called_by = ?4, called_at = ?5, \
                 call_no = (SELECT coalesce(max(call_no), 0) + 1 FROM tickets WHERE center_id = ?1 AND day = ?2) \
                 WHERE id = (SELECT id FROM tickets WHERE center_id = ?1 AND day = ?2 AND state = 'waiting' \
                             ORDER BY CASE origin WHEN 'booking' THEN 0 ELSE 1 END, slot_start, seq LIMIT 1) \
                 RETURNING number, window_no, called_at",
            )
            .bind(&[
                JsValue::from_str(&center),
                JsValue::from_str(&today(ctx)),
                JsValue::from_f64(f64::from(window)),
                JsValue::from_str(&p.account_id),
                JsValue::from_f64(ctx.now as f64),
            ])?
            .first(None)
            .await?;
        let called = Called { ticket: row.map(|r| call(r)) };
        ctx.json(&called, ctx.route.cache)
    }

    fn call(r: CallRow) -> Call {
        let w = r.window_no.max(0) as u32;
        Call { announcement: announcement(&r.number, w), number: r.number, window_no: w, called_at: r.called_at }
    }

    pub async fn recent_calls(ctx: &Ctx) -> Result<Response, ApiError> {
        let center = ctx.slug("id")?;
        let rows: Vec<CallRow> = ctx
            .db()?
            .prepare("SELECT number, window_no, called_at FROM tickets WHERE center_id = ?1 AND day = ?2 AND call_no IS NOT NULL ORDER BY call_no DESC LIMIT 10")
            .bind(&[JsValue::from_str(&center), JsValue::from_str(&today(ctx))])?
            .all()
            .await?
            .results()?;
        let v: Vec<Call> = rows.into_iter().map(call).collect();
        ctx.json(&v, ctx.route.cache)
    }

    #[derive(Deserialize)]
    struct TicketRow {
        id: String,
        number: String,
        center_id: String,
        class_id: String,
        day: String,
        origin: String,
        state: String,
        window_no: Option<i64>,
        seq: i64,
        slot_start: Option<String>,
        open_windows: i64,
        avg_minutes: i64,
    }

    #[derive(Deserialize)]
    struct WaitingRow {
        number: String,
        origin: String,
        slot_start: Option<String>,
        seq: i64,
    }

    fn waiting(number: String, origin: &str, slot_start: Option<String>, day: &str, seq: i64) -> Waiting {
        Waiting {
            ticket: number,
            origin: if origin == "booking" { Origin::Booking } else { Origin::WalkIn },
            slot_start: slot_start.and_then(|s| NaiveDateTime::parse_from_str(&format!("{day} {s}"), "%Y-%m-%d %H:%M").ok()),
            seq: seq.max(0) as u32,
        }
    }

    /// A ticket with its live position: how many waiting tickets the shared service order puts first.
    async fn ticket(ctx: &Ctx, id: &str) -> Result<Ticket, ApiError> {
        let db = ctx.db()?;
        let t: TicketRow = db
            .prepare("SELECT t.id, t.number, t.center_id, t.class_id, t.day, t.origin, t.state, t.window_no, t.seq, t.slot_start, w.open_windows, w.avg_minutes FROM tickets t JOIN window_classes w ON w.id = t.class_id WHERE t.id = ?1")
            .bind(&[JsValue::from_str(id)])?
            .first(None)
            .await?
            .ok_or(ApiError::from(ErrorCode::TicketNotFound))?;
        let state: TicketState = serde_json::from_value(serde_json::Value::String(t.state.clone())).unwrap_or(TicketState::Waiting);
        let ahead = if state == TicketState::Waiting {
            let rows: Vec<WaitingRow> = db
                .prepare("SELECT number, origin, slot_start, seq FROM tickets WHERE class_id = ?1 AND day = ?2 AND state = 'waiting'")
                .bind(&[JsValue::from_str(&t.class_id), JsValue::from_str(&t.day)])?
                .all()
                .await?
                .results()?;
            let me = waiting(t.number.clone(), &t.origin, t.slot_start.clone(), &t.day, t.seq);
            rows.into_iter().map(|r| waiting(r.number, &r.origin, r.slot_start, &t.day, r.seq)).filter(|w| priority(w) < priority(&me)).count() as u32
        } else {
            0
        };
        Ok(Ticket {
            estimated_wait_minutes: if state == TicketState::Waiting { estimated_wait_minutes(ahead, t.open_windows.max(0) as u32, t.avg_minutes as f64) } else { 0 },
            origin: if t.origin == "booking" { Origin::Booking } else { Origin::WalkIn },
            window_no: t.window_no.map(|w| w.max(0) as u32),
            id: t.id,
            number: t.number,
            center_id: t.center_id,
            state,
            ahead,
        })
    }

    pub async fn get_ticket(ctx: &Ctx) -> Result<Response, ApiError> {
        let id = ctx.hex_id("id")?;
        ctx.json(&ticket(ctx, &id).await?, ctx.route.cache)
    }
}
