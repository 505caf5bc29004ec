//! API fuzzing with schemathesis against `/api/v1/openapi.json` on a real workerd, once per role.
//!
//! The document is generated from the route table, so what schemathesis learns from it is what the worker
//! really routes. Each role signs in with its demo account and the whole API is fuzzed with its session
//! cookie: anonymous callers, a resident, a business, window staff, a department approver, a center admin
//! and the district admin reach different code (most handlers refuse early for the wrong role, so one role
//! alone would leave most of the code unvisited).
//!
//! Checks: no 5xx; every status is one the document lists for that operation; every body has the documented
//! media type and matches the documented schema — an error's documented schema is `{"error":{code,message,
//! field}}`, so "every 4xx carries the JSON error body" is part of schema conformance. And the other way
//! round: what the schema forbids is refused, an undeclared method gets 405 with `Allow`, and a missing
//! required header (Idempotency-Key) is a 4xx.
//!
//! schemathesis comes from PyPI into `target/venv`, pinned, so a fresh machine installs it once.

use crate::tools::{self, cmd};
use crate::{root, Result};
use std::path::PathBuf;
use std::time::Duration;

pub const SCHEMATHESIS: &str = "4.32.5";

impl Budget {
    /// The run in `cargo xtask test`: a fixed seed, so a failure reproduces with the same command.
    pub const BOUNDED: Budget = Budget { examples: 25, seed: 20261125, secs_per_role: None };
}

pub struct Budget {
    /// Test cases per operation and role (schemathesis `--max-examples`).
    pub examples: u32,
    pub seed: u64,
    /// Whole-run time limit per role: with it, fuzzing repeats until the time is spent (the long run).
    pub secs_per_role: Option<u64>,
}

/// Sign-in names of the roles fuzzed with a session (the demo seed's accounts, one per role).
const ROLES: &[(&str, &str)] = &[
    ("resident", "11010519491231002X"),
    ("business", "91440101MA5CJQ4N59"),
    ("window staff", "window.putuo"),
    ("approver", "approver.scjg"),
    ("center admin", "admin.putuo"),
    ("district admin", "admin.district"),
];
/// What every answer must satisfy. Not `positive_data_acceptance`: a schema cannot say that an ID number's
/// last character is its checksum, so schema-valid but wrong values are rightly refused.
const CHECKS: &str = "not_a_server_error,status_code_conformance,content_type_conformance,response_schema_conformance,\
                      negative_data_rejection,unsupported_method,missing_required_header";
const DEMO_PASSWORD: &str = "Tongban-demo-2026";

/// Operations that would end the fuzzing session itself, or another role's (an admin disabling or
/// resetting a demo staff account ends that account's sessions); they are fuzzed anonymously (and by the
/// integration tests with real sessions), so the signed-in runs keep their cookies to the end.
const SESSION_ENDING: &[&str] = &["logout", "deleteMyAccount", "setStaffStatus", "resetStaffPassword"];

fn venv() -> PathBuf {
    root().join("target/venv")
}

pub fn ensure_schemathesis() -> Result<PathBuf> {
    let bin = venv().join("bin/schemathesis");
    if tools::output(bin.to_str().unwrap_or_default(), &["--version"]).is_some_and(|v| v.contains(SCHEMATHESIS)) {
        return Ok(bin);
    }
    tools::sh(std::process::Command::new("python3").args(["-m", "venv"]).arg(venv()))?;
    tools::sh(
        std::process::Command::new(venv().join("bin/pip"))
            .args(["install", "--quiet", "--disable-pip-version-check"])
            .arg(format!("schemathesis=={SCHEMATHESIS}")),
    )?;
    Ok(bin)
}

/// Signs in through the API and returns the `__Host-tb_session=…` cookie.
pub(crate) fn sign_in(base: &str, login: &str) -> Result<String> {
    let agent: ureq::Agent = ureq::Agent::config_builder().timeout_global(Some(Duration::from_secs(30))).http_status_as_error(false).build().into();
    let body = serde_json::json!({"login": login, "password": DEMO_PASSWORD}).to_string();
    let r = agent
        .post(&format!("{base}/api/v1/sessions"))
        .header("Origin", base)
        .header("Content-Type", "application/json")
        .send(body.as_bytes())
        .map_err(|e| format!("sign in {login}: {e}"))?;
    if r.status() != 200 && r.status() != 201 {
        return Err(format!("sign in {login}: HTTP {}", r.status()));
    }
    r.headers()
        .get_all("set-cookie")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .find_map(|c| c.split(';').next().filter(|kv| kv.starts_with("__Host-tb_session=")).map(str::to_string))
        .ok_or_else(|| format!("sign in {login}: no session cookie"))
}

/// Fuzzes the API at `base` as every role; returns (passed, failed) counted as role runs.
pub fn run(base: &str, budget: &Budget) -> (u64, u64) {
    let bin = match ensure_schemathesis() {
        Ok(b) => b,
        Err(e) => {
            eprintln!("xtask: schemathesis: {e}");
            return (0, 1);
        }
    };
    // Sign every role in first: the anonymous run fuzzes sign-in with wrong passwords, which may lock
    // addresses out for a while.
    let mut runs: Vec<(&str, Option<String>)> = Vec::new();
    for (role, login) in ROLES {
        match sign_in(base, login) {
            Ok(cookie) => runs.push((role, Some(cookie))),
            Err(e) => {
                eprintln!("xtask: {e}");
                return (0, 1);
            }
        }
    }
    runs.insert(0, ("anonymous", None));
    let reports = root().join("target/schemathesis");
    let _ = std::fs::remove_dir_all(&reports);
    let (mut passed, mut failed, mut total_cases) = (0, 0, 0);
    for (role, cookie) in runs {
        let slug = role.replace(' ', "-");
        let mut c = cmd(bin.to_str().unwrap_or("schemathesis"));
        if let Some(cookie) = &cookie {
            // The session through the document's own `session` security scheme rather than a fixed Cookie
            // header: schemathesis then knows the cookie is there, and its negative cases really leave it
            // out (with a fixed header, "without the cookie" was sent with it, and accepted).
            let config = reports.join("auth.toml");
            let _ = std::fs::create_dir_all(&reports);
            if let Err(e) = std::fs::write(&config, "[auth.openapi.session]\napi_key = \"${TB_SESSION}\"\n") {
                eprintln!("xtask: {}: {e}", config.display());
                failed += 1;
                continue;
            }
            c.arg("--config-file").arg(&config).env("TB_SESSION", cookie.trim_start_matches("__Host-tb_session="));
        }
        c.args(["run", &format!("{base}/api/v1/openapi.json")])
            .args(["--url", base])
            .args(["--checks", CHECKS])
            .args(["--max-examples", &budget.examples.to_string()])
            .args(["--seed", &budget.seed.to_string()])
            // One worker: with two, CPython 3.11's compiler raced in schemathesis' own threads once
            // ("SystemError: AST constructor recursion depth mismatch"), failing a run for no fault of the API.
            .args(["--workers", "1", "--request-timeout", "30", "--no-shrink", "--output-truncate", "true"])
            .args(["--report", "junit", "--report-junit-path"])
            .arg(reports.join(format!("{slug}.xml")))
            .args(["-H", &format!("Origin: {base}")])
            .env("SCHEMATHESIS_HOOKS", "")
            .env("NO_COLOR", "1");
        if let Some(secs) = budget.secs_per_role {
            c.args(["--max-time", &secs.to_string()]);
        }
        if cookie.is_some() {
            for op in SESSION_ENDING {
                c.args(["--exclude-operation-id", op]);
            }
        }
        println!("\nxtask: schemathesis as {role}");
        let t = std::time::Instant::now();
        let (ok, cases, failures) = echo_counting(&mut c);
        total_cases += cases;
        if !ok {
            // Kept for the end of `cargo xtask test`, where a CI log's tail shows it.
            let _ = std::fs::create_dir_all(&reports);
            let note = format!("schemathesis as {role} failed:\n{}\n", failures.join("\n"));
            let path = reports.join(FAILURES_FILE);
            let _ = std::fs::write(&path, std::fs::read_to_string(&path).unwrap_or_default() + &note);
        }
        println!("xtask: schemathesis as {role}: {} — {cases} test cases in {:.0} s", if ok { "passed" } else { "FAILED" }, t.elapsed().as_secs_f32());
        if ok {
            passed += 1;
        } else {
            failed += 1;
        }
    }
    println!("xtask: schemathesis: {total_cases} test cases over {} roles, {failed} role runs failed", passed + failed);
    (passed, failed)
}

/// Runs schemathesis, echoing its output, and reads the number of test cases from its summary
/// (`Test cases:` then `  N generated, …`).
/// Also returns its `FAILURES` section (at most 80 lines).
fn echo_counting(c: &mut std::process::Command) -> (bool, u64, Vec<String>) {
    use std::io::BufRead;
    let Ok(mut child) = c.stdout(std::process::Stdio::piped()).spawn() else { return (false, 0, vec!["schemathesis did not start".into()]) };
    let (mut cases, mut failures, mut in_failures) = (0, Vec::new(), false);
    if let Some(out) = child.stdout.take() {
        for line in std::io::BufReader::new(out).lines().map_while(|l| l.ok()) {
            println!("{line}");
            if let Some(n) = line.trim().split_once(" generated").and_then(|(n, _)| n.trim().parse::<u64>().ok()) {
                cases = n;
            }
            if line.starts_with("====") {
                in_failures = line.contains("FAILURES");
            } else if in_failures && failures.len() < 80 {
                failures.push(line);
            }
        }
    }
    (child.wait().map(|s| s.success()).unwrap_or(false), cases, failures)
}

/// Where the failing runs' `FAILURES` sections are kept for the end of the test run.
pub const FAILURES_FILE: &str = "failures.txt";

/// `cargo xtask fuzz`'s API part: its own workerd on a fresh local D1, every role, `examples` cases per
/// operation and role (the default gives well over 10,000 cases in all), a seed from the clock so each
/// long run explores anew (it is printed, and `--seed` repeats a run).
pub fn long_run(examples: u32, seed: Option<u64>) -> Result {
    crate::build::all()?;
    let state = root().join(format!("target/fuzz-state/{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&state);
    crate::server::prepare_db(&state)?;
    let srv = crate::server::Server::start(&state, &root().join("target/fuzz-wrangler.log"))?;
    let seed = seed.unwrap_or_else(|| std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map_or(1, |d| d.as_secs()));
    println!("xtask: schemathesis long run, seed {seed}");
    let (_, failed) = run(&srv.base, &Budget { examples, seed, secs_per_role: None });
    drop(srv);
    let _ = std::fs::remove_dir_all(&state);
    if failed == 0 {
        Ok(())
    } else {
        Err(format!("schemathesis failed for {failed} roles (seed {seed}); reports in target/schemathesis/"))
    }
}
