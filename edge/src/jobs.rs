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
                if let Ok(stmt) = erasure_done(key).prepare(&db) {
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
    let keys: Vec<ErasureRow> = erasures_due(crate::limits::ERASURES_PER_RUN).prepare(&env.d1("DB")?)?.all().await?.results()?;
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

/// An object-store key a deleted account left, queued until its bytes are gone.
#[derive(serde::Deserialize)]
pub struct ErasureRow {
    pub object_key: String,
}

/// The oldest queued erasures, at most `limit` a run.
pub fn erasures_due(limit: u32) -> Stmt {
    Stmt::named("SELECT object_key FROM erasures ORDER BY since LIMIT :limit", vec![("limit", i64::from(limit).into())])
}

pub fn erasure_done(key: &str) -> Stmt {
    Stmt::named("DELETE FROM erasures WHERE object_key = :key", vec![("key", key.into())])
}

/// The nightly close at `now`: bookings never checked in by the cutoff become no-shows (each told, once:
/// the notification is written while the booking is still confirmed), waiting-list places of past slots
/// lapse, the day's figures per class and per window are stored, and sign-in failures and pacing slots
/// past their window are dropped. Run twice, the second run changes no booking and tells nobody again.
pub fn close_day_statements(now: i64) -> Vec<Stmt> {
    let local = tongban_shared::time::beijing(now);
    // An hour back may still be yesterday just after midnight: then only earlier days are closed.
    let cutoff_day = (local - chrono::Duration::minutes(60)).date().to_string();
    let cutoff = no_show_cutoff(local);
    let due = || vec![("day", cutoff_day.as_str().into()), ("cutoff", cutoff.as_str().into()), ("now", now.into())];
    let day = || vec![("day", local.date().to_string().into())];
    const DUE: &str = "state = 'confirmed' AND (date < :day OR (date = :day AND start <= :cutoff))";
    vec![
        Stmt::named(
            &format!(
                "INSERT INTO notifications (id, account_id, kind, ref_id, body_json, created_at) \
                 SELECT lower(hex(randomblob(16))), account_id, 'no_show', id, json_object('booking_id', id, 'date', date, 'start', start), :now FROM bookings WHERE {DUE}"
            ),
            due(),
        ),
        Stmt::named(&format!("UPDATE bookings SET state = 'no_show', updated_at = :now WHERE {DUE}"), due()),
        Stmt::named("UPDATE waitlist SET state = 'lapsed', updated_at = :now WHERE state = 'waiting' AND (date < :day OR (date = :day AND start <= :cutoff))", due()),
        Stmt::named(
            "INSERT OR REPLACE INTO daily_stats (day, center_id, class_id, window_no, tickets, served, on_the_spot, avg_wait_secs, avg_handle_secs, no_shows) \
             SELECT t.day, t.center_id, t.class_id, 0, count(*), sum(t.state = 'done'), coalesce(sum(t.outcome = 'on_the_spot'), 0), \
             CAST(avg(t.called_at - t.created_at) AS INTEGER), CAST(avg(t.finished_at - t.started_at) AS INTEGER), \
             (SELECT count(*) FROM bookings b JOIN slots s ON s.id = b.slot_id WHERE s.class_id = t.class_id AND b.date = t.day AND b.state = 'no_show') \
             FROM tickets t WHERE t.day = :day GROUP BY t.day, t.center_id, t.class_id",
            day(),
        ),
        Stmt::named(
            "INSERT OR REPLACE INTO daily_stats (day, center_id, class_id, window_no, tickets, served, on_the_spot, avg_wait_secs, avg_handle_secs, no_shows) \
             SELECT t.day, t.center_id, t.class_id, t.window_no, count(*), sum(t.state = 'done'), coalesce(sum(t.outcome = 'on_the_spot'), 0), \
             CAST(avg(t.called_at - t.created_at) AS INTEGER), CAST(avg(t.finished_at - t.started_at) AS INTEGER), 0 \
             FROM tickets t WHERE t.day = :day AND t.window_no IS NOT NULL GROUP BY t.day, t.center_id, t.class_id, t.window_no",
            day(),
        ),
        // Sign-in failures older than the throttle window count for nothing; pacing slots long past neither.
        Stmt::named("DELETE FROM login_failures WHERE at <= :since", vec![("since", (now - tongban_shared::account::THROTTLE_WINDOW_SECS).into())]),
        Stmt::named("DELETE FROM login_pace WHERE next_at <= :now_ms", vec![("now_ms", (now * 1000).into())]),
    ]
}

#[cfg(target_arch = "wasm32")]
pub async fn close_day(db: &worker::D1Database, now: i64) -> Result<(), crate::error::ApiError> {
    let batch = close_day_statements(now).iter().map(|s| s.prepare(db)).collect::<Result<Vec<_>, _>>()?;
    db.batch(batch).await?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The close at 23:30 Beijing: the day's unchecked booking before the cutoff is a no-show, told once;
    /// a later one and a checked-in one are not; a past waiting place lapses; the figures are stored;
    /// old sign-in failures go. Run again, nothing more changes.
    #[cfg(not(target_arch = "wasm32"))]
    #[test]
    fn the_day_closes_once() {
        use crate::sql::host::{decode, migrated};
        let conn = migrated();
        conn.execute_batch(
            "PRAGMA foreign_keys = OFF;
             INSERT INTO slots (id, class_id, date, start, capacity, booked) VALUES ('s1', 'ctr-any', '2026-12-01', '09:00', 3, 3);
             INSERT INTO bookings (id, code, account_id, item_id, center_id, slot_id, date, start, state, idem_key, created_at, updated_at) VALUES
               ('gone', 'C1', 'acc', 'it', 'ctr', 's1', '2026-12-01', '09:00', 'confirmed', 'k1', 1, 1),
               ('late', 'C2', 'acc', 'it', 'ctr', 's1', '2026-12-01', '23:00', 'confirmed', 'k2', 1, 1),
               ('came', 'C3', 'bob', 'it', 'ctr', 's1', '2026-12-01', '09:00', 'checked_in', 'k3', 1, 1);
             INSERT INTO waitlist (id, account_id, item_id, center_id, slot_id, date, start, state, created_at, updated_at)
               VALUES ('w1', 'eve', 'it', 'ctr', 's1', '2026-12-01', '09:00', 'waiting', 1, 1);
             INSERT INTO tickets (id, center_id, class_id, day, seq, number, origin, state, created_at, called_at, started_at, finished_at, window_no, outcome)
               VALUES ('t1', 'ctr', 'ctr-any', '2026-12-01', 1, 'A001', 'walk_in', 'done', 100, 160, 200, 500, 1, 'on_the_spot');
             INSERT INTO login_failures (login_lookup, client, at) VALUES ('x', 'c', 1);",
        )
        .unwrap_or_else(|e| panic!("fixture: {e}"));
        // 2026-12-01 23:30 in Beijing.
        let now = tongban_shared::time::epoch_of(chrono::NaiveDate::from_ymd_opt(2026, 12, 1).unwrap().and_hms_opt(23, 30, 0).unwrap());
        let run = || close_day_statements(now).iter().map(|s| s.execute(&conn).unwrap_or_else(|e| panic!("{e}: {}", s.sql))).collect::<Vec<_>>();
        assert_eq!(run()[..5], [1, 1, 1, 1, 1]);
        let one = |sql: &str| conn.query_row(sql, [], |r| r.get::<_, String>(0)).unwrap();
        assert_eq!(
            one("SELECT group_concat(id || ':' || state, ',') FROM (SELECT * FROM bookings ORDER BY id)"),
            "came:checked_in,gone:no_show,late:confirmed"
        );
        assert_eq!(one("SELECT account_id || kind || ref_id FROM notifications"), "accno_showgone");
        assert_eq!(one("SELECT state FROM waitlist"), "lapsed");
        assert_eq!(
            one("SELECT group_concat(window_no || '/' || tickets || '/' || served || '/' || on_the_spot || '/' || avg_wait_secs || '/' || avg_handle_secs || '/' || no_shows, ',') FROM (SELECT * FROM daily_stats ORDER BY window_no)"),
            "0/1/1/1/60/300/1,1/1/1/1/60/300/0"
        );
        assert_eq!(one("SELECT count(*) || '' FROM login_failures"), "0");
        assert_eq!(run()[..3], [0, 0, 0], "the second run changes no booking and tells nobody again");
        assert_eq!(one("SELECT count(*) || '' FROM notifications"), "1");
        conn.execute("INSERT INTO erasures (object_key, since) VALUES ('uploads/a', 5), ('uploads/b', 3)", []).unwrap();
        assert_eq!(decode::<ErasureRow>(&conn, &erasures_due(1))[0].object_key, "uploads/b", "the oldest first, at most the limit");
        let bounded = erasures_due(crate::limits::ERASURES_PER_RUN);
        assert_eq!(bounded.args, [crate::sql::Arg::Int(i64::from(crate::limits::ERASURES_PER_RUN))], "a run's erasures fit its subrequests");
        assert_eq!(erasure_done("uploads/b").execute(&conn).unwrap(), 1);
    }

    #[test]
    fn cutoff_is_an_hour_back() {
        let t = chrono::NaiveDate::from_ymd_opt(2026, 12, 1).unwrap().and_hms_opt(23, 30, 0).unwrap();
        assert_eq!(no_show_cutoff(t), "22:30");
    }
}
