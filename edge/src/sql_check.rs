//! The host SQL stage: every SQL statement of the edge, prepared by real SQLite (D1 is SQLite) against the
//! schema `migrations/` builds. A wrong table or column, a syntax error or a parameter the statement does
//! not number as it binds fails here in seconds, without workerd. Statements assembled with `format!` have
//! their `{NAME}` pieces filled from the `const NAME: &str` of the same sources; the few whose pieces are
//! local values are tried with a placeholder and reported, never silently passed.

use crate::limits::{bound_parameters, edge_sources, is_sql, string_literals};
use std::collections::BTreeMap;

/// An in-memory SQLite with every migration applied in order, as `wrangler d1 migrations apply` does.
pub(crate) fn migrated() -> rusqlite::Connection {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../migrations");
    let mut files: Vec<_> = std::fs::read_dir(&dir).unwrap().flatten().map(|e| e.path()).filter(|p| p.extension().is_some_and(|x| x == "sql")).collect();
    files.sort();
    let conn = rusqlite::Connection::open_in_memory().unwrap();
    for f in &files {
        let sql = std::fs::read_to_string(f).unwrap();
        conn.execute_batch(&sql).unwrap_or_else(|e| panic!("{}: {e}", f.display()));
    }
    conn
}

/// `const NAME: &str = "…";` (and `concat!`-free raw strings) of the sources: the pieces `format!` joins.
fn string_consts(sources: &[(String, String)]) -> BTreeMap<String, String> {
    let mut out = BTreeMap::new();
    for (_, src) in sources {
        for (at, _) in src.match_indices("const ") {
            let rest = &src[at + 6..];
            let Some((name, after)) = rest.split_once(':') else { continue };
            let name = name.trim();
            if !name.chars().all(|c| c.is_ascii_uppercase() || c.is_ascii_digit() || c == '_') || name.is_empty() {
                continue;
            }
            let Some(eq) = after.find('=') else { continue };
            if !after[..eq].contains("&str") {
                continue;
            }
            let value_src = &after[eq + 1..];
            let end = value_src.find(";\n").unwrap_or(value_src.len());
            if let Some(v) = string_literals(&value_src[..end]).into_iter().next() {
                out.insert(name.to_string(), v);
            }
        }
    }
    out
}

/// Fills `{NAME}` pieces from `consts`; what is left unfilled is returned by name.
/// Pieces that `shared` generates (one rule, one definition) and the statements splice in: filled with a
/// sample of the generator's own output, so the statement around them is checked whole.
fn generated(name: &str) -> Option<String> {
    match name {
        "limits" => Some(tongban_shared::booking::limits_allow_sql("?2", "?3", "?4", "?5")),
        _ => None,
    }
}

fn fill(sql: &str, consts: &BTreeMap<String, String>) -> (String, Vec<String>) {
    let (mut out, mut unknown, mut rest) = (String::new(), Vec::new(), sql);
    while let Some(open) = rest.find('{') {
        let Some(close) = rest[open..].find('}').map(|c| open + c) else { break };
        let name = &rest[open + 1..close];
        out.push_str(&rest[..open]);
        if !name.is_empty() && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_') {
            match consts.get(name).cloned().or_else(|| generated(name)) {
                Some(v) => out.push_str(&v),
                None => {
                    unknown.push(name.to_string());
                    out.push('1');
                }
            }
        } else {
            out.push_str(&rest[open..=close]);
        }
        rest = &rest[close + 1..];
    }
    out.push_str(rest);
    (out, unknown)
}

#[test]
fn every_statement_prepares_against_the_migrations() {
    let conn = migrated();
    let sources = edge_sources();
    let consts = string_consts(&sources);
    let (mut prepared, mut tried, mut failures) = (0, Vec::new(), Vec::new());
    for (file, src) in &sources {
        if file == "sql_check.rs" || file == "limits.rs" {
            continue;
        }
        for lit in string_literals(src).into_iter().filter(|l| is_sql(l)) {
            // A fragment (a column list, a condition) is checked as part of the statements that use it.
            let head = lit.trim_start();
            if !["SELECT ", "INSERT ", "UPDATE ", "DELETE ", "WITH ", "REPLACE "].iter().any(|k| head.starts_with(k)) {
                continue;
            }
            let (sql, unknown) = fill(&lit, &consts);
            match conn.prepare(&sql) {
                Ok(stmt) => {
                    prepared += 1;
                    if unknown.is_empty() {
                        assert_eq!(stmt.parameter_count(), bound_parameters(&sql), "{file}: SQLite counts other parameters than the binding does in {sql}");
                    }
                }
                Err(e) if unknown.is_empty() => failures.push(format!("{file}: {e}\n    {sql}")),
                Err(e) => tried.push(format!("{file} ({}): {e}", unknown.join(", "))),
            }
        }
    }
    eprintln!("host SQL stage: {prepared} statements prepared against migrations/; {} with local pieces not preparable alone", tried.len());
    for t in &tried {
        eprintln!("  {t}");
    }
    assert!(failures.is_empty(), "statements SQLite refuses against migrations/:\n{}", failures.join("\n"));
    assert!(prepared > 150, "the stage found the worker's SQL ({prepared} statements)");
    assert!(tried.len() <= 5, "too many statements escape the check: {tried:#?}");
}

/// The stage fails on the mistakes it is for: a column the schema does not have, a table that is not there.
#[test]
fn the_stage_catches_a_wrong_column() {
    let conn = migrated();
    assert!(conn.prepare("SELECT id, state FROM bookings WHERE account_id = ?1").is_ok());
    let e = conn.prepare("SELECT id, stat FROM bookings WHERE account_id = ?1").unwrap_err().to_string();
    assert!(e.contains("no such column"), "{e}");
    assert!(conn.prepare("SELECT 1 FROM booking").is_err());
}

/// `shared::booking::limits_allow_sql` (what the booking, waiting-list and seat-offer writes run) decides
/// as `shared::booking::check_limits` does, on random bookings of random states: the rule's SQL twin is
/// checked against the rule itself.
#[test]
fn the_booking_limits_in_sql_agree_with_check_limits() {
    use chrono::NaiveDate;
    use tongban_shared::booking::{check_limits, limits_allow_sql, ActiveBooking, BookingRules, BookingState};
    let conn = migrated();
    // Bookings here point at no real account or slot: only the limit columns matter.
    conn.execute_batch("PRAGMA foreign_keys = OFF;").unwrap();
    let mut seed: u64 = 0x2026_1201;
    let mut next = |n: u64| {
        seed = seed.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
        (seed >> 33) % n
    };
    let (items, dates) = (["a", "b", "c"], ["2026-12-02", "2026-12-03", "2026-12-04"]);
    let mut disagreements = Vec::new();
    for case in 0..300 {
        conn.execute_batch("DELETE FROM bookings;").unwrap();
        let mut active = Vec::new();
        for k in 0..next(6) {
            let (item, date, state) = (items[next(3) as usize], dates[next(3) as usize], BookingState::ALL[next(7) as usize]);
            conn.execute(
                "INSERT INTO bookings (id, code, account_id, item_id, center_id, slot_id, date, start, state, idem_key, created_at, updated_at) \
                 VALUES (?1, ?1, 'p', ?2, 'c', 's', ?3, '09:00', ?4, ?1, 0, 0)",
                rusqlite::params![format!("b{case}-{k}"), item, date, state.as_str()],
            )
            .unwrap();
            if state.holds_seat() {
                active.push(ActiveBooking { item_id: item.into(), date: NaiveDate::parse_from_str(date, "%Y-%m-%d").unwrap() });
            }
        }
        let (item, date, max) = (items[next(3) as usize], dates[next(3) as usize], 1 + next(4) as u32);
        let rules = BookingRules { max_active_per_person: max, ..Default::default() };
        let pure = check_limits(&active, item, NaiveDate::parse_from_str(date, "%Y-%m-%d").unwrap(), &rules).is_ok();
        let sql: bool = conn
            .query_row(&format!("SELECT {} AS ok", limits_allow_sql("?1", "?2", "?3", "?4")), rusqlite::params!["p", item, date, max], |r| r.get(0))
            .unwrap();
        if pure != sql {
            disagreements.push(format!("case {case}: {active:?} + {item} {date} max {max}: rule {pure}, SQL {sql}"));
        }
    }
    assert!(disagreements.is_empty(), "{disagreements:#?}");
}
