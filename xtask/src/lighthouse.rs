//! Lighthouse (npm, pinned) on Debian's Chromium, mobile preset, for `cargo xtask bench`: a report, not
//! a test — its simulated slow-4G phone makes the scores vary by a few points from run to run.
//!
//! Installed on first use into `target/lighthouse` rather than the project's package.json, so
//! `cargo xtask test` and CI never download it.

use crate::tools::{self, cmd};
use crate::{root, Result};
use std::process::Stdio;

const LIGHTHOUSE: &str = "12.8.2";

pub struct Row {
    pub page: String,
    pub performance: f64,
    pub accessibility: f64,
    pub best_practices: f64,
    pub lcp_ms: f64,
    pub tbt_ms: f64,
    pub cls: f64,
}

fn cli() -> Result<std::path::PathBuf> {
    let dir = root().join("target/lighthouse");
    let js = dir.join("node_modules/lighthouse/cli/index.js");
    let pkg = std::fs::read_to_string(dir.join("node_modules/lighthouse/package.json")).unwrap_or_default();
    if !js.exists() || !pkg.contains(&format!("\"version\": \"{LIGHTHOUSE}\"")) {
        std::fs::create_dir_all(&dir).map_err(|e| e.to_string())?;
        tools::sh(cmd("npm").args(["install", "--no-audit", "--no-fund", "--loglevel=error", "--prefix"]).arg(&dir).arg(format!("lighthouse@{LIGHTHOUSE}")))?;
    }
    Ok(js)
}

/// One Lighthouse run per page of `base`.
pub fn run(base: &str, pages: &[(&str, String)]) -> Result<Vec<Row>> {
    let js = cli()?;
    let out_dir = root().join("target/lighthouse-reports");
    std::fs::create_dir_all(&out_dir).map_err(|e| e.to_string())?;
    let mut rows = Vec::new();
    for (name, path) in pages {
        let report = out_dir.join(format!("{name}.json"));
        let _ = std::fs::remove_file(&report);
        println!("xtask: lighthouse {name} ({path}) …");
        let status = cmd("node")
            .arg(&js)
            .arg(format!("{base}{path}"))
            .args(["--output=json", "--quiet", "--only-categories=performance,accessibility,best-practices"])
            .arg(format!("--output-path={}", report.display()))
            .arg("--chrome-flags=--headless=new --no-sandbox --disable-gpu --disable-quic --no-first-run --disable-background-networking --disable-component-update --disable-sync")
            .env("CHROME_PATH", "/usr/bin/chromium")
            .stdout(Stdio::null())
            .status()
            .map_err(|e| format!("lighthouse: {e}"))?;
        let text = std::fs::read_to_string(&report).map_err(|e| format!("lighthouse {name} ({status}): {e}"))?;
        let v: serde_json::Value = serde_json::from_str(&text).map_err(|e| format!("lighthouse {name}: {e}"))?;
        let score = |c: &str| v["categories"][c]["score"].as_f64().unwrap_or(0.0) * 100.0;
        let audit = |a: &str| v["audits"][a]["numericValue"].as_f64().unwrap_or(f64::NAN);
        rows.push(Row {
            page: name.to_string(),
            performance: score("performance"),
            accessibility: score("accessibility"),
            best_practices: score("best-practices"),
            lcp_ms: audit("largest-contentful-paint"),
            tbt_ms: audit("total-blocking-time"),
            cls: audit("cumulative-layout-shift"),
        });
    }
    Ok(rows)
}

pub fn print(rows: &[Row]) {
    println!("\nxtask: Lighthouse {LIGHTHOUSE}, mobile preset (simulated slow 4G, 4× CPU slowdown), reports in target/lighthouse-reports/\n");
    println!("| page      | performance | accessibility | best practices | LCP ms | TBT ms |   CLS |");
    println!("|-----------|------------:|--------------:|---------------:|-------:|-------:|------:|");
    for r in rows {
        println!(
            "| {:<9} | {:>11.0} | {:>13.0} | {:>14.0} | {:>6.0} | {:>6.0} | {:>5.3} |",
            r.page, r.performance, r.accessibility, r.best_practices, r.lcp_ms, r.tbt_ms, r.cls
        );
    }
    let short: Vec<String> = rows
        .iter()
        .filter(|r| r.performance < 95.0 || r.accessibility < 100.0)
        .map(|r| format!("{} (performance {:.0}, accessibility {:.0})", r.page, r.performance, r.accessibility))
        .collect();
    if short.is_empty() {
        println!("budget: every page has performance ≥ 95 and accessibility 100");
    } else {
        println!("budget (reported, not failing): performance ≥ 95 and accessibility 100 missed by {}", short.join(", "));
    }
}
