//! `/api/v1/centers/{id}/config`, `/api/v1/calendar…`, slot overrides and affected bookings: what a center
//! admin configures, checked by `shared::config`, written in one batch. Changing the configuration
//! never cancels a booking: the bookings it leaves outside are listed for staff to handle.

pub mod store;

#[cfg(target_arch = "wasm32")]
pub use wasm::*;

#[cfg(target_arch = "wasm32")]
mod wasm {
    use super::store::{self, ClassRow, ClassWrite, HoursRow, ItemRow, SeatsRow, SlotIdRow, WindowRow};
    use crate::bookings::store::{ensure_slot, SlotKey};
    use crate::bookings::store::{BookingRow, DayRow};
    use crate::bookings::{calendar_of, rules_of, slot_id};
    use crate::error::ApiError;
    use crate::http::{Answer, Body, Ctx};
    use crate::routes::ep;
    use chrono::NaiveDate;
    use tongban_shared::authz::require_center;
    use tongban_shared::booking::{slot_capacity, SlotAvailability};
    use tongban_shared::catalogue::{is_valid_slug, OpeningHours};
    use tongban_shared::config::{affected, AffectedBooking, AffectedReason, CalendarDay, CenterConfig, ClassConfig, ClassKind};
    use tongban_shared::time::beijing;
    use tongban_shared::{ErrorCode, FieldError, Text};
    use worker::D1Database;

    fn split<T: std::str::FromStr>(s: Option<String>) -> Vec<T> {
        s.map(|s| s.split(',').filter_map(|x| x.parse().ok()).collect()).unwrap_or_default()
    }

    /// The center's configuration as stored.
    pub async fn load(db: &D1Database, center: &str) -> Result<CenterConfig, ApiError> {
        let hours: HoursRow = store::hours(center).prepare(db)?.first(None).await?.ok_or(ApiError::from(ErrorCode::CenterNotFound))?;
        // Written only from the checked shared type (`put`): what does not read back is a fault, not "closed".
        let hours: Vec<OpeningHours> = serde_json::from_str(&hours.hours_json).map_err(|e| ApiError::Internal(format!("hours of {center}: {e}")))?;
        let rows: Vec<ClassRow> = store::classes(center).prepare(db)?.all().await?.results()?;
        Ok(CenterConfig {
            center_id: center.to_string(),
            hours,
            rules: rules_of(db, center).await?,
            classes: rows
                .into_iter()
                .map(|r| ClassConfig {
                    kind: r.kind,
                    name: Text::new(r.name_zh, r.name_en),
                    open_windows: r.open_windows.max(0) as u32,
                    avg_minutes: r.avg_minutes.max(1) as u32,
                    items: split(r.items),
                    windows: split(r.windows),
                    id: r.id,
                    prefix: r.prefix,
                })
                .collect(),
        })
    }

    pub async fn get(ctx: &Ctx) -> Answer<ep::GetCenterConfig> {
        let center = ctx.slug("id")?;
        require_center(ctx.principal()?, &center)?;
        ctx.reply(&load(&ctx.db()?, &center).await?)
    }

    /// Saves hours, rules and classes in one transaction, and re-computes the seats of future slots
    /// (never below what is booked: those bookings show up in the affected list instead).
    pub async fn put(ctx: &Ctx, body: Body<ep::UpdateCenterConfig>) -> Answer<ep::UpdateCenterConfig> {
        let center = ctx.slug("id")?;
        require_center(ctx.principal()?, &center)?;
        let mut cfg = body.read(ctx)?;
        cfg.center_id = center.clone();
        let db = ctx.db()?;
        let old = load(&db, &center).await?;
        let items: Vec<String> = store::items(&center).prepare(&db)?.all().await?.results::<ItemRow>()?.into_iter().map(|i| i.item_id).collect();
        let windows: Vec<u32> =
            store::windows(&center).prepare(&db)?.all().await?.results::<WindowRow>()?.into_iter().map(|w| w.number.max(0) as u32).collect();
        // Existing classes keep their id and prefix (printed on tickets); new ones get both here.
        for c in cfg.classes.iter_mut() {
            match old.classes.iter().find(|o| o.id == c.id && !c.id.is_empty()) {
                Some(o) => c.prefix = o.prefix.clone(),
                None if c.id.is_empty() => c.id = format!("{center}-{}", c.prefix.to_ascii_lowercase()),
                None => return Err(FieldError::new(ErrorCode::ClassNotFound, "classes.id").into()),
            }
        }
        if old.classes.iter().any(|o| !cfg.classes.iter().any(|c| c.id == o.id)) {
            return Err(FieldError::new(ErrorCode::InvalidConfig, "classes").into());
        }
        cfg.validate(&items, &windows)?;
        let today = beijing(ctx.now).date().to_string();
        let mut batch = Vec::new();
        for stmt in store::save_center(&center, &serde_json::to_string(&cfg.hours)?, &serde_json::to_string(&cfg.rules)?) {
            batch.push(stmt.prepare(&db)?);
        }
        for c in &cfg.classes {
            let write = ClassWrite {
                id: &c.id,
                center_id: &center,
                prefix: &c.prefix,
                name_zh: c.name.zh.trim(),
                name_en: c.name.en.trim(),
                open_windows: c.open_windows,
                avg_minutes: c.avg_minutes,
                kind: c.kind,
            };
            batch.push(store::save_class(&write).prepare(&db)?);
            if c.kind == ClassKind::Domain {
                for i in &c.items {
                    batch.push(store::class_item(&c.id, i).prepare(&db)?);
                }
            }
            for w in &c.windows {
                batch.push(store::assign_window(&c.id, &center, *w).prepare(&db)?);
            }
            let seats = slot_capacity(c.open_windows, cfg.rules.slot_minutes, c.avg_minutes, None);
            batch.push(store::reseat_after(&c.id, seats, &today).prepare(&db)?);
        }
        db.batch(batch).await?;
        ctx.reply(&load(&db, &center).await?)
    }

    /// Confirmed and held bookings from today on that no longer fit: a closed day, a time outside the
    /// hours, or more bookings in a slot than its seats now are.
    pub async fn affected_bookings(ctx: &Ctx) -> Answer<ep::AffectedBookings> {
        let center = ctx.slug("id")?;
        require_center(ctx.principal()?, &center)?;
        let db = ctx.db()?;
        let cfg = load(&db, &center).await?;
        let cal = calendar_of(&db).await?;
        // Seats per class now, to compare each slot's bookings against (an override wins).
        let mut over: Vec<String> = Vec::new();
        for c in &cfg.classes {
            let seats = slot_capacity(c.open_windows, cfg.rules.slot_minutes, c.avg_minutes, None);
            let rows: Vec<SlotIdRow> = store::over_capacity(&c.id, &beijing(ctx.now).date().to_string(), seats).prepare(&db)?.all().await?.results()?;
            over.extend(rows.into_iter().map(|r| r.id));
        }
        let rows: Vec<BookingRow> = crate::bookings::store::upcoming_at(&center, &beijing(ctx.now).date().to_string()).prepare(&db)?.all().await?.results()?;
        let mut list = Vec::new();
        for r in rows {
            let (booking, slot) = r.booking_with_slot()?;
            let Ok(date) = NaiveDate::parse_from_str(&booking.date, "%Y-%m-%d") else { continue };
            let reason = affected(date, &booking.start, &cal, &cfg.hours, cfg.rules.slot_minutes)
                .or_else(|| over.contains(&slot).then_some(AffectedReason::OverCapacity));
            if let Some(reason) = reason {
                list.push(AffectedBooking { booking, reason });
            }
        }
        ctx.reply(&list)
    }

    pub async fn list_calendar(ctx: &Ctx) -> Answer<ep::ListCalendar> {
        let rows: Vec<DayRow> = crate::bookings::store::calendar_days().prepare(&ctx.db()?)?.all().await?.results()?;
        let v: Vec<CalendarDay> = rows.into_iter().map(|r| CalendarDay { date: r.day, kind: Some(r.kind) }).collect();
        ctx.reply(&v)
    }

    /// The district calendar is one for all centers: a holiday or a 调休 working day, or neither.
    pub async fn set_calendar_day(ctx: &Ctx, body: Body<ep::SetCalendarDay>) -> Answer<ep::SetCalendarDay> {
        let day = body.read(ctx)?;
        let date = day.parse()?;
        let db = ctx.db()?;
        store::set_day(&date.to_string(), day.kind).prepare(&db)?.run().await?;
        ctx.reply(&day)
    }

    /// Sets or clears one slot's seats. The stored seats never drop below what is booked; the excess
    /// is listed as affected.
    pub async fn override_slot(ctx: &Ctx, body: Body<ep::OverrideSlot>) -> Answer<ep::OverrideSlot> {
        let center = ctx.slug("id")?;
        require_center(ctx.principal()?, &center)?;
        let o = body.read(ctx)?;
        if !is_valid_slug(&o.class_id) {
            return Err(FieldError::new(ErrorCode::BadId, "class_id").into());
        }
        let date = NaiveDate::parse_from_str(&o.date, "%Y-%m-%d").map_err(|_| FieldError::new(ErrorCode::InvalidConfig, "date"))?;
        if o.capacity.is_some_and(|c| c > 500) {
            return Err(FieldError::new(ErrorCode::InvalidConfig, "capacity").into());
        }
        let db = ctx.db()?;
        let cfg = load(&db, &center).await?;
        let class = cfg.classes.iter().find(|c| c.id == o.class_id).ok_or(FieldError::new(ErrorCode::ClassNotFound, "class_id"))?;
        let wd = chrono::Datelike::weekday(&date).number_from_monday() as u8;
        let starts = cfg
            .hours
            .iter()
            .find(|h| h.weekday == wd)
            .map(|h| tongban_shared::booking::slot_starts(&h.open, &h.close, cfg.rules.slot_minutes))
            .unwrap_or_default();
        if !starts.contains(&o.start) || date <= beijing(ctx.now).date() {
            return Err(FieldError::new(ErrorCode::SlotNotFound, "start").into());
        }
        let computed = slot_capacity(class.open_windows, cfg.rules.slot_minutes, class.avg_minutes, None);
        let sid = slot_id(&class.id, date, &o.start);
        let (date_s, key) = (date.to_string(), &class.id);
        let slot = SlotKey { id: &sid, class_id: key, date: &date_s, start: &o.start, capacity: computed };
        db.batch(vec![ensure_slot(&slot).prepare(&db)?, store::override_seats(&sid, o.capacity, computed).prepare(&db)?]).await?;
        let s: SeatsRow = store::seats(&sid).prepare(&db)?.first(None).await?.ok_or_else(|| ApiError::Internal("slot vanished".into()))?;
        let v = SlotAvailability { start: o.start, capacity: s.capacity.max(0) as u32, remaining: (s.capacity - s.booked).max(0) as u32 };
        ctx.reply(&v)
    }
}
