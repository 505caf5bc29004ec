//! Cron Triggers (`[triggers]` in wrangler.toml). Every minute: give back expired holds (and offer them to
//! the waiting list). Nightly at 23:30 Beijing time: close the day — bookings never checked in become
//! no-shows (each with a notification), waiting-list entries for past slots lapse, and the day's figures
//! per class and window are stored. Every minute too: erase object-store bytes a deleted account left
//! queued, and seal e-licences written before they were sealed. Every step is a conditional statement, so running a job twice, or
//! two runs overlapping, changes nothing the second time.

use crate::sql::Stmt;

/// 23:30 in Beijing (UTC+8) is 15:30 UTC.
pub const CLOSE_DAY_CRON: &str = "30 15 * * *";
pub const EVERY_MINUTE_CRON: &str = "* * * * *";

/// Latest slot start (`HH:MM`) that a no-show can be declared for at `now`: an hour back, which is beyond
/// any center's check-in lateness (validated ≤ 60 minutes), so nobody who may still check in is marked.
pub fn no_show_cutoff(now: chrono::NaiveDateTime) -> String {
    (now - chrono::Duration::minutes(60)).format("%H:%M").to_string()
}

#[cfg(target_arch = "wasm32")]
pub async fn run(cron: &str, env: &worker::Env, now: i64) -> Result<(), crate::error::ApiError> {
    let db = env.d1("DB")?;
    crate::bookings::sweep_holds(&db, now).await?;
    if cron == CLOSE_DAY_CRON {
        close_day(&db, now).await?;
    }
    reminders(&db, now).await?;
    crate::push::deliver_due(env, now).await?;
    erase_left_over(env).await?;
    crate::applications::seal_legacy_licences(env).await?;
    Ok(())
}

/// Deletes objects from R2 and then their `erasures` rows. Failures are logged and stay queued for the
/// cron (`erase_left_over`): the rows that named them are already gone, so nothing else would find them.
#[cfg(target_arch = "wasm32")]
pub async fn erase_objects(env: &worker::Env, keys: &[String]) {
    let Ok(bucket) = env.bucket("FILES") else { return };
    let Ok(db) = env.d1("DB") else { return };
    for key in keys {
        match bucket.delete(key).await {
            Ok(()) => {
                let done = db.prepare("DELETE FROM erasures WHERE object_key = ?1").bind(&[wasm_bindgen::JsValue::from_str(key)]);
                if let Ok(stmt) = done {
                    let _ = stmt.run().await;
                }
            }
            Err(e) => worker::console_error!("erasing {key}: {e:?} (the cron retries)"),
        }
    }
}

/// Finishes erasures a request could not: `ERASURES_PER_RUN` a run (two subrequests each), within the
/// minute job's share of its 50 subrequests (`crate::limits::CRON_SUBREQUESTS_BESIDES_PUSH`).
#[cfg(target_arch = "wasm32")]
async fn erase_left_over(env: &worker::Env) -> Result<(), crate::error::ApiError> {
    #[derive(serde::Deserialize)]
    struct K {
        object_key: String,
    }
    let keys: Vec<K> = env
        .d1("DB")?
        .prepare("SELECT object_key FROM erasures ORDER BY since LIMIT ?1")
        .bind(&[wasm_bindgen::JsValue::from(crate::limits::ERASURES_PER_RUN)])?
        .all()
        .await?
        .results()?;
    erase_objects(env, &keys.into_iter().map(|k| k.object_key).collect::<Vec<_>>()).await;
    Ok(())
}

/// The statements that write the booking reminders due at `now` (epoch seconds): the rule of
/// `shared::notify::reminders_due`, as SQL so that one statement covers every booking. A partial unique
/// index makes each reminder exist once, whatever the runs; the host SQL stage holds these statements
/// to the rule on random bookings.
pub fn reminder_statements(now: i64) -> Vec<Stmt> {
    let local = tongban_shared::time::beijing(now);
    let today = local.date();
    let tomorrow = today.succ_opt().unwrap_or(today);
    let at = |t: chrono::NaiveDateTime| t.format("%Y-%m-%d %H:%M").to_string();
    let insert = |kind: &str, cond: &str| {
        format!(
            "INSERT OR IGNORE INTO notifications (id, account_id, kind, ref_id, body_json, created_at) \
             SELECT lower(hex(randomblob(16))), account_id, '{kind}', id, json_object('booking_id', id, 'date', date, 'start', start), ?1 \
             FROM bookings WHERE state = 'confirmed' AND {cond}"
        )
    };
    let mut out = Vec::new();
    let evening = today.and_hms_opt(18, 0, 0).unwrap_or_default();
    if local >= evening {
        // Tomorrow's bookings made before this evening's 18:00 (as epoch seconds, Beijing is UTC+8).
        let evening_epoch = now - (local - evening).num_seconds();
        out.push(Stmt::new(
            insert("reminder_day_before", "date = ?2 AND created_at < ?3"),
            vec![now.into(), tomorrow.to_string().into(), evening_epoch.into()],
        ));
    }
    // Slots starting within the hour (whole minutes: a slot is due once `now` reaches an hour before
    // it), across midnight too, and only for bookings made more than an hour before their slot.
    let slot = "(date || ' ' || start)";
    let slot_epoch = format!("CAST(strftime('%s', date || ' ' || start) AS INTEGER) - {}", tongban_shared::time::OFFSET_SECS);
    out.push(Stmt::new(
        insert("reminder_hour_before", &format!("date IN (?2, ?3) AND {slot} > ?4 AND {slot} <= ?5 AND created_at < {slot_epoch} - 3600")),
        vec![now.into(), today.to_string().into(), tomorrow.to_string().into(), at(local).into(), at(local + chrono::Duration::minutes(60)).into()],
    ));
    out
}

#[cfg(target_arch = "wasm32")]
pub async fn reminders(db: &worker::D1Database, now: i64) -> Result<(), crate::error::ApiError> {
    let batch = reminder_statements(now).iter().map(|s| s.prepare(db)).collect::<Result<Vec<_>, _>>()?;
    db.batch(batch).await?;
    Ok(())
}

#[cfg(target_arch = "wasm32")]
pub async fn close_day(db: &worker::D1Database, now: i64) -> Result<(), crate::error::ApiError> {
    use wasm_bindgen::JsValue;
    let local = tongban_shared::time::beijing(now);
    // An hour back may still be yesterday just after midnight: then only earlier days are closed.
    let cutoff_day = (local - chrono::Duration::minutes(60)).date();
    let (today, cutoff) = (JsValue::from_str(&cutoff_day.to_string()), JsValue::from_str(&no_show_cutoff(local)));
    let nowv = JsValue::from_f64(now as f64);
    let due = "state = 'confirmed' AND (date < ?1 OR (date = ?1 AND start <= ?2))";
    let day = JsValue::from_str(&local.date().to_string());
    db.batch(vec![
        db.prepare(format!(
            "INSERT INTO notifications (id, account_id, kind, ref_id, body_json, created_at) \
             SELECT lower(hex(randomblob(16))), account_id, 'no_show', id, json_object('booking_id', id, 'date', date, 'start', start), ?3 FROM bookings WHERE {due}"
        ))
        .bind(&[today.clone(), cutoff.clone(), nowv.clone()])?,
        db.prepare(format!("UPDATE bookings SET state = 'no_show', updated_at = ?3 WHERE {due}")).bind(&[today.clone(), cutoff.clone(), nowv.clone()])?,
        db.prepare("UPDATE waitlist SET state = 'lapsed', updated_at = ?3 WHERE state = 'waiting' AND (date < ?1 OR (date = ?1 AND start <= ?2))")
            .bind(&[today, cutoff, nowv])?,
        db.prepare(
            "INSERT OR REPLACE INTO daily_stats (day, center_id, class_id, window_no, tickets, served, on_the_spot, avg_wait_secs, avg_handle_secs, no_shows) \
             SELECT t.day, t.center_id, t.class_id, 0, count(*), sum(t.state = 'done'), coalesce(sum(t.outcome = 'on_the_spot'), 0), \
             CAST(avg(t.called_at - t.created_at) AS INTEGER), CAST(avg(t.finished_at - t.started_at) AS INTEGER), \
             (SELECT count(*) FROM bookings b JOIN slots s ON s.id = b.slot_id WHERE s.class_id = t.class_id AND b.date = t.day AND b.state = 'no_show') \
             FROM tickets t WHERE t.day = ?1 GROUP BY t.day, t.center_id, t.class_id",
        )
        .bind(std::slice::from_ref(&day))?,
        db.prepare(
            "INSERT OR REPLACE INTO daily_stats (day, center_id, class_id, window_no, tickets, served, on_the_spot, avg_wait_secs, avg_handle_secs, no_shows) \
             SELECT t.day, t.center_id, t.class_id, t.window_no, count(*), sum(t.state = 'done'), coalesce(sum(t.outcome = 'on_the_spot'), 0), \
             CAST(avg(t.called_at - t.created_at) AS INTEGER), CAST(avg(t.finished_at - t.started_at) AS INTEGER), 0 \
             FROM tickets t WHERE t.day = ?1 AND t.window_no IS NOT NULL GROUP BY t.day, t.center_id, t.class_id, t.window_no",
        )
        .bind(&[day])?,
        // Sign-in failures older than the throttle window count for nothing; pacing slots long past neither.
        db.prepare("DELETE FROM login_failures WHERE at <= ?1").bind(&[JsValue::from_f64((now - tongban_shared::account::THROTTLE_WINDOW_SECS) as f64)])?,
        db.prepare("DELETE FROM login_pace WHERE next_at <= ?1").bind(&[JsValue::from_f64((now * 1000) as f64)])?,
    ])
    .await?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cutoff_is_an_hour_back() {
        let t = chrono::NaiveDate::from_ymd_opt(2026, 12, 1).unwrap().and_hms_opt(23, 30, 0).unwrap();
        assert_eq!(no_show_cutoff(t), "22:30");
    }
}
