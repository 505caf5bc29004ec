//! `cargo xtask`: the two commands that set up and run tongban on a fresh machine, and their helpers.
//!
//! - `dev`    — install what is missing, build, migrate and seed local D1, serve on 127.0.0.1:8787, and
//!              fire the Cron Triggers on their schedules (wrangler dev does not).
//! - `test`   — install what is missing, run every test (host, wasm in Chromium, integration on real
//!              workerd, browser end-to-end), print `N passed, N failed`.
//! - `deploy` — `--env staging|production`: build, check the secrets, apply D1 migrations, then upload
//!              (`--dry-run`: everything that needs no account).
//! - `build`  — build the worker and the app into `edge/build` and `dist`.
//! - `bootstrap-admin` — SQL for the first district admin of a deployment, sealed with production keys.
//! - `bench`  — throughput, latency and memory under load on a local workerd, sizes, Lighthouse.
//! - `fuzz`   — libFuzzer on `shared`'s parsers and validators, then a long schemathesis run on the API.
//!
//! Layout: [`tools`] installs and locates tools; [`build`] builds; [`cron`] fires the schedules locally; [`seed`] turns `seed/catalogue.json`
//! into idempotent SQL; [`server`] runs wrangler dev; [`testing`] runs the suites and counts results;
//! [`bench`] loads a local server and measures it; [`apifuzz`] runs schemathesis per role; [`fuzz`] runs
//! the native fuzzers; [`durability`] kills workerd under load and checks what survived.

mod apifuzz;
mod bench;
mod build;
mod cron;
mod durability;
mod fuzz;
mod lighthouse;
mod seed;
mod server;
mod testing;
mod tools;

use std::path::PathBuf;
use std::process::ExitCode;

pub const DEV_PORT: u16 = 8787;
pub const D1_NAME: &str = "tongban";

/// The workspace root (xtask lives one level below it).
pub fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).parent().expect("workspace root").to_path_buf()
}

pub type Result<T = ()> = std::result::Result<T, String>;

fn usage() -> &'static str {
    "usage: cargo xtask <dev [--reset] | test [--only lint|host|wasm|integration|browser|apifuzz|durability, or several joined by commas] | build | deploy --env staging|production [--dry-run] | bench [--secs N] [--conns 32,128] [--accounts N] [--no-build] | fuzz [--secs N per native target] [--examples N per operation and role] [--seed S] [--native-only|--api-only] | seed-sql | bootstrap-admin --login L --name N>"
}

fn run(args: &[String]) -> Result {
    let cmd = args.first().map(String::as_str).unwrap_or("");
    let flag = |f: &str| args.iter().any(|a| a == f);
    match cmd {
        "dev" => {
            tools::ensure(tools::Needs::Dev)?;
            build::all()?;
            let state = root().join(".wrangler/state");
            if flag("--reset") {
                let _ = std::fs::remove_dir_all(&state);
            }
            server::prepare_db(&state)?;
            let crons = cron::schedules()?;
            println!("xtask: firing the Cron Triggers of wrangler.toml locally ({}), as Cloudflare would; wrangler dev does not", crons.join(", "));
            std::thread::spawn(move || cron::fire_forever(format!("http://127.0.0.1:{DEV_PORT}"), crons));
            println!("\ntongban: http://127.0.0.1:{DEV_PORT}  (Ctrl-C to stop)\n");
            server::serve_foreground(&state, DEV_PORT)
        }
        "test" => {
            let only = args.iter().position(|a| a == "--only").and_then(|i| args.get(i + 1)).cloned();
            testing::run_all(only.as_deref())
        }
        "build" => {
            tools::ensure(tools::Needs::Dev)?;
            build::all()
        }
        "deploy" => {
            let env = args.iter().position(|a| a == "--env").and_then(|i| args.get(i + 1)).cloned().unwrap_or_default();
            if !server::ENVIRONMENTS.contains(&env.as_str()) {
                return Err(format!("usage: cargo xtask deploy --env {} [--dry-run]", server::ENVIRONMENTS.join("|")));
            }
            tools::ensure(tools::Needs::Dev)?;
            build::all()?;
            server::deploy(&env, flag("--dry-run"))
        }
        "bootstrap-admin" => {
            let arg = |name: &str| args.iter().position(|a| a == name).and_then(|i| args.get(i + 1)).cloned();
            let (Some(login), Some(name)) = (arg("--login"), arg("--name")) else {
                return Err("usage: cargo xtask bootstrap-admin --login LOGIN --name NAME < password-file".into());
            };
            let mut password = String::new();
            std::io::stdin().read_line(&mut password).map_err(|e| e.to_string())?;
            let now = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map_err(|e| e.to_string())?.as_secs() as i64;
            print!("{}", seed::bootstrap_admin_sql(&login, &name, password.trim_end_matches(['\r', '\n']), &seed::env_keys()?, now)?);
            Ok(())
        }
        "bench" => bench::run(&bench::Options::parse(args)?),
        "fuzz" => {
            let arg = |name: &str| args.iter().position(|a| a == name).and_then(|i| args.get(i + 1)).cloned();
            let num = |name: &str, default: u64| -> Result<u64> {
                arg(name).map_or(Ok(default), |v| v.parse().map_err(|_| format!("{name} wants a whole number, got {v:?}")))
            };
            let (secs, examples, seed) =
                (num("--secs", 60)?, num("--examples", 60)?, arg("--seed").map(|s| s.parse::<u64>()).transpose().map_err(|e| e.to_string())?);
            tools::ensure(tools::Needs::Dev)?;
            // Both halves run even if the first finds something; the answer names every failure.
            let native = if flag("--api-only") { Ok(()) } else { fuzz::native(secs) };
            let api = if flag("--native-only") { Ok(()) } else { apifuzz::long_run(examples as u32, seed) };
            match (native, api) {
                (Ok(()), Ok(())) => Ok(()),
                (a, b) => Err([a.err(), b.err()].into_iter().flatten().collect::<Vec<_>>().join("; ")),
            }
        }
        "seed-sql" => {
            server::ensure_dev_vars()?;
            print!("{}{}", seed::sql()?, seed::accounts_sql()?);
            Ok(())
        }
        _ => Err(usage().into()),
    }
}

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    match run(&args) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("xtask: {e}");
            ExitCode::FAILURE
        }
    }
}
