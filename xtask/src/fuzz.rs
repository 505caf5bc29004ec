//! `cargo xtask fuzz`: coverage-guided fuzzing (cargo-fuzz / libFuzzer) of the pure parsers and
//! validators in `shared` — identifiers and masks, search text and the item-list query, form answers.
//! The targets live in `fuzz/` (its own workspace); each asserts the properties its `//!` describes,
//! so a finding is a wrong answer as much as a panic.
//!
//! Only stable Rust exists here: `RUSTC_BOOTSTRAP=1` lets cargo-fuzz's `-Z` flags through, AddressSanitizer
//! included (the stable toolchain ships its runtime). The working corpus grows in `target/fuzz-corpus/<target>`;
//! the tracked seeds in `fuzz/corpus/<target>` are passed as a second directory, which libFuzzer reads
//! but never writes. libFuzzer stops a target at its first failing input (a panic, a sanitizer report,
//! a hang or running out of memory), which lands in `fuzz/artifacts/<target>/`; the full output goes to
//! `target/fuzz-logs/<target>.log`.

use crate::tools::{self, cmd};
use crate::{root, Result};
use std::fs::File;
use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::time::{Instant, SystemTime};

/// The targets in `fuzz/fuzz_targets/`, run in this order.
pub const TARGETS: [&str; 3] = ["ids", "search_query", "form_values"];

/// Pinned like the other tools (see `tools.rs`); 0.13.2 builds with `--locked` on Rust 1.95.
const CARGO_FUZZ: &str = "0.13.2";

/// AddressSanitizer works on stable with `RUSTC_BOOTSTRAP=1`. `shared` has no `unsafe`, so it mostly
/// guards std and libFuzzer, at about a quarter of the speed of `none` (measured: 23k vs 86k runs/s on `ids`).
const SANITIZER: &str = "address";

/// libFuzzer's random seed: fixed, so a run over the same corpus mutates the same way.
const SEED: u64 = 11643;

/// What one target's run did.
struct Outcome {
    runs: u64,
    secs: f32,
    crashes: Vec<PathBuf>,
    /// libFuzzer's last `corp:` figure, `units/size`: the inputs it keeps for their coverage.
    in_use: String,
    /// Files in the working corpus (it only grows; `cargo fuzz cmin` shrinks it) and seed files.
    files: usize,
    seeds: usize,
}

/// Fuzzes every target for `secs_per_target` seconds, one after the other (two cores: never two at
/// once), printing one line per target; the error lists the crashing targets and their inputs.
pub fn native(secs_per_target: u64) -> Result {
    ensure_cargo_fuzz()?;
    // One build of all targets, with its output shown; each `cargo fuzz run` then finds it fresh.
    tools::sh(cmd("cargo").args(["fuzz", "build", "--sanitizer", SANITIZER]).env("RUSTC_BOOTSTRAP", "1"))?;
    let mut failed = Vec::new();
    for target in TARGETS {
        let o = run(target, secs_per_target)?;
        println!(
            "fuzz {target:<13} {:>10} runs in {:>4.0} s ({:>6.0}/s), {} crash{}, corpus {} ({} files + {} seeds)",
            o.runs,
            o.secs,
            o.runs as f32 / o.secs.max(0.001),
            o.crashes.len(),
            if o.crashes.len() == 1 { "" } else { "es" },
            o.in_use,
            o.files,
            o.seeds,
        );
        if !o.crashes.is_empty() {
            let paths: Vec<String> = o.crashes.iter().map(|p| p.display().to_string()).collect();
            failed.push(format!("{target}: {}", paths.join(", ")));
        }
    }
    if failed.is_empty() {
        Ok(())
    } else {
        Err(format!("fuzzing found crashes (reproduce: RUSTC_BOOTSTRAP=1 cargo fuzz run --sanitizer {SANITIZER} <target> <file>):\n  {}", failed.join("\n  ")))
    }
}

fn ensure_cargo_fuzz() -> Result {
    let works = cmd("cargo").args(["fuzz", "--version"]).stdout(Stdio::null()).stderr(Stdio::null()).status().is_ok_and(|s| s.success());
    if works {
        return Ok(());
    }
    tools::sh(cmd("cargo").args(["install", "cargo-fuzz", "--version", CARGO_FUZZ, "--locked"]))
}

fn run(target: &str, secs: u64) -> Result<Outcome> {
    let root = root();
    let corpus = root.join("target/fuzz-corpus").join(target);
    let seeds = root.join("fuzz/corpus").join(target);
    let artifacts = root.join("fuzz/artifacts").join(target);
    let logs = root.join("target/fuzz-logs");
    for dir in [&corpus, &logs] {
        std::fs::create_dir_all(dir).map_err(|e| format!("{}: {e}", dir.display()))?;
    }
    let log_path = logs.join(format!("{target}.log"));
    let log = File::create(&log_path).map_err(|e| format!("{}: {e}", log_path.display()))?;
    let log_err = log.try_clone().map_err(|e| e.to_string())?;

    let mut c = cmd("cargo");
    c.args(["fuzz", "run", target, "--sanitizer", SANITIZER])
        .arg(&corpus)
        .arg(&seeds)
        .arg("--")
        .arg(format!("-max_total_time={secs}"))
        .arg(format!("-seed={SEED}"))
        // Longer than any search or form answer is allowed to be; libFuzzer grows lengths up to it.
        .arg("-max_len=4096")
        // Each input takes microseconds: ten seconds is a hang.
        .arg("-timeout=10")
        .arg("-print_final_stats=1")
        .env("RUSTC_BOOTSTRAP", "1")
        .stdout(Stdio::from(log))
        .stderr(Stdio::from(log_err));
    let dict = root.join("fuzz/dict").join(format!("{target}.dict"));
    if dict.exists() {
        c.arg(format!("-dict={}", dict.display()));
    }

    let (started, wall) = (SystemTime::now(), Instant::now());
    let status = c.status().map_err(|e| format!("cargo fuzz run {target}: {e}"))?;
    let secs = wall.elapsed().as_secs_f32();
    let output = std::fs::read_to_string(&log_path).unwrap_or_default();
    let crashes = new_files(&artifacts, started);
    if !status.success() && crashes.is_empty() {
        // Not a finding but a failure to fuzz (a build error, a bad flag): show why.
        return Err(format!("cargo fuzz run {target} failed ({status}) without a crash artifact:\n{}", tail(&output, 30)));
    }
    if !crashes.is_empty() {
        eprintln!("{}", finding(&output));
    }
    let runs = output.lines().find_map(|l| l.strip_prefix("stat::number_of_executed_units:")).and_then(|n| n.trim().parse().ok()).unwrap_or(0);
    let in_use = output.lines().rev().find_map(|l| l.split_once(" corp: ").and_then(|(_, rest)| rest.split_whitespace().next())).unwrap_or("?").to_string();
    Ok(Outcome { runs, secs, crashes, in_use, files: count_files(&corpus), seeds: count_files(&seeds) })
}

/// Files in `dir` written since `since`: the artifacts of this run, not of earlier ones.
fn new_files(dir: &Path, since: SystemTime) -> Vec<PathBuf> {
    let Ok(entries) = std::fs::read_dir(dir) else { return Vec::new() };
    let mut files: Vec<PathBuf> =
        entries.filter_map(|e| e.ok()).filter(|e| e.metadata().and_then(|m| m.modified()).is_ok_and(|t| t >= since)).map(|e| e.path()).collect();
    files.sort();
    files
}

fn count_files(dir: &Path) -> usize {
    std::fs::read_dir(dir).map(|d| d.filter_map(|e| e.ok()).filter(|e| e.path().is_file()).count()).unwrap_or(0)
}

/// The part of a crashed run's log worth reading here: the panic message (or the sanitizer's first
/// line) and the input as libFuzzer escaped it; the backtraces stay in the log.
fn finding(output: &str) -> String {
    let lines: Vec<&str> = output.lines().collect();
    let mut out: Vec<String> = Vec::new();
    if let Some(i) = lines.iter().position(|l| l.contains("panicked at") || l.contains("ERROR: ")) {
        let message = lines[i..].iter().take(15).take_while(|l| !l.starts_with("stack backtrace:") && !l.starts_with("note: "));
        out.extend(message.map(|l| l.to_string()));
    }
    for (i, l) in lines.iter().enumerate().filter(|(_, l)| l.contains("Test unit written to ")) {
        if let Some(input) = i.checked_sub(1).map(|j| lines[j]) {
            out.push(format!("input: {}", input.chars().take(300).collect::<String>()));
        }
        out.push(l.to_string());
    }
    if out.is_empty() {
        tail(output, 40)
    } else {
        out.join("\n")
    }
}

fn tail(s: &str, n: usize) -> String {
    let lines: Vec<&str> = s.lines().collect();
    lines[lines.len().saturating_sub(n)..].join("\n")
}
