//! Cron Triggers under `cargo xtask dev`. `wrangler dev` never fires them (it says so at start), so a local
//! deployment would never expire a hold, record a no-show or send a reminder. This fires the scheduled
//! handler on the very schedules of `wrangler.toml`, through the URL wrangler serves for it, at the top of
//! each minute as Cloudflare does (UTC). The test servers do not use it: their tests fire each job
//! themselves, at the moment the test needs.

use crate::{root, Result};
use chrono::{Datelike, Timelike};
use std::time::Duration;

/// The `[triggers] crons = [...]` of `wrangler.toml` (the top-level ones, which every environment shares).
pub fn schedules() -> Result<Vec<String>> {
    let text = std::fs::read_to_string(root().join("wrangler.toml")).map_err(|e| format!("wrangler.toml: {e}"))?;
    let line = text.lines().find(|l| l.trim_start().starts_with("crons")).ok_or("wrangler.toml has no crons")?;
    let list = line.split_once('=').map(|(_, v)| v.trim()).ok_or("crons = [...] expected")?;
    let crons: Vec<String> = list.trim_matches(['[', ']']).split(',').map(|s| s.trim().trim_matches('"').to_string()).filter(|s| !s.is_empty()).collect();
    for c in &crons {
        Cron::parse(c)?;
    }
    Ok(crons)
}

/// One five-field cron expression: minute hour day-of-month month day-of-week, with `*`, lists, ranges and
/// steps (what Cloudflare accepts, less the `L`/`W`/`#` extensions, which a schedule here would be refused for).
pub struct Cron {
    fields: [Vec<u32>; 5],
}

const RANGES: [(u32, u32); 5] = [(0, 59), (0, 23), (1, 31), (1, 12), (0, 6)];

impl Cron {
    pub fn parse(expr: &str) -> Result<Cron> {
        let parts: Vec<&str> = expr.split_whitespace().collect();
        if parts.len() != 5 {
            return Err(format!("cron {expr:?}: five fields expected"));
        }
        let mut fields: [Vec<u32>; 5] = Default::default();
        for (i, part) in parts.iter().enumerate() {
            let (lo, hi) = RANGES[i];
            for item in part.split(',') {
                let (range, step) = match item.split_once('/') {
                    Some((r, s)) => (r, s.parse::<u32>().ok().filter(|s| *s > 0).ok_or(format!("cron {expr:?}: bad step in {item:?}"))?),
                    None => (item, 1),
                };
                let num = |s: &str| {
                    s.parse::<u32>().ok().filter(|n| (lo..=hi).contains(n) || (i == 4 && *n == 7)).ok_or(format!("cron {expr:?}: {s:?} out of range"))
                };
                let (a, b) = match range {
                    "*" => (lo, hi),
                    r => match r.split_once('-') {
                        Some((a, b)) => (num(a)?, num(b)?),
                        None if step > 1 => (num(r)?, hi),
                        None => (num(r)?, num(r)?),
                    },
                };
                // Sunday may be written 7.
                fields[i].extend((a..=b).step_by(step as usize).map(|n| if i == 4 { n % 7 } else { n }));
            }
        }
        Ok(Cron { fields })
    }

    /// Whether the schedule fires in the minute of `t` (UTC). As in Vixie cron, when both day fields are
    /// restricted a day matching either is enough.
    pub fn fires_at(&self, t: chrono::NaiveDateTime) -> bool {
        let has = |i: usize, v: u32| self.fields[i].contains(&v);
        let all = |i: usize| self.fields[i].len() as u32 == RANGES[i].1 - RANGES[i].0 + 1;
        let dom = has(2, t.day());
        let dow = has(4, t.weekday().num_days_from_sunday());
        let day = match (all(2), all(4)) {
            (false, false) => dom || dow,
            _ => dom && dow,
        };
        has(0, t.minute()) && has(1, t.hour()) && has(3, t.month()) && day
    }
}

/// Fires every schedule due in each new minute against `base`, forever (a background thread of
/// `cargo xtask dev`). A minute the server is not up yet is skipped; each firing is logged once.
pub fn fire_forever(base: String, crons: Vec<String>) {
    let parsed: Vec<(String, Cron)> = crons.into_iter().filter_map(|c| Cron::parse(&c).ok().map(|p| (c, p))).collect();
    let agent: ureq::Agent = ureq::Agent::config_builder().timeout_global(Some(Duration::from_secs(50))).http_status_as_error(false).build().into();
    let mut last_minute = None;
    loop {
        let now = chrono::Utc::now().naive_utc();
        let minute = now.with_second(0).and_then(|t| t.with_nanosecond(0));
        if minute != last_minute {
            last_minute = minute;
            for (expr, cron) in &parsed {
                if !cron.fires_at(now) {
                    continue;
                }
                let url = format!("{base}/cdn-cgi/local/scheduled?cron={}", expr.replace(' ', "+"));
                match agent.get(&url).call() {
                    Ok(r) if r.status() == 200 => println!("xtask: cron {expr:?} fired at {} UTC", now.format("%H:%M")),
                    Ok(r) => println!("xtask: cron {expr:?} answered {}", r.status()),
                    Err(e) => println!("xtask: cron {expr:?} not fired ({e}); the server is not up yet"),
                }
            }
        }
        std::thread::sleep(Duration::from_secs(1));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(s: &str) -> chrono::NaiveDateTime {
        chrono::NaiveDateTime::parse_from_str(s, "%Y-%m-%d %H:%M").unwrap()
    }

    #[test]
    fn the_schedules_of_wrangler_toml_parse_and_fire_when_cloudflare_would() {
        let crons = schedules().unwrap();
        assert!(crons.contains(&"* * * * *".to_string()) && crons.contains(&"30 15 * * *".to_string()), "{crons:?}");
        let every = Cron::parse("* * * * *").unwrap();
        let close = Cron::parse("30 15 * * *").unwrap();
        assert!(every.fires_at(at("2026-12-01 09:17")));
        assert!(close.fires_at(at("2026-12-01 15:30")), "23:30 Beijing");
        assert!(!close.fires_at(at("2026-12-01 15:31")) && !close.fires_at(at("2026-12-01 07:30")));
    }

    #[test]
    fn lists_ranges_steps_and_days() {
        let c = Cron::parse("*/15 9-17 * * 1-5").unwrap();
        assert!(c.fires_at(at("2026-12-01 09:45")), "a Tuesday");
        assert!(!c.fires_at(at("2026-12-01 09:50")));
        assert!(!c.fires_at(at("2026-12-05 10:00")), "a Saturday");
        let sunday = Cron::parse("0 0 * * 7").unwrap();
        assert!(sunday.fires_at(at("2026-12-06 00:00")));
        let either = Cron::parse("0 0 1 * 1").unwrap();
        assert!(either.fires_at(at("2026-12-01 00:00")) && either.fires_at(at("2026-12-07 00:00")), "day 1 or a Monday");
        for bad in ["* * * *", "60 * * * *", "*/0 * * * *", "L * * * *"] {
            assert!(Cron::parse(bad).is_err(), "{bad}");
        }
    }
}
