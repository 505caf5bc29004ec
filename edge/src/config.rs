//! `/api/v1/centers/{id}/config`, `/api/v1/calendar…`, slot overrides and affected bookings: what a center
//! admin configures, checked by `shared::config`, written in one batch. Changing the configuration
//! never cancels a booking: the bookings it leaves outside are listed for staff to handle.

#[cfg(target_arch = "wasm32")]
pub use wasm::*;

#[cfg(target_arch = "wasm32")]
mod wasm {
    use crate::bookings::{calendar_of, rules_of, slot_id, BookingRow, SELECT};
    use crate::error::ApiError;
    use crate::http::{Answer, Body, Ctx};
    use crate::routes::ep;
    use chrono::NaiveDate;
    use serde::Deserialize;
    use tongban_shared::authz::require_center;
    use tongban_shared::booking::{slot_capacity, SlotAvailability};
    use tongban_shared::catalogue::{is_valid_slug, OpeningHours};
    use tongban_shared::config::{affected, AffectedBooking, AffectedReason, CalendarDay, CenterConfig, ClassConfig, ClassKind, DayKind};
    use tongban_shared::time::beijing;
    use tongban_shared::{ErrorCode, FieldError, Text};
    use wasm_bindgen::JsValue;
    use worker::D1Database;

    use crate::http::text;

    #[derive(Deserialize)]
    struct ClassRow {
        id: String,
        prefix: String,
        kind: String,
        name_zh: String,
        name_en: String,
        open_windows: i64,
        avg_minutes: i64,
        items: Option<String>,
        windows: Option<String>,
    }

    fn split<T: std::str::FromStr>(s: Option<String>) -> Vec<T> {
        s.map(|s| s.split(',').filter_map(|x| x.parse().ok()).collect()).unwrap_or_default()
    }

    /// The center's configuration as stored.
    pub async fn load(db: &D1Database, center: &str) -> Result<CenterConfig, ApiError> {
        let hours: Option<String> = db.prepare("SELECT hours_json FROM centers WHERE id = ?1").bind(&[text(center)])?.first(Some("hours_json")).await?;
        let hours: Vec<OpeningHours> = serde_json::from_str(&hours.ok_or(ApiError::from(ErrorCode::CenterNotFound))?).unwrap_or_default();
        let rows: Vec<ClassRow> = db
            .prepare(
                "SELECT k.id, k.prefix, k.kind, k.name_zh, k.name_en, k.open_windows, k.avg_minutes, \
                 (SELECT group_concat(item_id) FROM class_items ci WHERE ci.class_id = k.id) AS items, \
                 (SELECT group_concat(number) FROM windows w WHERE w.class_id = k.id) AS windows \
                 FROM window_classes k WHERE k.center_id = ?1 ORDER BY k.prefix",
            )
            .bind(&[text(center)])?
            .all()
            .await?
            .results()?;
        Ok(CenterConfig {
            center_id: center.to_string(),
            hours,
            rules: rules_of(db, center).await?,
            classes: rows
                .into_iter()
                .map(|r| ClassConfig {
                    kind: if r.kind == "domain" { ClassKind::Domain } else { ClassKind::Any },
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
        #[derive(Deserialize)]
        struct I {
            item_id: String,
        }
        #[derive(Deserialize)]
        struct W {
            number: i64,
        }
        let items: Vec<String> = db
            .prepare("SELECT item_id FROM item_centers WHERE center_id = ?1")
            .bind(&[text(&center)])?
            .all()
            .await?
            .results::<I>()?
            .into_iter()
            .map(|i| i.item_id)
            .collect();
        let windows: Vec<u32> = db
            .prepare("SELECT number FROM windows WHERE center_id = ?1")
            .bind(&[text(&center)])?
            .all()
            .await?
            .results::<W>()?
            .into_iter()
            .map(|w| w.number.max(0) as u32)
            .collect();
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
        let mut batch = vec![
            db.prepare("UPDATE centers SET hours_json = ?2 WHERE id = ?1").bind(&[text(&center), text(&serde_json::to_string(&cfg.hours)?)])?,
            db.prepare(
                "INSERT INTO booking_rules (center_id, rules_json) VALUES (?1, ?2) ON CONFLICT (center_id) DO UPDATE SET rules_json = excluded.rules_json",
            )
            .bind(&[text(&center), text(&serde_json::to_string(&cfg.rules)?)])?,
            db.prepare("DELETE FROM class_items WHERE class_id IN (SELECT id FROM window_classes WHERE center_id = ?1)").bind(&[text(&center)])?,
            db.prepare("UPDATE windows SET class_id = NULL WHERE center_id = ?1").bind(&[text(&center)])?,
        ];
        for c in &cfg.classes {
            let kind = if c.kind == ClassKind::Domain { "domain" } else { "any" };
            batch.push(
                db.prepare(
                    "INSERT INTO window_classes (id, center_id, prefix, name_zh, name_en, open_windows, avg_minutes, kind) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8) \
                     ON CONFLICT (id) DO UPDATE SET name_zh = excluded.name_zh, name_en = excluded.name_en, open_windows = excluded.open_windows, \
                     avg_minutes = excluded.avg_minutes, kind = excluded.kind",
                )
                .bind(&[
                    text(&c.id),
                    text(&center),
                    text(&c.prefix),
                    text(c.name.zh.trim()),
                    text(c.name.en.trim()),
                    JsValue::from_f64(f64::from(c.open_windows)),
                    JsValue::from_f64(f64::from(c.avg_minutes)),
                    text(kind),
                ])?,
            );
            if c.kind == ClassKind::Domain {
                for i in &c.items {
                    batch.push(db.prepare("INSERT OR IGNORE INTO class_items (class_id, item_id) VALUES (?1, ?2)").bind(&[text(&c.id), text(i)])?);
                }
            }
            for w in &c.windows {
                batch.push(db.prepare("UPDATE windows SET class_id = ?1 WHERE center_id = ?2 AND number = ?3").bind(&[
                    text(&c.id),
                    text(&center),
                    JsValue::from_f64(f64::from(*w)),
                ])?);
            }
            let seats = slot_capacity(c.open_windows, cfg.rules.slot_minutes, c.avg_minutes, None);
            batch.push(db.prepare("UPDATE slots SET capacity = max(booked, coalesce(override, ?2)) WHERE class_id = ?1 AND date > ?3").bind(&[
                text(&c.id),
                JsValue::from_f64(f64::from(seats)),
                text(&today),
            ])?);
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
        #[derive(Deserialize)]
        struct Over {
            id: String,
        }
        // Seats per class now, to compare each slot's bookings against (an override wins).
        let mut over: Vec<String> = Vec::new();
        for c in &cfg.classes {
            let seats = slot_capacity(c.open_windows, cfg.rules.slot_minutes, c.avg_minutes, None);
            let rows: Vec<Over> = db
                .prepare("SELECT id FROM slots WHERE class_id = ?1 AND date >= ?2 AND booked > coalesce(override, ?3)")
                .bind(&[text(&c.id), text(&beijing(ctx.now).date().to_string()), JsValue::from_f64(f64::from(seats))])?
                .all()
                .await?
                .results()?;
            over.extend(rows.into_iter().map(|r| r.id));
        }
        let rows: Vec<BookingRow> = db
            .prepare(format!("{SELECT} WHERE b.center_id = ?1 AND b.date >= ?2 AND b.state IN ('held', 'confirmed') ORDER BY b.date, b.start"))
            .bind(&[text(&center), text(&beijing(ctx.now).date().to_string())])?
            .all()
            .await?
            .results()?;
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

    #[derive(Deserialize, serde::Serialize)]
    struct DayRow {
        day: String,
        kind: String,
    }

    pub async fn list_calendar(ctx: &Ctx) -> Answer<ep::ListCalendar> {
        let rows: Vec<DayRow> = ctx.db()?.prepare("SELECT day, kind FROM calendar_days ORDER BY day").all().await?.results()?;
        let v: Vec<CalendarDay> =
            rows.into_iter().map(|r| CalendarDay { date: r.day, kind: Some(if r.kind == "holiday" { DayKind::Holiday } else { DayKind::Workday }) }).collect();
        ctx.reply(&v)
    }

    /// The district calendar is one for all centers: a holiday or a 调休 working day, or neither.
    pub async fn set_calendar_day(ctx: &Ctx, body: Body<ep::SetCalendarDay>) -> Answer<ep::SetCalendarDay> {
        let day = body.read(ctx)?;
        let date = day.parse()?;
        let db = ctx.db()?;
        let stmt = match day.kind {
            Some(k) => db
                .prepare("INSERT INTO calendar_days (day, kind) VALUES (?1, ?2) ON CONFLICT (day) DO UPDATE SET kind = excluded.kind")
                .bind(&[text(&date.to_string()), text(if k == DayKind::Holiday { "holiday" } else { "workday" })])?,
            None => db.prepare("DELETE FROM calendar_days WHERE day = ?1").bind(&[text(&date.to_string())])?,
        };
        stmt.run().await?;
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
        let cap = o.capacity.map_or(JsValue::NULL, |c| JsValue::from_f64(f64::from(c)));
        db.batch(vec![
            db.prepare("INSERT OR IGNORE INTO slots (id, class_id, date, start, capacity) VALUES (?1, ?2, ?3, ?4, ?5)").bind(&[
                text(&sid),
                text(&class.id),
                text(&date.to_string()),
                text(&o.start),
                JsValue::from_f64(f64::from(computed)),
            ])?,
            db.prepare("UPDATE slots SET override = ?2, capacity = max(booked, coalesce(?2, ?3)) WHERE id = ?1").bind(&[
                text(&sid),
                cap,
                JsValue::from_f64(f64::from(computed)),
            ])?,
        ])
        .await?;
        #[derive(Deserialize)]
        struct S {
            capacity: i64,
            booked: i64,
        }
        let s: S = db
            .prepare("SELECT capacity, booked FROM slots WHERE id = ?1")
            .bind(&[text(&sid)])?
            .first(None)
            .await?
            .ok_or_else(|| ApiError::Internal("slot vanished".into()))?;
        let v = SlotAvailability { start: o.start, capacity: s.capacity.max(0) as u32, remaining: (s.capacity - s.booked).max(0) as u32 };
        ctx.reply(&v)
    }
}
