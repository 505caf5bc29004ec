//! `/api/v1/centers/{id}/availability` and `/api/v1/bookings…`: bookable days and slots with remaining
//! seats; booking, listing and cancelling.
//!
//! A booking is one D1 batch (one transaction, D1 being a single writer per database):
//! 1. make the slot row if it is the first booking of that slot;
//! 2. `UPDATE slots SET booked = booked + 1` only if a seat is free, the idempotency key is unused, and
//!    the person's limits hold — so neither concurrency nor a double-click can overbook or double-book;
//! 3. insert the booking only if step 2 changed a row (`changes() = 1`).
//! The `CHECK (booked <= capacity)` on `slots` stands behind step 2.

use chrono::{NaiveDate, NaiveDateTime};
use tongban_shared::calendar::Calendar;

/// Local time of the centers (China Standard Time, UTC+8, no daylight saving) from epoch seconds.
pub fn beijing(epoch: i64) -> NaiveDateTime {
    chrono::DateTime::from_timestamp(epoch + 8 * 3600, 0).map(|d| d.naive_utc()).unwrap_or_default()
}

pub fn slot_id(class_id: &str, date: NaiveDate, start: &str) -> String {
    format!("{class_id}@{date}T{start}")
}

/// The calendar from `calendar_days` rows of (day, kind).
pub fn calendar(rows: &[(String, String)]) -> Calendar {
    let mut c = Calendar::default();
    for (day, kind) in rows {
        if let Ok(d) = NaiveDate::parse_from_str(day, "%Y-%m-%d") {
            if kind == "holiday" {
                c.holidays.insert(d);
            } else {
                c.extra_workdays.insert(d);
            }
        }
    }
    c
}

/// An Idempotency-Key header value: 8–64 visible ASCII characters.
pub fn idempotency_key(h: Option<&str>) -> Option<String> {
    h.map(str::trim).filter(|k| (8..=64).contains(&k.len()) && k.bytes().all(|b| b.is_ascii_graphic())).map(str::to_string)
}

#[cfg(target_arch = "wasm32")]
pub use wasm::*;

#[cfg(target_arch = "wasm32")]
mod wasm {
    use super::*;
    use crate::crypto::{hex, random};
    use crate::error::ApiError;
    use crate::http::Ctx;
    use crate::sessions::js_err;
    use chrono::Datelike;
    use serde::Deserialize;
    use tongban_shared::booking::{
        check_cancel, check_date, encode_code, slot_capacity, slot_starts, Availability, Booking, BookingRules, BookingState,
        DayAvailability, NewBooking, SlotAvailability,
    };
    use tongban_shared::catalogue::{is_valid_slug, OpeningHours};
    use tongban_shared::{ErrorCode, FieldError, Text};
    use wasm_bindgen::JsValue;
    use worker::Response;

    const ACTIVE: &str = "('held', 'confirmed', 'checked_in')";

    #[derive(Deserialize)]
    struct Setup {
        class_id: String,
        open_windows: i64,
        avg_minutes: i64,
        hours_json: String,
        rules_json: Option<String>,
        served: i64,
    }

    #[derive(Deserialize)]
    struct Day {
        day: String,
        kind: String,
    }

    #[derive(Deserialize)]
    struct SlotRow {
        date: String,
        start: String,
        capacity: i64,
        booked: i64,
    }

    /// Everything the rules need about a center and item, in one round trip.
    struct Context {
        class_id: String,
        capacity: u32,
        hours: Vec<OpeningHours>,
        rules: BookingRules,
        cal: Calendar,
    }

    impl Context {
        fn starts(&self, date: NaiveDate) -> Vec<String> {
            let wd = date.weekday().number_from_monday() as u8;
            self.hours.iter().find(|h| h.weekday == wd).map(|h| slot_starts(&h.open, &h.close, self.rules.slot_minutes)).unwrap_or_default()
        }
    }

    async fn context(ctx: &Ctx, center: &str, item: &str) -> Result<Context, ApiError> {
        let db = ctx.db()?;
        let r = db
            .batch(vec![
                db.prepare(
                    "SELECT w.id AS class_id, w.open_windows, w.avg_minutes, c.hours_json, r.rules_json, \
                     (SELECT count(*) FROM item_centers ic WHERE ic.center_id = c.id AND ic.item_id = ?2) AS served \
                     FROM centers c JOIN window_classes w ON w.center_id = c.id LEFT JOIN booking_rules r ON r.center_id = c.id \
                     WHERE c.id = ?1 ORDER BY w.prefix LIMIT 1",
                )
                .bind(&[JsValue::from_str(center), JsValue::from_str(item)])?,
                db.prepare("SELECT day, kind FROM calendar_days"),
            ])
            .await?;
        let s = r[0].results::<Setup>()?.into_iter().next().ok_or(ApiError::from(ErrorCode::CenterNotFound))?;
        if s.served == 0 {
            return Err(ErrorCode::NotServedHere.into());
        }
        let rules: BookingRules = s.rules_json.as_deref().and_then(|j| serde_json::from_str(j).ok()).unwrap_or_default();
        let days: Vec<(String, String)> = r[1].results::<Day>()?.into_iter().map(|d| (d.day, d.kind)).collect();
        Ok(Context {
            capacity: slot_capacity(s.open_windows.max(0) as u32, rules.slot_minutes, s.avg_minutes.max(0) as u32, None),
            class_id: s.class_id,
            hours: serde_json::from_str(&s.hours_json).unwrap_or_default(),
            rules,
            cal: calendar(&days),
        })
    }

    pub async fn availability(ctx: &Ctx) -> Result<Response, ApiError> {
        let center = ctx.slug("id")?;
        let pairs = ctx.query_pairs();
        let q = |k: &str| pairs.iter().rev().find(|(x, _)| x == k).map(|(_, v)| v.clone());
        let item = q("item").filter(|i| is_valid_slug(i)).ok_or(FieldError::new(ErrorCode::BadId, "item"))?;
        let date = match q("date").filter(|d| !d.is_empty()) {
            Some(d) => Some(NaiveDate::parse_from_str(&d, "%Y-%m-%d").map_err(|_| FieldError::new(ErrorCode::DateNotBookable, "date"))?),
            None => None,
        };
        let c = context(ctx, &center, &item).await?;
        let today = beijing(ctx.now).date();
        let days = c.cal.working_days_ahead(today, c.rules.first_day, c.rules.horizon_days);
        let (first, last) = (days.first().copied().unwrap_or(today), days.last().copied().unwrap_or(today));
        let taken: Vec<SlotRow> = ctx
            .db()?
            .prepare("SELECT date, start, capacity, booked FROM slots WHERE class_id = ?1 AND date BETWEEN ?2 AND ?3")
            .bind(&[JsValue::from_str(&c.class_id), JsValue::from_str(&first.to_string()), JsValue::from_str(&last.to_string())])?
            .all()
            .await?
            .results()?;
        let slot = |d: NaiveDate, start: &str| -> SlotAvailability {
            let ds = d.to_string();
            match taken.iter().find(|t| t.date == ds && t.start == start) {
                Some(t) => SlotAvailability { start: start.into(), capacity: t.capacity.max(0) as u32, remaining: (t.capacity - t.booked).max(0) as u32 },
                None => SlotAvailability { start: start.into(), capacity: c.capacity, remaining: c.capacity },
            }
        };
        let day_list = days
            .iter()
            .map(|d| DayAvailability { date: d.to_string(), remaining: c.starts(*d).iter().map(|s| slot(*d, s).remaining).sum() })
            .collect();
        let slots = match date {
            Some(d) => {
                check_date(d, today, &c.cal, &c.rules).map_err(|code| FieldError::new(code, "date"))?;
                c.starts(d).iter().map(|s| slot(d, s)).collect()
            }
            None => vec![],
        };
        let a = Availability { center_id: center, item_id: item, days: day_list, slots };
        ctx.json(&a, ctx.route.cache)
    }

    #[derive(Deserialize)]
    struct BookingRow {
        id: String,
        code: String,
        state: String,
        center_id: String,
        center_zh: String,
        center_en: String,
        item_id: String,
        item_zh: String,
        item_en: String,
        date: String,
        start: String,
    }

    impl BookingRow {
        fn booking(self) -> Booking {
            Booking {
                state: serde_json::from_value(serde_json::Value::String(self.state)).unwrap_or(BookingState::Confirmed),
                center_name: Text::new(self.center_zh, self.center_en),
                item_name: Text::new(self.item_zh, self.item_en),
                id: self.id,
                code: self.code,
                center_id: self.center_id,
                item_id: self.item_id,
                date: self.date,
                start: self.start,
            }
        }
    }

    const SELECT: &str = "SELECT b.id, b.code, b.state, b.center_id, c.name_zh AS center_zh, c.name_en AS center_en, b.item_id, \
        i.name_zh AS item_zh, i.name_en AS item_en, b.date, b.start FROM bookings b JOIN centers c ON c.id = b.center_id JOIN items i ON i.id = b.item_id";

    pub async fn create(ctx: &Ctx) -> Result<Response, ApiError> {
        let p = ctx.principal()?;
        let key = idempotency_key(ctx.req.headers().get("Idempotency-Key")?.as_deref()).ok_or(ApiError::from(ErrorCode::IdempotencyKeyRequired))?;
        let req: NewBooking = ctx.json_body()?;
        let (date, start) = req.parse()?;
        let c = context(ctx, &req.center_id, &req.item_id).await?;
        let now = beijing(ctx.now);
        check_date(date, now.date(), &c.cal, &c.rules).map_err(|code| FieldError::new(code, "date"))?;
        if !c.starts(date).contains(&start) {
            return Err(FieldError::new(ErrorCode::SlotNotFound, "start").into());
        }
        let sid = slot_id(&c.class_id, date, &start);
        let id = hex(&random::<16>().map_err(js_err)?);
        let code = encode_code(random::<5>().map_err(js_err)?);
        let (acct, k, sidv) = (JsValue::from_str(&p.account_id), JsValue::from_str(&key), JsValue::from_str(&sid));
        let (item, day) = (JsValue::from_str(&req.item_id), JsValue::from_str(&date.to_string()));
        let nowv = JsValue::from_f64(ctx.now as f64);
        let db = ctx.db()?;
        let r = db
            .batch(vec![
                db.prepare("INSERT OR IGNORE INTO slots (id, class_id, date, start, capacity) VALUES (?1, ?2, ?3, ?4, ?5)").bind(&[
                    sidv.clone(),
                    JsValue::from_str(&c.class_id),
                    day.clone(),
                    JsValue::from_str(&start),
                    JsValue::from_f64(f64::from(c.capacity)),
                ])?,
                db.prepare(format!(
                    "UPDATE slots SET booked = booked + 1 WHERE id = ?1 AND booked < capacity \
                     AND NOT EXISTS (SELECT 1 FROM bookings WHERE account_id = ?2 AND idem_key = ?3) \
                     AND (SELECT count(*) FROM bookings WHERE account_id = ?2 AND state IN {ACTIVE}) < ?4 \
                     AND NOT EXISTS (SELECT 1 FROM bookings WHERE account_id = ?2 AND item_id = ?5 AND date = ?6 AND state IN {ACTIVE})"
                ))
                .bind(&[sidv.clone(), acct.clone(), k.clone(), JsValue::from_f64(f64::from(c.rules.max_active_per_person)), item.clone(), day.clone()])?,
                db.prepare(
                    "INSERT INTO bookings (id, code, account_id, item_id, center_id, slot_id, date, start, state, idem_key, created_at, updated_at) \
                     SELECT ?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, 'confirmed', ?9, ?10, ?10 WHERE changes() = 1",
                )
                .bind(&[
                    JsValue::from_str(&id),
                    JsValue::from_str(&code),
                    acct.clone(),
                    item.clone(),
                    JsValue::from_str(&req.center_id),
                    sidv.clone(),
                    day.clone(),
                    JsValue::from_str(&start),
                    k.clone(),
                    nowv,
                ])?,
            ])
            .await?;
        let inserted = r[2].meta()?.and_then(|m| m.changes).unwrap_or(0) == 1;
        if inserted {
            let b = db.prepare(format!("{SELECT} WHERE b.id = ?1")).bind(&[JsValue::from_str(&id)])?.first::<BookingRow>(None).await?;
            let b = b.ok_or_else(|| ApiError::Internal("new booking not found".into()))?;
            return Ok(ctx.json(&b.booking(), ctx.route.cache)?.with_status(201));
        }
        // Nothing written: say why. A repeated key returns the booking it made (a retry or double click).
        if let Some(b) = db.prepare(format!("{SELECT} WHERE b.account_id = ?1 AND b.idem_key = ?2")).bind(&[acct.clone(), k])?.first::<BookingRow>(None).await? {
            return ctx.json(&b.booking(), ctx.route.cache);
        }
        #[derive(Deserialize)]
        struct Why {
            active: i64,
            same: i64,
        }
        let why: Why = db
            .prepare(format!(
                "SELECT (SELECT count(*) FROM bookings WHERE account_id = ?1 AND state IN {ACTIVE}) AS active, \
                 (SELECT count(*) FROM bookings WHERE account_id = ?1 AND item_id = ?2 AND date = ?3 AND state IN {ACTIVE}) AS same"
            ))
            .bind(&[acct, item, day])?
            .first(None)
            .await?
            .ok_or_else(|| ApiError::Internal("count query returned no row".into()))?;
        Err(if why.same > 0 || why.active >= i64::from(c.rules.max_active_per_person) { ErrorCode::LimitReached } else { ErrorCode::SlotFull }.into())
    }

    pub async fn mine(ctx: &Ctx) -> Result<Response, ApiError> {
        let p = ctx.principal()?;
        let rows: Vec<BookingRow> = ctx
            .db()?
            .prepare(format!("{SELECT} WHERE b.account_id = ?1 ORDER BY b.date DESC, b.start DESC"))
            .bind(&[JsValue::from_str(&p.account_id)])?
            .all()
            .await?
            .results()?;
        let v: Vec<Booking> = rows.into_iter().map(BookingRow::booking).collect();
        ctx.json(&v, ctx.route.cache)
    }

    pub async fn cancel(ctx: &Ctx) -> Result<Response, ApiError> {
        let p = ctx.principal()?;
        let id = ctx.hex_id("id")?;
        let db = ctx.db()?;
        let (idv, acct) = (JsValue::from_str(&id), JsValue::from_str(&p.account_id));
        let b = db
            .prepare(format!("{SELECT} WHERE b.id = ?1 AND b.account_id = ?2"))
            .bind(&[idv.clone(), acct.clone()])?
            .first::<BookingRow>(None)
            .await?
            .ok_or(ApiError::from(ErrorCode::BookingNotFound))?
            .booking();
        b.state.next(tongban_shared::booking::BookingEvent::Cancel)?;
        let slot_start = NaiveDateTime::parse_from_str(&format!("{} {}", b.date, b.start), "%Y-%m-%d %H:%M")
            .map_err(|_| ApiError::Internal(format!("bad slot time {} {}", b.date, b.start)))?;
        check_cancel(slot_start, beijing(ctx.now), &BookingRules::default())?;
        // The seat is given back only by the request that actually cancelled (changes() = 1).
        let r = db
            .batch(vec![
                db.prepare(format!("UPDATE bookings SET state = 'cancelled', updated_at = ?3 WHERE id = ?1 AND account_id = ?2 AND state IN ('held', 'confirmed')"))
                    .bind(&[idv.clone(), acct, JsValue::from_f64(ctx.now as f64)])?,
                db.prepare("UPDATE slots SET booked = booked - 1 WHERE id = (SELECT slot_id FROM bookings WHERE id = ?1) AND changes() = 1").bind(&[idv.clone()])?,
            ])
            .await?;
        if r[0].meta()?.and_then(|m| m.changes).unwrap_or(0) == 0 {
            return Err(ErrorCode::InvalidTransition.into());
        }
        let b = db.prepare(format!("{SELECT} WHERE b.id = ?1")).bind(&[idv])?.first::<BookingRow>(None).await?;
        ctx.json(&b.ok_or(ApiError::from(ErrorCode::BookingNotFound))?.booking(), ctx.route.cache)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn beijing_time_is_utc_plus_eight() {
        assert_eq!(beijing(0).to_string(), "1970-01-01 08:00:00");
        assert_eq!(beijing(1_764_000_000).to_string(), "2025-11-25 00:00:00");
    }

    #[test]
    fn keys_and_ids() {
        assert_eq!(idempotency_key(Some(" abcdefgh ")), Some("abcdefgh".into()));
        assert_eq!(idempotency_key(Some("short")), None);
        assert_eq!(idempotency_key(Some("has space inside")), None);
        assert_eq!(idempotency_key(None), None);
        let d = NaiveDate::from_ymd_opt(2026, 12, 1).unwrap();
        assert_eq!(slot_id("wanli-a", d, "09:30"), "wanli-a@2026-12-01T09:30");
        let c = calendar(&[("2026-10-01".into(), "holiday".into()), ("2026-10-10".into(), "workday".into()), ("bad".into(), "holiday".into())]);
        assert!(!c.is_working_day(NaiveDate::from_ymd_opt(2026, 10, 1).unwrap()));
        assert!(c.is_working_day(NaiveDate::from_ymd_opt(2026, 10, 10).unwrap()));
    }
}
