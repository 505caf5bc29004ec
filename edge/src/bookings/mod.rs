//! `/api/v1/centers/{id}/availability` and `/api/v1/bookings…`: bookable days and slots with remaining
//! seats; booking, listing and cancelling.
//!
//! A booking is one D1 batch (one transaction, D1 being a single writer per database):
//! 1. make the slot row if it is the first booking of that slot;
//! 2. `UPDATE slots SET booked = booked + 1` only if a seat is free, the idempotency key is unused, and
//!    the person's limits hold — so neither concurrency nor a double-click can overbook or double-book;
//! 3. insert the booking only if step 2 changed a row (`changes() = 1`).
//!
//! The `CHECK (booked <= capacity)` on `slots` stands behind step 2.

use chrono::NaiveDate;
use tongban_shared::booking::BookingRules;
use tongban_shared::calendar::Calendar;
use tongban_shared::config::DayKind;

/// Local time of the centers (China Standard Time, UTC+8, no daylight saving) from epoch seconds.
/// The active states as an SQL list, for the statements that count a person's bookings. A test holds it to
/// `tongban_shared::booking::active_states_sql` (generated from `BookingState::holds_seat`).
pub const ACTIVE: &str = "('held', 'confirmed', 'checked_in')";

/// A center's booking rules from its `booking_rules.rules_json` (no row: the defaults). A row that does
/// not parse is an error, never quietly the defaults: it would loosen every limit the center set.
pub fn rules_from(json: Option<&str>) -> Result<BookingRules, crate::error::ApiError> {
    json.map_or(Ok(BookingRules::default()), |j| {
        serde_json::from_str(j).map_err(|e| crate::error::ApiError::Internal(format!("booking_rules.rules_json: {e}")))
    })
}

pub fn slot_id(class_id: &str, date: NaiveDate, start: &str) -> String {
    format!("{class_id}@{date}T{start}")
}

/// The calendar from `calendar_days` rows (`store::calendar_days`).
pub fn calendar(rows: &[store::DayRow]) -> Calendar {
    let mut c = Calendar::default();
    for r in rows {
        if let Ok(d) = NaiveDate::parse_from_str(&r.day, "%Y-%m-%d") {
            match r.kind {
                DayKind::Holiday => c.holidays.insert(d),
                DayKind::Workday => c.extra_workdays.insert(d),
            };
        }
    }
    c
}

/// An Idempotency-Key header value: 8–64 visible ASCII characters.
pub fn idempotency_key(h: Option<&str>) -> Option<String> {
    h.map(str::trim).filter(|k| (8..=64).contains(&k.len()) && k.bytes().all(|b| b.is_ascii_graphic())).map(str::to_string)
}

/// The booking code as a QR code (SVG, quiet zone included), what the kiosk scanner and window staff read.
pub fn qr_svg(code: &str) -> Option<String> {
    let qr = qrcode::QrCode::with_error_correction_level(code.as_bytes(), qrcode::EcLevel::M).ok()?;
    Some(
        qr.render::<qrcode::render::svg::Color>()
            .min_dimensions(200, 200)
            .dark_color(qrcode::render::svg::Color("#000"))
            .light_color(qrcode::render::svg::Color("#fff"))
            .build(),
    )
}

pub mod store;

#[cfg(target_arch = "wasm32")]
pub use wasm::*;

#[cfg(target_arch = "wasm32")]
mod wasm {
    mod waitlist;
    pub use waitlist::*;

    use super::store::{ActiveRow, BookingRow, DayRow, HeldRow, NoShowRow, SeatRow, SetupRow, SlotRow};
    use super::*;
    use crate::crypto::{hex, random};
    use crate::error::{js_err, ApiError};
    use crate::http::{Answer, Body, Ctx};
    use crate::notifications::for_booking;
    use crate::routes::ep;
    use chrono::{Datelike, NaiveDateTime};
    use tongban_shared::authz::require_center;
    use tongban_shared::booking::{
        banned_until, cancel_deadline, check_cancel, check_date, check_limits, check_move, counts_as_active, encode_code, slot_capacity, slot_starts,
        ActiveBooking, Availability, BanStatus, Booking, BookingEvent, BookingRules, BookingState, DayAvailability, SlotAvailability, WaitlistEntry,
    };
    use tongban_shared::catalogue::{is_valid_slug, OpeningHours};
    use tongban_shared::notify::Event;
    use tongban_shared::time::{beijing, epoch_of};
    use tongban_shared::{ErrorCode, FieldError, Text};
    use worker::{D1Database, D1PreparedStatement, Response};

    use crate::http::changed;

    /// Everything the rules need about a center and item, in one round trip.
    pub struct Context {
        pub class_id: String,
        pub capacity: u32,
        pub hours: Vec<OpeningHours>,
        pub rules: BookingRules,
        pub cal: Calendar,
    }

    impl Context {
        /// Whether `date` at `start` is a bookable slot of this center today (horizon, calendar, hours).
        pub fn check_slot(&self, date: NaiveDate, start: &str, today: NaiveDate) -> Result<(), ApiError> {
            check_date(date, today, &self.cal, &self.rules).map_err(|code| FieldError::new(code, "date"))?;
            if self.starts(date).iter().any(|s| s == start) {
                Ok(())
            } else {
                Err(FieldError::new(ErrorCode::SlotNotFound, "start").into())
            }
        }

        pub fn starts(&self, date: NaiveDate) -> Vec<String> {
            let wd = date.weekday().number_from_monday() as u8;
            self.hours.iter().find(|h| h.weekday == wd).map(|h| slot_starts(&h.open, &h.close, self.rules.slot_minutes)).unwrap_or_default()
        }
    }

    /// The center's booking rules (its row, or the defaults).
    pub async fn rules_of(db: &D1Database, center: &str) -> Result<BookingRules, ApiError> {
        let json: Option<String> = store::rules(center).prepare(db)?.first(Some("rules_json")).await?;
        rules_from(json.as_deref())
    }

    pub async fn calendar_of(db: &D1Database) -> Result<Calendar, ApiError> {
        let days: Vec<DayRow> = store::calendar_days().prepare(db)?.all().await?.results()?;
        Ok(calendar(&days))
    }

    /// The line an item joins at a center: a domain class listing it, else the any-item class.
    pub async fn context(db: &D1Database, center: &str, item: &str) -> Result<Context, ApiError> {
        Ok(context_for(db, center, item, None, 0).await?.0)
    }

    /// The center's context for a booking of `item` and, for `account`, whether no-shows suspend their
    /// booking at `now`: one round trip for both.
    pub async fn context_for(db: &D1Database, center: &str, item: &str, account: Option<&str>, now: i64) -> Result<(Context, Option<BanStatus>), ApiError> {
        let mut batch = vec![store::setup(center, item).prepare(db)?, store::calendar_days().prepare(db)?];
        if let Some(a) = account {
            batch.push(store::no_shows(a).prepare(db)?);
        }
        let r = db.batch(batch).await?;
        let s = r[0].results::<SetupRow>()?.into_iter().next().ok_or(ApiError::from(ErrorCode::CenterNotFound))?;
        if s.served == 0 {
            return Err(ErrorCode::NotServedHere.into());
        }
        let rules = rules_from(s.rules_json.as_deref())?;
        let days: Vec<DayRow> = r[1].results()?;
        let ban = match account {
            Some(a) => Some(ban_from(a, r[2].results::<NoShowRow>()?, now, &rules)),
            None => None,
        };
        let c = Context {
            capacity: slot_capacity(s.open_windows.max(0) as u32, rules.slot_minutes, s.avg_minutes.max(0) as u32, None),
            class_id: s.class_id,
            // Written only from the checked shared type (`config::put`): what does not read back is a fault.
            hours: serde_json::from_str(&s.hours_json).map_err(|e| ApiError::Internal(format!("hours of {center}: {e}")))?,
            rules,
            cal: calendar(&days),
        };
        Ok((c, ban))
    }

    pub async fn availability(ctx: &Ctx) -> Answer<ep::GetAvailability> {
        let center = ctx.slug("id")?;
        let pairs = ctx.query_pairs();
        let q = |k: &str| pairs.iter().rev().find(|(x, _)| x == k).map(|(_, v)| v.clone());
        let item = q("item").filter(|i| is_valid_slug(i)).ok_or(FieldError::new(ErrorCode::BadId, "item"))?;
        let date = match q("date").filter(|d| !d.is_empty()) {
            Some(d) => Some(NaiveDate::parse_from_str(&d, "%Y-%m-%d").map_err(|_| FieldError::new(ErrorCode::DateNotBookable, "date"))?),
            None => None,
        };
        let db = ctx.db()?;
        let c = context(&db, &center, &item).await?;
        let today = beijing(ctx.now).date();
        let days = c.cal.working_days_ahead(today, c.rules.first_day, c.rules.horizon_days);
        let (first, last) = (days.first().copied().unwrap_or(today), days.last().copied().unwrap_or(today));
        // Holds past their time count as free seats even before the sweep gives them back.
        let taken: Vec<SlotRow> = store::slots_between(&c.class_id, &first.to_string(), &last.to_string(), ctx.now).prepare(&db)?.all().await?.results()?;
        let slot = |d: NaiveDate, start: &str| -> SlotAvailability {
            let ds = d.to_string();
            match taken.iter().find(|t| t.date == ds && t.start == start) {
                Some(t) => SlotAvailability { start: start.into(), capacity: t.capacity.max(0) as u32, remaining: (t.capacity - t.booked).max(0) as u32 },
                None => SlotAvailability { start: start.into(), capacity: c.capacity, remaining: c.capacity },
            }
        };
        let day_list =
            days.iter().map(|d| DayAvailability { date: d.to_string(), remaining: c.starts(*d).iter().map(|s| slot(*d, s).remaining).sum() }).collect();
        let slots = match date {
            Some(d) => {
                check_date(d, today, &c.cal, &c.rules).map_err(|code| FieldError::new(code, "date"))?;
                c.starts(d).iter().map(|s| slot(d, s)).collect()
            }
            None => vec![],
        };
        let a = Availability { center_id: center, item_id: item, days: day_list, slots };
        ctx.reply(&a)
    }

    impl BookingRow {
        pub fn booking(self) -> Result<Booking, ApiError> {
            let cancel_until = if self.state.next(BookingEvent::Cancel).is_ok() {
                Some(epoch_of(cancel_deadline(slot_time(&self.date, &self.start)?, &rules_from(self.rules_json.as_deref())?)))
            } else {
                None
            };
            Ok(Booking {
                cancel_until,
                state: self.state,
                center_name: Text::new(self.center_zh, self.center_en),
                item_name: Text::new(self.item_zh, self.item_en),
                id: self.id,
                code: self.code,
                center_id: self.center_id,
                item_id: self.item_id,
                date: self.date,
                start: self.start,
                hold_until: self.hold_until,
                cancel_reason: self.cancel_reason,
            })
        }
    }

    async fn load(db: &D1Database, id: &str, account: Option<&str>) -> Result<BookingRow, ApiError> {
        store::booking(id, account).prepare(db)?.first::<BookingRow>(None).await?.ok_or(ApiError::from(ErrorCode::BookingNotFound))
    }

    fn slot_time(date: &str, start: &str) -> Result<NaiveDateTime, ApiError> {
        NaiveDateTime::parse_from_str(&format!("{date} {start}"), "%Y-%m-%d %H:%M").map_err(|_| ApiError::Internal(format!("bad slot time {date} {start}")))
    }

    /// Statements that offer a freed seat of `slot` to the first person on its waiting list who may
    /// still book (limits hold): a hold booking, the list entry marked offered, and a notification.
    /// They change nothing when nobody waits or no seat is free, so they can follow any release.
    pub fn offer_seat(db: &D1Database, slot: &str, now: i64, rules: &BookingRules) -> Result<Vec<D1PreparedStatement>, ApiError> {
        let id = hex(&random::<16>().map_err(js_err)?);
        let code = encode_code(random::<5>().map_err(js_err)?);
        let nid = hex(&random::<16>().map_err(js_err)?);
        let offer = store::Offer {
            slot,
            booking_id: &id,
            code: &code,
            notification_id: &nid,
            hold_until: now + i64::from(rules.hold_minutes) * 60,
            max_active: rules.max_active_per_person,
            now,
        };
        store::offer_seat(&offer).iter().map(|s| s.prepare(db)).collect()
    }

    /// Statements that end a deleted account's bookings and waiting-list places, for the deletion's batch:
    /// its places are dropped first (a freed seat is never offered back to it), then every held or
    /// confirmed booking is cancelled and its seat given back, and a seat of today or later is offered to
    /// the slot's waiting list as any cancellation's would be.
    pub async fn end_for_deleted_account(db: &D1Database, account: &str, now: i64) -> Result<Vec<D1PreparedStatement>, ApiError> {
        let active: Vec<SeatRow> = store::seats_of(account).prepare(db)?.all().await?.results()?;
        let mut batch = vec![store::leave_waitlists(account, now).prepare(db)?];
        let today = beijing(now).date().to_string();
        for b in active {
            batch.push(store::cancel_for_deletion(&b.id, now).prepare(db)?);
            batch.push(store::release_seat_after(&b.slot_id).prepare(db)?);
            if b.date >= today {
                batch.extend(offer_seat(db, &b.slot_id, now, &rules_of(db, &b.center_id).await?)?);
            }
        }
        Ok(batch)
    }

    /// Gives back the seats of holds past their time, each offered on to the slot's waiting list: one read
    /// (the holds with their center's rules) and one batch for all of them, so a booking request that sweeps
    /// first costs two subrequests however many holds ran out (`crate::limits::SWEEP_SUBREQUESTS`; it was
    /// two per hold, 51 for a full sweep, past the free plan's 50).
    pub async fn sweep_holds(db: &D1Database, now: i64) -> Result<u32, ApiError> {
        let expired: Vec<HeldRow> = store::expired_holds(now, crate::limits::HOLDS_PER_SWEEP).prepare(db)?.all().await?.results()?;
        if expired.is_empty() {
            return Ok(0);
        }
        let (mut batch, mut firsts) = (Vec::new(), Vec::new());
        for h in expired {
            let rules = rules_from(h.rules_json.as_deref())?;
            firsts.push(batch.len());
            let [expire, lapse] = store::expire_hold(&h.id, now);
            batch.push(expire.prepare(db)?);
            batch.push(store::release_seat_after(&h.slot_id).prepare(db)?);
            batch.push(lapse.prepare(db)?);
            batch.extend(offer_seat(db, &h.slot_id, now, &rules)?);
        }
        let r = db.batch(batch).await?;
        Ok(firsts.into_iter().filter(|&i| r.get(i).is_some_and(changed)).count() as u32)
    }

    fn ban_from(account: &str, rows: Vec<NoShowRow>, now: i64, rules: &BookingRules) -> BanStatus {
        let dates: Vec<NaiveDate> = rows.iter().filter_map(|d| NaiveDate::parse_from_str(&d.date, "%Y-%m-%d").ok()).collect();
        BanStatus {
            account_id: account.to_string(),
            no_shows: rows.into_iter().map(|d| d.date).collect(),
            banned_until: banned_until(&dates, beijing(now).date(), rules).map(|d| d.to_string()),
        }
    }

    /// Refuses booking while recent no-shows suspend it.
    fn check_ban(ban: Option<BanStatus>) -> Result<(), ApiError> {
        match ban.and_then(|b| b.banned_until) {
            Some(_) => Err(ErrorCode::BookingBanned.into()),
            None => Ok(()),
        }
    }

    pub async fn ban_status(db: &D1Database, account: &str, now: i64, rules: &BookingRules) -> Result<BanStatus, ApiError> {
        let rows: Vec<NoShowRow> = store::no_shows(account).prepare(db)?.all().await?.results()?;
        Ok(ban_from(account, rows, now, rules))
    }

    /// Statements that give back the seats of `slot`'s lapsed holds (their offers lapse too) and offer
    /// them to its waiting list, for the front of a batch that then counts the slot's seats: the count is
    /// exact without a sweep of every center's holds first (which cost the booking path two round trips).
    fn sweep_slot(db: &D1Database, slot: &str, now: i64, rules: &BookingRules) -> Result<Vec<D1PreparedStatement>, ApiError> {
        let mut out = store::sweep_slot(slot, now).iter().map(|s| s.prepare(db)).collect::<Result<Vec<_>, _>>()?;
        out.extend(offer_seat(db, slot, now, rules)?);
        Ok(out)
    }

    pub async fn create(ctx: &Ctx, body: Body<ep::CreateBooking>) -> Answer<ep::CreateBooking> {
        let p = ctx.principal()?;
        let key = idempotency_key(ctx.req.headers().get("Idempotency-Key")?.as_deref()).ok_or(ApiError::from(ErrorCode::IdempotencyKeyRequired))?;
        let req = body.read(ctx)?;
        let (date, start) = req.parse()?;
        let db = ctx.db()?;
        // Three round trips: the session (dispatcher), the context with the person's no-shows, and one
        // batch that frees the slot's lapsed holds, books and reads the booking back.
        let (c, ban) = context_for(&db, &req.center_id, &req.item_id, Some(&p.account_id), ctx.now).await?;
        let now = beijing(ctx.now);
        c.check_slot(date, &start, now.date())?;
        check_ban(ban)?;
        let sid = slot_id(&c.class_id, date, &start);
        let id = hex(&random::<16>().map_err(js_err)?);
        let code = encode_code(random::<5>().map_err(js_err)?);
        let date_s = date.to_string();
        let (state, hold_until) =
            if req.hold { (BookingState::Held, Some(ctx.now + i64::from(c.rules.hold_minutes) * 60)) } else { (BookingState::Confirmed, None) };
        let mut batch =
            vec![store::ensure_slot(&store::SlotKey { id: &sid, class_id: &c.class_id, date: &date_s, start: &start, capacity: c.capacity }).prepare(&db)?];
        batch.extend(sweep_slot(&db, &sid, ctx.now, &c.rules)?);
        let first = batch.len();
        batch.extend([
            store::take_seat(&store::SeatAsk {
                slot: &sid,
                account_id: &p.account_id,
                idem_key: &key,
                item_id: &req.item_id,
                date: &date_s,
                max_active: c.rules.max_active_per_person,
                now: ctx.now,
            })
            .prepare(&db)?,
            store::insert_booking_after_seat(&store::NewBookingRow {
                id: &id,
                code: &code,
                account_id: &p.account_id,
                item_id: &req.item_id,
                center_id: &req.center_id,
                slot_id: &sid,
                date: &date_s,
                start: &start,
                idem_key: &key,
                state,
                hold_until,
                now: ctx.now,
            })
            .prepare(&db)?,
            for_booking(
                &db,
                &id,
                &Event::BookingConfirmed { booking_id: id.clone(), date: date_s.clone(), start: start.clone() },
                "b.state = 'confirmed'",
                ctx.now,
            )?,
            // The booking this key made: this one, or an earlier one (a retry or double click).
            store::booking_by_key(&p.account_id, &key).prepare(&db)?,
        ]);
        let r = db.batch(batch).await?;
        let made = r[first + 3].results::<BookingRow>()?.into_iter().next();
        match made {
            Some(b) if changed(&r[first + 1]) => return Ok(ctx.reply(&b.booking()?)?.with_status(201)),
            Some(b) => return ctx.reply(&b.booking()?),
            None => {}
        }
        Err(refused(why_not(&db, &p.account_id, &req.item_id, date, None, &c.rules, ctx.now).await?, &c.rules))
    }

    /// A refusal by the center's booking rules, its message naming the center's own limits.
    pub fn refused(code: ErrorCode, rules: &BookingRules) -> ApiError {
        ApiError::refused(code, rules.params_for(code))
    }

    /// Why a conditional booking write changed nothing: the person's limits (decided by the same rule the
    /// write ran as SQL, on their active bookings as they are now), else the slot was full.
    async fn why_not(
        db: &D1Database,
        account: &str,
        item: &str,
        day: NaiveDate,
        moving: Option<&str>,
        rules: &BookingRules,
        now: i64,
    ) -> Result<ErrorCode, ApiError> {
        let rows: Vec<ActiveRow> = store::countable_of(account).prepare(db)?.all().await?.results()?;
        let active: Vec<ActiveBooking> = rows
            .into_iter()
            .filter(|r| Some(r.id.as_str()) != moving && counts_as_active(r.state, r.hold_until, now))
            .filter_map(|r| Some(ActiveBooking { item_id: r.item_id, date: NaiveDate::parse_from_str(&r.date, "%Y-%m-%d").ok()? }))
            .collect();
        let verdict = match moving {
            Some(_) => check_move(&active, item, day),
            None => check_limits(&active, item, day, rules),
        };
        Ok(verdict.err().unwrap_or(ErrorCode::SlotFull))
    }

    pub async fn mine(ctx: &Ctx) -> Answer<ep::ListMyBookings> {
        ctx.reply(&mine_value(ctx).await?)
    }

    /// What `mine` answers, also for the data export.
    pub async fn mine_value(ctx: &Ctx) -> Result<Vec<Booking>, ApiError> {
        let p = ctx.principal()?;
        let rows: Vec<BookingRow> = store::bookings_of(&p.account_id).prepare(&ctx.db()?)?.all().await?.results()?;
        rows.into_iter().map(BookingRow::booking).collect()
    }

    /// Confirming a held seat; a second confirm (double click) answers with the confirmed booking.
    pub async fn confirm(ctx: &Ctx) -> Answer<ep::ConfirmBooking> {
        let p = ctx.principal()?;
        let id = ctx.hex_id("id")?;
        let db = ctx.db()?;
        let b = load(&db, &id, Some(&p.account_id)).await?;
        if b.state == BookingState::Confirmed {
            return ctx.reply(&b.booking()?);
        }
        let [confirm, settle_offer] = store::confirm_hold(&id, &p.account_id, ctx.now);
        let r = db
            .batch(vec![
                confirm.prepare(&db)?,
                for_booking(
                    &db,
                    &id,
                    &Event::BookingConfirmed { booking_id: id.clone(), date: b.date.clone(), start: b.start.clone() },
                    "changes() = 1",
                    ctx.now,
                )?,
                settle_offer.prepare(&db)?,
            ])
            .await?;
        if !changed(&r[0]) {
            let b = load(&db, &id, Some(&p.account_id)).await?;
            return match b.state {
                BookingState::Confirmed => ctx.reply(&b.booking()?),
                BookingState::Held | BookingState::Expired => {
                    sweep_holds(&db, ctx.now).await?;
                    Err(ErrorCode::HoldExpired.into())
                }
                _ => Err(ErrorCode::InvalidTransition.into()),
            };
        }
        ctx.reply(&load(&db, &id, None).await?.booking()?)
    }

    /// Releases a booking's seat (cancelled by the person or the center) and offers it on.
    async fn release(ctx: &Ctx, b: BookingRow, by_center: Option<&str>) -> Result<crate::http::Reply<Booking>, ApiError> {
        let db = ctx.db()?;
        let rules = rules_of(&db, &b.center_id).await?;
        b.state.next(BookingEvent::Cancel)?;
        if by_center.is_none() {
            check_cancel(slot_time(&b.date, &b.start)?, beijing(ctx.now), &rules).map_err(|e| refused(e, &rules))?;
        }
        let nid = hex(&random::<16>().map_err(js_err)?);
        // The seat is given back only by the request that actually cancelled (changes() = 1).
        let mut batch = vec![store::cancel(&b.id, by_center, ctx.now).prepare(&db)?];
        if by_center.is_none() {
            // Written only if the cancel happened (changes() = 1), so the seat release below still follows it.
            batch.push(for_booking(
                &db,
                &b.id,
                &Event::BookingCancelled { booking_id: b.id.clone(), date: b.date.clone(), start: b.start.clone() },
                "changes() = 1",
                ctx.now,
            )?);
        }
        batch.push(store::release_seat_after(&b.slot_id).prepare(&db)?);
        if let Some(reason) = by_center {
            batch.push(store::tell_center_cancel(&b.id, &nid, reason, ctx.now).prepare(&db)?);
        }
        batch.extend(offer_seat(&db, &b.slot_id, ctx.now, &rules)?);
        let r = db.batch(batch).await?;
        if !changed(&r[0]) {
            return Err(ErrorCode::InvalidTransition.into());
        }
        ctx.reply(&load(&db, &b.id, None).await?.booking()?)
    }

    pub async fn cancel(ctx: &Ctx) -> Answer<ep::CancelBooking> {
        let p = ctx.principal()?;
        let id = ctx.hex_id("id")?;
        let b = load(&ctx.db()?, &id, Some(&p.account_id)).await?;
        release(ctx, b, None).await
    }

    /// Staff of the booking's center cancel it with a reason the resident is told (e.g. a holiday added).
    pub async fn center_cancel(ctx: &Ctx, body: Body<ep::CenterCancelBooking>) -> Answer<ep::CenterCancelBooking> {
        let p = ctx.principal()?;
        let id = ctx.hex_id("id")?;
        let reason = body.read(ctx)?.validate()?;
        let b = load(&ctx.db()?, &id, None).await?;
        require_center(p, &b.center_id)?;
        release(ctx, b, Some(&reason)).await
    }

    /// Moves a confirmed booking in one transaction: the new seat is taken first and the old one given
    /// back only if that worked, so a full slot leaves the booking where it was.
    pub async fn reschedule(ctx: &Ctx, body: Body<ep::RescheduleBooking>) -> Answer<ep::RescheduleBooking> {
        let p = ctx.principal()?;
        let id = ctx.hex_id("id")?;
        let req = body.read(ctx)?;
        let (date, start) = req.parse()?;
        let db = ctx.db()?;
        let b = load(&db, &id, Some(&p.account_id)).await?;
        b.state.next(BookingEvent::Reschedule)?;
        let c = context(&db, &b.center_id, &b.item_id).await?;
        let now = beijing(ctx.now);
        check_cancel(slot_time(&b.date, &b.start)?, now, &c.rules).map_err(|e| refused(e, &c.rules))?;
        c.check_slot(date, &start, now.date())?;
        let new_slot = slot_id(&c.class_id, date, &start);
        if new_slot == b.slot_id {
            return Err(ErrorCode::SameSlot.into());
        }
        let date_s = date.to_string();
        let mut batch =
            vec![store::ensure_slot(&store::SlotKey { id: &new_slot, class_id: &c.class_id, date: &date_s, start: &start, capacity: c.capacity })
                .prepare(&db)?];
        batch.extend(sweep_slot(&db, &new_slot, ctx.now, &c.rules)?);
        let first = batch.len();
        let m = store::Move { booking_id: &id, account_id: &p.account_id, item_id: &b.item_id, slot: &new_slot, date: &date_s, start: &start, now: ctx.now };
        let [take, moved] = store::take_seat_and_move(&m);
        batch.extend([
            take.prepare(&db)?,
            moved.prepare(&db)?,
            // Only if it moved; the old seat's release below then follows this statement's changes().
            for_booking(&db, &id, &Event::BookingRescheduled { booking_id: id.clone(), date: date_s.clone(), start: start.clone() }, "changes() = 1", ctx.now)?,
            store::release_seat_after(&b.slot_id).prepare(&db)?,
        ]);
        batch.extend(offer_seat(&db, &b.slot_id, ctx.now, &c.rules)?);
        let r = db.batch(batch).await?;
        if !changed(&r[first + 1]) {
            return Err(refused(why_not(&db, &p.account_id, &b.item_id, date, Some(&id), &c.rules, ctx.now).await?, &c.rules));
        }
        ctx.reply(&load(&db, &id, None).await?.booking()?)
    }

    impl BookingRow {
        pub fn booking_with_slot(self) -> Result<(Booking, String), ApiError> {
            let slot = self.slot_id.clone();
            Ok((self.booking()?, slot))
        }
    }

    /// The booking's code as a QR image, for its owner only (the code is what checks them in).
    pub async fn qr(ctx: &Ctx) -> Answer<ep::BookingQr> {
        let p = ctx.principal()?;
        let id = ctx.hex_id("id")?;
        let b = load(&ctx.db()?, &id, Some(&p.account_id)).await?;
        let svg = super::qr_svg(&b.code).ok_or_else(|| ApiError::Internal("QR encoding failed".into()))?;
        let headers = worker::Headers::new();
        headers.set("Content-Type", "image/svg+xml")?;
        headers.set("Cache-Control", "private, max-age=3600")?;
        Ok(crate::http::Reply::raw(Response::ok(svg)?.with_headers(headers)))
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn the_active_list_is_the_cores() {
        assert_eq!(ACTIVE, tongban_shared::booking::active_states_sql());
    }

    use super::*;

    #[test]
    fn qr_codes_are_svg_images_of_the_code() {
        let svg = qr_svg("AB12CD34").unwrap();
        assert!(svg.starts_with("<?xml") && svg.contains("<svg"), "{}", &svg[..80]);
        assert_ne!(qr_svg("AB12CD34"), qr_svg("AB12CD35"), "different codes, different images");
    }

    #[test]
    fn keys_and_ids() {
        assert_eq!(idempotency_key(Some(" abcdefgh ")), Some("abcdefgh".into()));
        assert_eq!(idempotency_key(Some("short")), None);
        assert_eq!(idempotency_key(Some("has space inside")), None);
        assert_eq!(idempotency_key(None), None);
        let d = NaiveDate::from_ymd_opt(2026, 12, 1).unwrap();
        assert_eq!(slot_id("wanli-a", d, "09:30"), "wanli-a@2026-12-01T09:30");
        let day = |d: &str, kind| store::DayRow { day: d.into(), kind };
        let c = calendar(&[day("2026-10-01", DayKind::Holiday), day("2026-10-10", DayKind::Workday), day("bad", DayKind::Holiday)]);
        assert!(!c.is_working_day(NaiveDate::from_ymd_opt(2026, 10, 1).unwrap()));
        assert!(c.is_working_day(NaiveDate::from_ymd_opt(2026, 10, 10).unwrap()));
    }
}
