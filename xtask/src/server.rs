//! wrangler around workerd: preparing local D1 (migrations + seed), serving, and deploy.

use crate::tools::{cmd, sh};
use crate::{root, Result, D1_NAME};
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// Applies migrations and loads the demo data into the local D1 under `state`.
pub fn prepare_db(state: &Path) -> Result {
    let t = Instant::now();
    let state = state.to_str().ok_or("state path is not UTF-8")?;
    sh(cmd("wrangler").args(["d1", "migrations", "apply", D1_NAME, "--local", "--persist-to", state]).stdin(Stdio::null()))?;
    let sql_path = root().join("target/seed.sql");
    std::fs::create_dir_all(root().join("target")).map_err(|e| e.to_string())?;
    std::fs::write(&sql_path, crate::seed::sql()?).map_err(|e| e.to_string())?;
    sh(cmd("wrangler")
        .args(["d1", "execute", D1_NAME, "--local", "--persist-to", state, "--file"])
        .arg(&sql_path)
        .stdout(Stdio::null())
        .stdin(Stdio::null()))?;
    println!("xtask: local D1 migrated and seeded ({:.0} s)", t.elapsed().as_secs_f32());
    Ok(())
}

fn dev_command(state: &Path, port: u16, inspector: u16, log_level: &str) -> Command {
    let mut c = cmd("wrangler");
    c.args(["dev", "--local", "--ip", "127.0.0.1", "--port", &port.to_string()])
        .args(["--inspector-port", &inspector.to_string(), "--log-level", log_level, "--show-interactive-dev-session=false"])
        .arg("--persist-to")
        .arg(state)
        .stdin(Stdio::null());
    c
}

pub fn serve_foreground(state: &Path, port: u16) -> Result {
    let status = dev_command(state, port, free_port()?, "info").status().map_err(|e| format!("wrangler dev: {e}"))?;
    // Ctrl-C or SIGTERM is how a dev server is meant to end, not a failure.
    use std::os::unix::process::ExitStatusExt;
    match (status.success(), status.signal(), status.code()) {
        (true, _, _) | (_, Some(_), _) | (_, _, Some(130 | 143)) => Ok(()),
        _ => Err(format!("wrangler dev exited with {status}")),
    }
}

pub fn free_port() -> Result<u16> {
    let l = std::net::TcpListener::bind("127.0.0.1:0").map_err(|e| e.to_string())?;
    Ok(l.local_addr().map_err(|e| e.to_string())?.port())
}

/// A wrangler dev in its own process group, stopped (with its workerd and esbuild) on drop.
pub struct Server {
    child: Child,
    pub base: String,
}

impl Server {
    pub fn start(state: &Path, log: &Path) -> Result<Server> {
        let port = free_port()?;
        let log_file = std::fs::File::create(log).map_err(|e| e.to_string())?;
        let mut c = dev_command(state, port, free_port()?, "warn");
        c.stdout(log_file.try_clone().map_err(|e| e.to_string())?).stderr(log_file);
        use std::os::unix::process::CommandExt;
        c.process_group(0);
        let child = c.spawn().map_err(|e| format!("wrangler dev: {e}"))?;
        let server = Server { child, base: format!("http://127.0.0.1:{port}") };
        server.wait_ready(Duration::from_secs(120), log)?;
        Ok(server)
    }

    fn wait_ready(&self, limit: Duration, log: &Path) -> Result {
        let t = Instant::now();
        let agent: ureq::Agent = ureq::Agent::config_builder()
            .timeout_global(Some(Duration::from_secs(5)))
            .http_status_as_error(false)
            .build()
            .into();
        while t.elapsed() < limit {
            if let Ok(r) = agent.get(&format!("{}/api/v1/health", self.base)).call() {
                if r.status() == 200 {
                    println!("xtask: workerd ready at {} ({:.1} s)", self.base, t.elapsed().as_secs_f32());
                    return Ok(());
                }
            }
            std::thread::sleep(Duration::from_millis(250));
        }
        let tail = std::fs::read_to_string(log).unwrap_or_default();
        Err(format!("wrangler dev did not become healthy in {limit:?}; its log:\n{tail}"))
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let pgid = format!("-{}", self.child.id());
        let _ = Command::new("kill").args(["-TERM", "--", &pgid]).status();
        let t = Instant::now();
        while t.elapsed() < Duration::from_secs(5) {
            if let Ok(Some(_)) = self.child.try_wait() {
                return;
            }
            std::thread::sleep(Duration::from_millis(100));
        }
        let _ = Command::new("kill").args(["-KILL", "--", &pgid]).status();
        let _ = self.child.wait();
    }
}

/// `wrangler deploy`; with `dry_run` it bundles and checks everything without uploading, so it runs
/// in tests on a machine with no Cloudflare account.
pub fn deploy(dry_run: bool) -> Result {
    let mut c = cmd("wrangler");
    c.arg("deploy").stdin(Stdio::null());
    if dry_run {
        c.args(["--dry-run", "--outdir"]).arg(root().join("target/deploy-dry-run"));
    }
    sh(&mut c)
}
