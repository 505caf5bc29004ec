//! Cloudflare's production limits that this code relies on, in one place. Local workerd (`wrangler dev`)
//! enforces none of them, so each has a check here or in `cargo xtask test` that fails the way production
//! would; the README's "Platform limits" table lists them with where the code stays inside each.
//! Numbers from Cloudflare's published limits (Workers, D1, KV, R2), read on 2026-12-01.

/// D1: bound parameters in one statement.
pub const D1_MAX_BOUND_PARAMETERS: usize = 100;
/// D1: bytes of SQL in one statement.
pub const D1_MAX_STATEMENT_BYTES: usize = 100_000;
/// D1: bytes of a LIKE or GLOB pattern.
pub const D1_MAX_LIKE_PATTERN_BYTES: usize = 50;
/// Workers (free plan): subrequests per invocation, D1 queries included; `waitUntil` work shares its
/// request's budget, and a scheduled run has its own.
pub const SUBREQUESTS_PER_INVOCATION: u32 = 50;

/// The Workers Rate Limiting bindings (`[[ratelimits]]` in wrangler.toml, which a test below holds to
/// this table for the local top level and both deployments): binding, requests per period, period in
/// seconds (Cloudflare allows 10 or 60), and what it guards, keyed how. Counted per Cloudflare location
/// and approximately, so they are the cheap first line against a flood; where a limit must be exact
/// (sign-in attempts, review-code guesses, devices, upload quota, invitations) it is a D1 counter
/// checked in the same write that acts.
pub const RATE_LIMITS: &[(&str, u32, u32, &str)] = &[
    ("RL_REGISTER", 10, 60, "registrations (residents, businesses) per client address"),
    ("RL_HALL", 30, 60, "walk-in tickets and check-ins per client address (a hall's phones share one)"),
    ("RL_LOOKUP", 60, 60, "review-code look-ups per client address, above the exact D1 limit on failed ones (30 per 15 minutes)"),
    ("RL_ACCOUNT", 20, 60, "uploads and push subscriptions per account"),
    ("RL_KIOSK", 600, 60, "tickets and check-ins per registered kiosk (a busy hall's machine is not a stranger)"),
];

/// Expired holds one sweep gives back (a booking request sweeps first, and so does the minute job).
pub const HOLDS_PER_SWEEP: u32 = 25;
/// A sweep's subrequests: the read and one batch, whatever the number of holds (`bookings::sweep_holds`).
pub const SWEEP_SUBREQUESTS: u32 = 2;
/// R2 erasures the minute job finishes per run (`jobs::erase_left_over`): the read, then a delete and
/// its row's removal each.
pub const ERASURES_PER_RUN: u32 = 5;
/// The minute job's subrequests besides its push run: the sweep, the reminders' batch, the erasures,
/// sealing older e-licences (a read and a batch), and the nightly close (one batch). The push run takes
/// half the budget; a test holds the sum within it.
pub const CRON_SUBREQUESTS_BESIDES_PUSH: u32 = SWEEP_SUBREQUESTS + 1 + (1 + 2 * ERASURES_PER_RUN) + 2 + 1;
const _: () = assert!(CRON_SUBREQUESTS_BESIDES_PUSH <= SUBREQUESTS_PER_INVOCATION / 2, "the minute job leaves the push run its half");

/// Subrequests one push delivery costs: its job's row, the person's preferences, the push service, the
/// outcome's write (`push::deliver_due`).
pub const SUBREQUESTS_PER_PUSH: u32 = 4;

/// Deliveries one push run claims: half the invocation's budget, since the run rides on the request or
/// cron job that triggered it (`waitUntil` shares its budget), less one for the claim itself. 6 on the
/// free plan; `SUBREQUEST_BUDGET` (a var, e.g. 1000 on the paid plan) raises it.
pub const fn pushes_per_run(budget: u32) -> u32 {
    (budget / 2).saturating_sub(1) / SUBREQUESTS_PER_PUSH
}

/// Counts one request against a [`RATE_LIMITS`] binding under `key`; over the limit is 429 `rate_limited`
/// (Retry-After 60). A missing binding is a deployment error and fails loudly.
#[cfg(target_arch = "wasm32")]
pub async fn rate(env: &worker::Env, binding: &str, key: &str) -> Result<(), crate::error::ApiError> {
    let limiter = env.rate_limiter(binding).map_err(|e| crate::error::ApiError::Internal(format!("rate limiter {binding}: {e}")))?;
    let outcome = limiter.limit(key.to_string()).await.map_err(|e| crate::error::ApiError::Internal(format!("rate limiter {binding}: {e}")))?;
    if outcome.success {
        Ok(())
    } else {
        Err(tongban_shared::ErrorCode::RateLimited.into())
    }
}

/// The SQL string literals of a Rust source: `"…"` (with `\` line continuations) and `r"…"`/`r#"…"#`.
/// Good enough for this tree's sources, which a test below reads whole.
#[cfg(test)]
pub(crate) fn string_literals(src: &str) -> Vec<String> {
    let b = src.as_bytes();
    let (mut out, mut i) = (Vec::new(), 0);
    while i < b.len() {
        match b[i] {
            b'/' if b.get(i + 1) == Some(&b'/') => {
                while i < b.len() && b[i] != b'\n' {
                    i += 1;
                }
            }
            b'\'' => {
                // A char literal ('"', '\'') or a lifetime: skip it so its quote is not taken for a string.
                if b.get(i + 2) == Some(&b'\'') {
                    i += 3;
                } else if b.get(i + 1) == Some(&b'\\') && b.get(i + 3) == Some(&b'\'') {
                    i += 4;
                } else {
                    i += 1;
                }
            }
            b'r' if b.get(i + 1).is_some_and(|c| *c == b'"' || *c == b'#')
                && !b.get(i.wrapping_sub(1)).is_some_and(|c| c.is_ascii_alphanumeric() || *c == b'_') =>
            {
                let hashes = b[i + 1..].iter().take_while(|c| **c == b'#').count();
                let start = i + 1 + hashes + 1;
                let close = format!("\"{}", "#".repeat(hashes));
                let end = src[start..].find(&close).map_or(b.len(), |e| start + e);
                out.push(src[start..end].to_string());
                i = end + close.len();
            }
            b'"' => {
                let mut s = String::new();
                i += 1;
                while i < b.len() && b[i] != b'"' {
                    if b[i] == b'\\' {
                        i += 1;
                        if b.get(i) == Some(&b'\n') {
                            while i + 1 < b.len() && b[i + 1].is_ascii_whitespace() {
                                i += 1;
                            }
                        } else {
                            s.push('?');
                        }
                        i += 1;
                        continue;
                    }
                    let ch = src[i..].chars().next().expect("inside the source");
                    s.push(ch);
                    i += ch.len_utf8();
                }
                out.push(s);
                i += 1;
            }
            _ => i += 1,
        }
    }
    out
}

/// The highest parameter a statement binds: the largest `?N`, or the count of bare `?`.
#[cfg(test)]
pub(crate) fn bound_parameters(sql: &str) -> usize {
    let b = sql.as_bytes();
    let (mut numbered, mut bare) = (0, 0);
    for (i, c) in b.iter().enumerate() {
        if *c != b'?' {
            continue;
        }
        let digits: String = sql[i + 1..].chars().take_while(char::is_ascii_digit).collect();
        match digits.parse::<usize>() {
            Ok(n) => numbered = numbered.max(n),
            Err(_) => bare += 1,
        }
    }
    // Named ones (`:name`, what `sql::Stmt::named` turns into numbers): one parameter each distinct name.
    let mut names: Vec<&str> = crate::sql::named_params(sql).into_iter().map(|(_, n)| n).collect();
    names.sort_unstable();
    names.dedup();
    numbered.max(bare) + names.len()
}

/// Every source file of `edge/src`, by name.
#[cfg(test)]
/// Every source file of the worker, nested modules included (`applications/wasm/cases.rs`), by its
/// path under `src/`.
pub(crate) fn edge_sources() -> Vec<(String, String)> {
    let src = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let (mut out, mut dirs) = (Vec::new(), vec![src.clone()]);
    while let Some(d) = dirs.pop() {
        for p in std::fs::read_dir(&d).unwrap().flatten().map(|e| e.path()) {
            if p.is_dir() {
                dirs.push(p);
            } else if p.extension().is_some_and(|x| x == "rs") {
                out.push((p.strip_prefix(&src).unwrap().to_string_lossy().into_owned(), std::fs::read_to_string(&p).unwrap()));
            }
        }
    }
    out.sort();
    out
}

#[cfg(test)]
pub(crate) fn is_sql(s: &str) -> bool {
    let u = s.trim_start();
    ["SELECT ", "INSERT ", "UPDATE ", "DELETE ", "WITH ", "REPLACE "].iter().any(|k| u.starts_with(k)) || s.contains(" WHERE ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_source_checks_read_nested_modules_too() {
        // `applications/wasm/cases.rs` holds SQL: a flat read of `src/` would skip it unnoticed.
        let files: Vec<String> = edge_sources().into_iter().map(|(f, _)| f).collect();
        assert!(files.iter().any(|f| f == "applications/wasm/cases.rs"), "{files:?}");
        assert!(files.iter().any(|f| f == "bookings/mod.rs"));
    }

    /// Every statement the worker sends binds at most 100 parameters, is under 100 KB, and has no LIKE
    /// pattern over 50 bytes: read from the very sources, so a new statement is checked the day it is written.
    #[test]
    fn no_sql_statement_in_edge_exceeds_d1_limits() {
        let mut statements = 0;
        let mut most = (0, String::new());
        for (file, src) in edge_sources() {
            for lit in string_literals(&src).into_iter().filter(|l| is_sql(l)) {
                statements += 1;
                let n = bound_parameters(&lit);
                assert!(n <= D1_MAX_BOUND_PARAMETERS, "{file}: {n} bound parameters in {lit}");
                assert!(lit.len() < D1_MAX_STATEMENT_BYTES, "{file}: a statement of {} bytes", lit.len());
                for pat in lit.split(" LIKE '").skip(1).filter_map(|r| r.split('\'').next()) {
                    assert!(pat.len() <= D1_MAX_LIKE_PATTERN_BYTES, "{file}: LIKE pattern of {} bytes", pat.len());
                }
                if n > most.0 {
                    most = (n, format!("{file}: {}", lit.chars().take(60).collect::<String>()));
                }
            }
        }
        assert!(statements > 150, "the scan found the worker's SQL ({statements} statements)");
        assert!(most.0 >= 8 && most.0 <= D1_MAX_BOUND_PARAMETERS, "most parameters: {most:?}");
    }

    /// The one statement built at run time, the item search: every filter and the most search terms.
    #[test]
    fn the_widest_item_search_binds_within_the_limit() {
        use tongban_shared::query::ItemQuery;
        use tongban_shared::search::{SearchQuery, MAX_TERMS};
        let words: Vec<String> = (0..MAX_TERMS).map(|i| format!("词{i}")).collect();
        let q = ItemQuery::from_pairs([("q", words.join(" ").as_str()), ("dept", "scjg"), ("center", "wanli"), ("kind", "public_service")]).unwrap();
        let search = SearchQuery::parse(&words.join(" ")).unwrap();
        let crate::sql::Stmt { sql, args } = crate::catalogue::item_list(&q, &search);
        assert_eq!(args.len(), MAX_TERMS + 3);
        assert_eq!(bound_parameters(&sql), args.len());
        assert!(args.len() <= D1_MAX_BOUND_PARAMETERS);
    }

    /// The minute job (sweep, reminders, erasures, sealing, the nightly close) and its push run fit in the
    /// scheduled invocation's 50 subrequests: before issue 16 the sweep alone could spend 51.
    #[test]
    fn a_cron_run_stays_within_the_subrequest_budget() {
        // Checked when the crate compiles, too (the `const _` beside `CRON_SUBREQUESTS_BESIDES_PUSH`).
        let push = 1 + SUBREQUESTS_PER_PUSH * pushes_per_run(SUBREQUESTS_PER_INVOCATION);
        assert!(CRON_SUBREQUESTS_BESIDES_PUSH + push <= SUBREQUESTS_PER_INVOCATION, "{CRON_SUBREQUESTS_BESIDES_PUSH} + {push}");
        // The erasure read is bounded by ERASURES_PER_RUN: `jobs`' own test.
        let sweep = include_str!("bookings/mod.rs");
        assert!(sweep.contains("db.batch(batch).await?;\n        Ok(firsts"), "the sweep writes every hold in one batch");
    }

    /// A route row's rate limit (`rate:` in `tongban_shared::api_rows!`) names a binding of the table.
    #[test]
    fn every_rate_limit_a_route_names_is_bound() {
        let rated: Vec<_> = crate::routes::ROUTES.iter().filter_map(|r| r.rate_limit()).collect();
        assert!(rated.len() >= 7, "{rated:?}");
        for (binding, _) in rated {
            assert!(RATE_LIMITS.iter().any(|(name, ..)| *name == binding), "{binding} is not in RATE_LIMITS");
        }
    }

    /// Every environment of wrangler.toml binds exactly the rate limits of [`RATE_LIMITS`], with their
    /// numbers, and each period is one Cloudflare accepts.
    #[test]
    fn wrangler_binds_the_rate_limits_of_the_table() {
        let toml = include_str!("../../wrangler.toml");
        for prefix in ["", "env.staging.", "env.production."] {
            let blocks: Vec<&str> = toml.split(&format!("[[{prefix}ratelimits]]")).skip(1).map(|b| b.split("\n[").next().unwrap_or("")).collect();
            assert_eq!(blocks.len(), RATE_LIMITS.len(), "{prefix}ratelimits");
            for (name, limit, period, _) in RATE_LIMITS {
                assert!([10, 60].contains(period), "{name}: period {period}");
                let b = blocks.iter().find(|b| b.contains(&format!("name = \"{name}\""))).unwrap_or_else(|| panic!("{prefix}{name} missing"));
                assert!(b.contains(&format!("simple = {{ limit = {limit}, period = {period} }}")), "{prefix}{name}: {b}");
            }
        }
    }

    /// The README's "Limits and quotas" names every rate limit with its number, and "What deleting an account
    /// does" puts every category of `shared::privacy` under its fate: the documentation cannot drift from the
    /// tables the code runs on.
    #[test]
    fn readme_lists_every_rate_limit_and_data_category() {
        use tongban_shared::privacy::{Fate, PERSONAL_DATA};
        let readme = include_str!("../../README.md");
        for (name, limit, period, _) in RATE_LIMITS {
            let row = readme.lines().find(|l| l.starts_with(&format!("| `{name}`"))).unwrap_or_else(|| panic!("README has no row for {name}"));
            assert!(row.contains(&format!("{limit} per {period} s")), "README row for {name} says {row}");
        }
        for c in PERSONAL_DATA {
            let marker = match c.fate {
                Fate::Erased => "- **Erased:**",
                Fate::Ended => "- **Ended:**",
                Fate::Kept => "- **Kept, linked only to the anonymised account:**",
            };
            let line = readme.lines().find(|l| l.starts_with(marker)).unwrap_or_else(|| panic!("README has no line {marker}"));
            assert!(line.contains(&format!("`{}`", c.key)), "README lists {} under {marker}", c.key);
        }
    }

    /// A push run and the request it follows stay inside one invocation's subrequests: the run spends at
    /// most half (it claimed 20 deliveries, 81 subrequests, until this was read against the free plan's 50).
    #[test]
    fn a_push_run_stays_within_half_the_subrequest_budget() {
        for budget in [SUBREQUESTS_PER_INVOCATION, 1000] {
            let n = pushes_per_run(budget);
            assert!(n >= 1, "at least one push per run at {budget}");
            assert!(n * SUBREQUESTS_PER_PUSH < budget / 2, "{n} pushes and the claim at {budget}");
        }
        assert_eq!(pushes_per_run(SUBREQUESTS_PER_INVOCATION), 6);
        // The claim itself is bounded by `pushes_per_run`: `push::store`'s test.
    }

    /// KV takes one write per second per key, and is eventually consistent. Its only writer is the
    /// dashboard's cache fill on a miss (`appraisal::cached`: keys carry the data's generation, a failed
    /// write is ignored). Sessions, counters and anything written per request live in D1; a KV write
    /// anywhere else fails this test until its key's write rate is argued for here.
    #[test]
    fn kv_is_written_only_by_the_dashboard_cache_fill() {
        let writers: Vec<(String, usize)> = edge_sources()
            .into_iter()
            .filter(|(f, _)| f != "limits.rs")
            .map(|(f, src)| {
                let puts = ["kv.put(", ".put_bytes(", "kv.delete(", "\"KV\")?.put", "\"KV\")?.delete"].iter().map(|w| src.matches(w).count()).sum::<usize>();
                (f, puts)
            })
            .filter(|(_, puts)| *puts > 0)
            .collect();
        assert_eq!(writers, vec![("appraisal/mod.rs".to_string(), 1)], "KV writers");
        let appraisal = include_str!("appraisal/mod.rs");
        assert!(appraisal.contains("if let Ok(put) = kv.put(&full, body.clone())"), "the cache fill ignores a refused write");
        assert!(appraisal.contains("format!(\"appraisal:v1:{}:{key}\", generation(&db).await?)"), "its keys carry the generation");
    }

    /// CPU time (10 ms a request on the free plan) cannot be metered locally. What would spend it is a key
    /// derivation in wasm: the worker's only KDF is the runtime's native Web Crypto, and no pure-Rust
    /// password hash is a dependency of the wasm build.
    #[test]
    fn no_password_hash_runs_in_wasm() {
        let manifest = include_str!("../Cargo.toml");
        let wasm_deps = manifest.split("[target.'cfg(target_arch = \"wasm32\")'.dependencies]").nth(1).unwrap().split("\n[").next().unwrap();
        let all_deps = manifest.split("[dependencies]").nth(1).unwrap().split("\n[").next().unwrap();
        for kdf in ["pbkdf2", "argon2", "scrypt", "bcrypt", "balloon-hash"] {
            assert!(!wasm_deps.contains(kdf) && !all_deps.contains(kdf), "{kdf} would run inside the request's CPU time");
        }
        assert!(include_str!("crypto.rs").contains("subtle.derive_bits_with_object"), "PBKDF2 through Web Crypto");
    }

    #[test]
    fn the_scanner_reads_literals_and_parameters() {
        let src = "let a = \"SELECT x FROM t WHERE a = ?1 AND b = ?12\"; let c = '\"'; // \"not ?99\"\nlet r = r#\"UPDATE t SET a = ? WHERE b = ?\"#;\nlet s = \"INSERT INTO t VALUES (?1, \\\n   ?2)\";";
        let lits = string_literals(src);
        assert_eq!(lits.len(), 3, "{lits:?}");
        assert_eq!(lits.iter().map(|l| bound_parameters(l)).collect::<Vec<_>>(), vec![12, 2, 2]);
        assert!(lits.iter().all(|l| is_sql(l)));
        assert_eq!(bound_parameters(&format!("INSERT INTO t VALUES ({})", "?, ".repeat(101))), 101, "what the test would refuse");
    }
}
