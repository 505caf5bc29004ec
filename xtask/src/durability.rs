//! Crash durability: load the local stack with bookings, walk-in tickets and application submissions from
//! many connections at once, SIGKILL workerd in the middle of it, start it again on the same files, and
//! check what a user would notice:
//!
//! - every request that got a 2xx is still there (a booking, a ticket, an application);
//! - nothing is half-written: every application has all its cases and its "submitted" event; every slot's
//!   `booked` counter equals the bookings holding a seat in it, never above capacity; every day's ticket
//!   counter is at least the highest number issued, so no number is handed out twice after the restart;
//! - the restarted server answers, and a retried request (same Idempotency-Key) finds what was committed
//!   instead of doing it twice.
//!
//! A process kill, not a power cut: SQLite's committed transactions survive the death of the process, so
//! what this checks is that every write the worker acknowledges is one committed batch.

use crate::bench::{self, Slot};
use crate::server::{self, Server};
use crate::{root, Result};
use serde_json::Value;
use std::path::Path;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::Mutex;
use std::time::{Duration, Instant};

const CONNS: usize = 24;
const RESIDENTS: usize = 600;
/// Load before the kill: long enough for every kind of request to be in flight many times.
const LOAD_BEFORE_KILL: Duration = Duration::from_secs(6);
const BUSINESS: &str = "91440101MA5CJQ4N59";
const CENTER: &str = "putuo-district";

#[derive(Default)]
struct Acked {
    bookings: Vec<(String, String)>,
    tickets: Vec<String>,
    applications: Vec<(String, usize, String)>,
    /// Requests whose answer never came (the kill), one per connection at most: committed or not, either
    /// is fine, as long as it is all or nothing.
    unanswered: u64,
    other: Vec<String>,
}

pub fn run() -> Result<String> {
    let state = root().join(format!("target/durability-state/{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&state);
    let r = with_state(&state);
    let _ = std::fs::remove_dir_all(&state);
    r
}

fn with_state(state: &Path) -> Result<String> {
    server::prepare_db(state)?;
    let cookies = bench::residents(state, RESIDENTS)?;
    let log = root().join("target/durability-wrangler.log");
    let srv = Server::start(state, &log)?;
    let base = srv.base.clone();
    let seed = crate::seed::load()?;
    let item = seed.items.iter().find(|i| i.centers.iter().any(|c| c == "*")).map(|i| i.id.clone()).ok_or("no item served everywhere")?;
    // A handful of slots for 600 residents: seats run out, so the capacity guard works under the load too.
    let slots: Vec<Slot> = bench::open_slots(&base, &[CENTER], &item)?.into_iter().take(8).collect();
    let (business, values) = bench::restaurant_applicant(&base)?;

    let acked = Mutex::new(Acked::default());
    let stop = AtomicBool::new(false);
    let next = AtomicU64::new(0);
    let started = Instant::now();
    std::thread::scope(|s| {
        for _ in 0..CONNS {
            s.spawn(|| {
                let agent = bench::agent(Duration::from_secs(20));
                while !stop.load(Ordering::Relaxed) {
                    let n = next.fetch_add(1, Ordering::Relaxed);
                    let (kind, key, a) = match n % 6 {
                        0 => {
                            let key = format!("dur-app-{n}");
                            ("application", key.clone(), bench::submit(&agent, &base, &business, &key, &values))
                        }
                        1 | 2 => ("ticket", String::new(), bench::post(&agent, &base, &format!("/api/v1/centers/{CENTER}/tickets"), None, "", None)),
                        _ => {
                            let key = format!("dur-book-{n}");
                            let slot = &slots[(n as usize / 7) % slots.len()];
                            ("booking", key.clone(), bench::post_booking(&agent, &base, &cookies[n as usize % cookies.len()], &key, slot, &item))
                        }
                    };
                    let mut acked = acked.lock().expect("no panics while held");
                    match a {
                        Ok((200..=299, body)) => {
                            let v: Value = serde_json::from_str(&body).unwrap_or_default();
                            let id = v["id"].as_str().unwrap_or_default().to_string();
                            match kind {
                                "booking" => acked.bookings.push((id, key)),
                                "ticket" => acked.tickets.push(id),
                                _ => acked.applications.push((id, v["cases"].as_array().map_or(0, Vec::len), key)),
                            }
                        }
                        // Refusals are answers: a full slot, a resident's booking limit, a rate limit.
                        Ok((409 | 429, _)) => {}
                        Ok((status, body)) => acked.other.push(format!("{kind}: {status} {}", body.chars().take(160).collect::<String>())),
                        // The kill: this connection's request was in flight (or refused right after).
                        Err(_) => {
                            acked.unanswered += 1;
                            break;
                        }
                    }
                }
            });
        }
        std::thread::sleep(LOAD_BEFORE_KILL);
        // The kill: workerd and wrangler at once, no chance to flush anything.
        let _ = std::process::Command::new("kill").args(["-KILL", "--", &format!("-{}", srv.pgid())]).status();
        std::thread::sleep(Duration::from_secs(2));
        stop.store(true, Ordering::Relaxed);
    });
    drop(srv);
    let acked = acked.into_inner().expect("no panics while held");
    let line = format!(
        "{} bookings, {} tickets, {} applications acknowledged in {:.0} s before the SIGKILL, {} requests cut off",
        acked.bookings.len(),
        acked.tickets.len(),
        acked.applications.len(),
        started.elapsed().as_secs_f32(),
        acked.unanswered
    );
    println!("xtask: {line}");
    let mut problems = acked.other.iter().take(5).map(|o| format!("unexpected answer under load: {o}")).collect::<Vec<_>>();
    if acked.bookings.is_empty() || acked.tickets.is_empty() || acked.applications.is_empty() {
        problems.push("the load did not get every kind of request acknowledged before the kill".into());
    }

    // The restart, on the same files.
    let srv = Server::start(state, &log)?;
    problems.extend(check(state, &acked)?);
    // Retrying a committed request finds it: the client never learns of the crash but by a timeout.
    if let Some((id, key)) = acked.bookings.last() {
        let a = bench::agent(Duration::from_secs(20));
        let slot = slots.iter().find(|_| true).expect("slots");
        let owner = owner_cookie(state, id, &cookies)?;
        match bench::post_booking(&a, &srv.base, &owner, key, slot, &item) {
            Ok((_, body)) if serde_json::from_str::<Value>(&body).ok().is_some_and(|v| v["id"] == id.as_str()) => {}
            other => problems.push(format!("retrying booking {id} with its key after the restart gave {other:?}")),
        }
    }
    if let Some((id, _, key)) = acked.applications.last() {
        let a = bench::agent(Duration::from_secs(20));
        match bench::submit(&a, &srv.base, &business, key, &values) {
            Ok((_, body)) if serde_json::from_str::<Value>(&body).ok().is_some_and(|v| v["id"] == id.as_str()) => {}
            other => problems.push(format!("retrying application {id} with its key after the restart gave {other:?}")),
        }
    }
    drop(srv);
    if problems.is_empty() {
        Ok(line)
    } else {
        Err(format!("{line}\n  {}", problems.join("\n  ")))
    }
}

/// The invariants, read straight from the D1 files.
fn check(state: &Path, acked: &Acked) -> Result<Vec<String>> {
    let mut problems = Vec::new();
    let ids = |list: &mut dyn Iterator<Item = &String>| list.map(|id| format!("'{}'", id.replace('\'', ""))).collect::<Vec<_>>().join(",");
    let count = |sql: &str| -> Result<u64> { Ok(bench::d1_rows(state, sql)?.first().and_then(|r| r["n"].as_u64()).unwrap_or(0)) };

    let held = count(&format!(
        "SELECT count(*) AS n FROM bookings WHERE id IN ({}) AND state IN ('held', 'confirmed')",
        ids(&mut acked.bookings.iter().map(|b| &b.0))
    ))?;
    if held != acked.bookings.len() as u64 {
        problems.push(format!("{} acknowledged bookings, {held} of them found holding a seat after the restart", acked.bookings.len()));
    }
    let tickets = count(&format!("SELECT count(*) AS n FROM tickets WHERE id IN ({})", ids(&mut acked.tickets.iter())))?;
    if tickets != acked.tickets.len() as u64 {
        problems.push(format!("{} acknowledged tickets, {tickets} found after the restart", acked.tickets.len()));
    }
    let apps = count(&format!("SELECT count(*) AS n FROM applications WHERE id IN ({})", ids(&mut acked.applications.iter().map(|a| &a.0))))?;
    if apps != acked.applications.len() as u64 {
        problems.push(format!("{} acknowledged applications, {apps} found after the restart", acked.applications.len()));
    }

    // Half-writes, over everything in the files (acknowledged or cut off).
    for r in bench::d1_rows(
        state,
        "SELECT s.id, s.booked, s.capacity, (SELECT count(*) FROM bookings b WHERE b.slot_id = s.id AND b.state IN ('held', 'confirmed', 'checked_in')) AS n \
         FROM slots s WHERE s.date > date('now') AND s.booked != (SELECT count(*) FROM bookings b WHERE b.slot_id = s.id AND b.state IN ('held', 'confirmed', 'checked_in'))",
    )? {
        problems.push(format!("slot {} counts {} booked but {} bookings hold a seat (capacity {})", r["id"], r["booked"], r["n"], r["capacity"]));
    }
    let cases: Vec<usize> = acked.applications.iter().map(|a| a.1).collect();
    if let Some(&want) = cases.first() {
        if want == 0 || cases.iter().any(|&c| c != want) {
            problems.push(format!("the same answers gave applications with different numbers of cases: {cases:?}"));
        }
        let account = tongban_shared::account::seed_account_id(BUSINESS);
        for r in bench::d1_rows(
            state,
            &format!(
                "SELECT a.id, (SELECT count(*) FROM cases c WHERE c.application_id = a.id) AS cases, \
                 (SELECT count(*) FROM case_events e WHERE e.application_id = a.id AND e.action = 'submitted') AS submitted \
                 FROM applications a WHERE a.account_id = '{account}' AND a.idem_key LIKE 'dur-app-%' \
                 AND ((SELECT count(*) FROM cases c WHERE c.application_id = a.id) != {want} \
                   OR (SELECT count(*) FROM case_events e WHERE e.application_id = a.id AND e.action = 'submitted') != 1)"
            ),
        )? {
            problems.push(format!("application {} has {} cases (want {want}) and {} submitted events", r["id"], r["cases"], r["submitted"]));
        }
    }
    for r in bench::d1_rows(
        state,
        "SELECT c.class_id, c.day, c.last, max(t.seq) AS top FROM ticket_counters c JOIN tickets t ON t.class_id = c.class_id AND t.day = c.day \
         GROUP BY c.class_id, c.day HAVING max(t.seq) > c.last",
    )? {
        problems.push(format!("ticket counter of {} on {} is at {} but number {} was issued", r["class_id"], r["day"], r["last"], r["top"]));
    }
    Ok(problems)
}

fn owner_cookie(state: &Path, booking: &str, cookies: &[String]) -> Result<String> {
    let rows = bench::d1_rows(state, &format!("SELECT account_id FROM bookings WHERE id = '{}'", booking.replace('\'', "")))?;
    let account = rows.first().and_then(|r| r["account_id"].as_str()).ok_or("booking not found")?;
    // bench::residents numbers its accounts `<pid><i>`: the index picks the cookie.
    let i = usize::from_str_radix(&account[8..], 16).map_err(|e| e.to_string())?;
    cookies.get(i).cloned().ok_or_else(|| "no cookie for the booking's owner".into())
}
