//! Helpers for the integration tests in `tests/tests/`: an HTTP client for the workerd that
//! `cargo xtask test` starts (its address comes in `TONGBAN_BASE_URL`), and the seed catalogue the
//! server was loaded with, so expectations are computed from data instead of hard-coded.
//!
//! Run them with `cargo xtask test --only integration`; run alone, they fail with a clear message.

use std::time::Duration;
use tongban_shared::catalogue::SeedCatalogue;

pub struct Resp {
    pub status: u16,
    pub headers: Vec<(String, String)>,
    pub body: String,
}

impl Resp {
    pub fn json(&self) -> serde_json::Value {
        serde_json::from_str(&self.body).unwrap_or_else(|e| panic!("not JSON ({e}): {}", self.body))
    }

    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.iter().find(|(k, _)| k.eq_ignore_ascii_case(name)).map(|(_, v)| v.as_str())
    }

    /// Asserts an error answer of the documented shape and returns its code.
    pub fn error_code(&self, status: u16) -> String {
        assert_eq!(self.status, status, "status for body {}", self.body);
        let v = self.json();
        let e = &v["error"];
        assert!(e["message"].as_str().is_some_and(|m| !m.is_empty()), "error has a message: {v}");
        assert!(e.get("field").is_some(), "error has a field key: {v}");
        e["code"].as_str().expect("error.code").to_string()
    }
}

pub fn base() -> String {
    std::env::var("TONGBAN_BASE_URL").expect("TONGBAN_BASE_URL is set by `cargo xtask test`; run the integration tests through it")
}

/// Each request comes from its own client address unless the test names one (`CF-Connecting-IP`, which
/// local workerd passes through): the suite plays many people, and per-address limits (registration,
/// tickets) then bind only where a test sends from one address on purpose.
fn client_ip(headers: &[(&str, &str)]) -> Option<String> {
    use std::sync::atomic::{AtomicU32, Ordering};
    static N: AtomicU32 = AtomicU32::new(1);
    if headers.iter().any(|(k, _)| k.eq_ignore_ascii_case("CF-Connecting-IP")) {
        return None;
    }
    let n = N.fetch_add(1, Ordering::Relaxed) ^ (std::process::id() << 12);
    Some(format!("10.{}.{}.{}", (n >> 16) & 0xff, (n >> 8) & 0xff, n & 0xff))
}

fn agent() -> ureq::Agent {
    ureq::Agent::config_builder().timeout_global(Some(Duration::from_secs(30))).http_status_as_error(false).build().into()
}

/// Sends like a well-behaved client: a 409 `write_conflict` (the local database was busy — here, usually
/// a test's own `d1()` writing beside the server; nothing was written) or a 503 `unavailable` is retried
/// after a pause, as its `Retry-After` asks.
fn retrying(send: impl Fn() -> Resp) -> Resp {
    for _ in 0..8 {
        let r = send();
        if !((r.status == 503 && r.body.contains("\"unavailable\"")) || (r.status == 409 && r.body.contains("\"write_conflict\""))) {
            return r;
        }
        std::thread::sleep(Duration::from_millis(250));
    }
    send()
}

pub fn get_with(path: &str, headers: &[(&str, &str)]) -> Resp {
    retrying(|| {
        let mut req = agent().get(&format!("{}{path}", base()));
        for (k, v) in headers {
            req = req.header(*k, *v);
        }
        if let Some(ip) = client_ip(headers) {
            req = req.header("CF-Connecting-IP", &ip);
        }
        into_resp(req.call().unwrap_or_else(|e| panic!("GET {path}: {e}")))
    })
}

fn into_resp(mut r: ureq::http::Response<ureq::Body>) -> Resp {
    let status = r.status().as_u16();
    let headers = r.headers().iter().map(|(k, v)| (k.to_string(), v.to_str().unwrap_or("").to_string())).collect();
    let body = r.body_mut().read_to_string().unwrap_or_default();
    Resp { status, headers, body }
}

pub fn get(path: &str) -> Resp {
    get_with(path, &[])
}

pub fn post(path: &str, body: &str) -> Resp {
    post_with(path, body, &[])
}

/// A POST as the app sends it: from our own origin, with an optional cookie header.
pub fn post_with(path: &str, body: &str, headers: &[(&str, &str)]) -> Resp {
    retrying(|| {
        let mut req = agent().post(&format!("{}{path}", base())).header("Content-Type", "application/json");
        for (k, v) in headers {
            req = req.header(*k, *v);
        }
        if let Some(ip) = client_ip(headers) {
            req = req.header("CF-Connecting-IP", &ip);
        }
        into_resp(req.send(body).unwrap_or_else(|e| panic!("POST {path}: {e}")))
    })
}

/// Uploads a file as the app does: the bytes as the body, the name in the query, from our own origin.
pub fn upload_file(cookie: &str, name: &str, bytes: &[u8]) -> Resp {
    retrying(|| {
        let req = agent()
            .post(&format!("{}/api/v1/uploads?name={}", base(), percent(name)))
            .header("Content-Type", "application/octet-stream")
            .header("Origin", &base())
            .header("Cookie", cookie);
        into_resp(req.send(bytes).unwrap_or_else(|e| panic!("POST /api/v1/uploads: {e}")))
    })
}

/// A GET answered with bytes (an uploaded file), as (status, bytes).
pub fn get_bytes(path: &str, cookie: &str) -> (u16, Vec<u8>) {
    let mut r = agent().get(&format!("{}{path}", base())).header("Cookie", cookie).call().unwrap_or_else(|e| panic!("GET {path}: {e}"));
    let status = r.status().as_u16();
    (status, r.body_mut().with_config().limit(64 * 1024 * 1024).read_to_vec().unwrap_or_default())
}

/// RFC 3986 percent-encoding of everything but unreserved characters.
pub fn percent(s: &str) -> String {
    s.bytes().map(|b| if b.is_ascii_alphanumeric() || b"-_.~".contains(&b) { (b as char).to_string() } else { format!("%{b:02X}") }).collect()
}

/// A PUT from our own origin (add the `Origin` header yourself), JSON body.
pub fn put_with(path: &str, body: &str, headers: &[(&str, &str)]) -> Resp {
    retrying(|| {
        let mut req = agent().put(&format!("{}{path}", base())).header("Content-Type", "application/json");
        for (k, v) in headers {
            req = req.header(*k, *v);
        }
        if let Some(ip) = client_ip(headers) {
            req = req.header("CF-Connecting-IP", &ip);
        }
        into_resp(req.send(body).unwrap_or_else(|e| panic!("PUT {path}: {e}")))
    })
}

pub fn delete_with(path: &str, headers: &[(&str, &str)]) -> Resp {
    retrying(|| {
        let mut req = agent().delete(&format!("{}{path}", base()));
        for (k, v) in headers {
            req = req.header(*k, *v);
        }
        if let Some(ip) = client_ip(headers) {
            req = req.header("CF-Connecting-IP", &ip);
        }
        into_resp(req.call().unwrap_or_else(|e| panic!("DELETE {path}: {e}")))
    })
}

impl Resp {
    /// `name=value` of the session cookie this answer sets, for the next request's `Cookie` header.
    pub fn session_cookie(&self) -> Option<String> {
        let c = self.header("set-cookie")?;
        let pair = c.split(';').next()?.trim();
        pair.starts_with("__Host-tb_session=").then(|| pair.to_string())
    }
}

/// A fresh valid resident ID number (real birth date, right check character), different on every call.
pub fn new_resident_id() -> String {
    use std::sync::atomic::{AtomicU32, Ordering};
    static N: AtomicU32 = AtomicU32::new(0);
    let n = N.fetch_add(1, Ordering::Relaxed);
    let t = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().as_nanos();
    // Every test binary is its own process calling this from n = 0: mix the clock, the process and the
    // count so 20 million combinations (year, month, day, serial) are spread over, not a few thousand.
    let h = tongban_shared::etag::fnv1a64(format!("{t}-{}-{n}", std::process::id()).as_bytes());
    let (year, month, day, serial) = (1940 + h % 60, 1 + (h >> 8) % 12, 1 + (h >> 16) % 28, (h >> 24) % 1000);
    let first17 = format!("310107{year}{month:02}{day:02}{serial:03}");
    format!("{first17}{}", tongban_shared::ids::resident_id_check(&first17).unwrap())
}

/// Percent-encodes a query value.
pub fn enc(s: &str) -> String {
    s.bytes().map(|b| if b.is_ascii_alphanumeric() || b"-_.~".contains(&b) { (b as char).to_string() } else { format!("%{b:02X}") }).collect()
}

/// The catalogue the server was seeded with.
pub fn seed() -> SeedCatalogue {
    serde_json::from_str(include_str!("../../seed/catalogue.json")).expect("seed parses")
}

/// The password of every demo account (local seed only; see README).
pub const DEMO_PASSWORD: &str = "Tongban-demo-2026";

/// Signs in and returns the `Cookie` header value for the session.
pub fn sign_in(login: &str, password: &str) -> String {
    let body = serde_json::json!({"login": login, "password": password}).to_string();
    let r = post_with("/api/v1/sessions", &body, &[("Origin", &base())]);
    assert_eq!(r.status, 200, "sign-in of {login}: {}", r.body);
    r.session_cookie().expect("session cookie")
}

/// Runs SQL on the test server's local D1 (for set-ups no API offers, e.g. many ready sessions).
pub fn d1(sql: &str) -> String {
    let (ok, text) = d1_try(sql);
    assert!(ok, "SQL failed: {text}");
    text
}

/// Runs SQL on the test server's local D1 and returns the rows of its last statement (as JSON objects).
pub fn d1_rows(sql: &str) -> Vec<serde_json::Value> {
    let (ok, out) = d1_run(sql, true);
    assert!(ok, "SQL failed: {out}");
    let start = out.find('[').unwrap_or_else(|| panic!("no JSON in wrangler's answer: {out}"));
    let v: serde_json::Value = serde_json::from_str(out[start..].trim()).unwrap_or_else(|e| panic!("wrangler's JSON ({e}): {out}"));
    v.as_array().and_then(|a| a.last()).and_then(|r| r["results"].as_array()).cloned().unwrap_or_default()
}

/// Runs SQL on the test server's local D1 and reports whether it succeeded, with wrangler's output.
pub fn d1_try(sql: &str) -> (bool, String) {
    d1_run(sql, false)
}

/// The project's wrangler (the one xtask installed), run from the repository root as the server was.
fn wrangler(args: &[&str]) -> std::process::Command {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).parent().unwrap().to_path_buf();
    let mut c = std::process::Command::new(root.join("node_modules/.bin/wrangler"));
    c.args(args)
        .env("PATH", format!("{}:{}", root.join("node_modules/.bin").display(), std::env::var("PATH").unwrap()))
        .env("WRANGLER_SEND_METRICS", "false")
        .current_dir(&root)
        .stdin(std::process::Stdio::null());
    c
}

fn d1_run(sql: &str, json: bool) -> (bool, String) {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).parent().unwrap().to_path_buf();
    let state = std::env::var("TONGBAN_STATE_DIR").expect("TONGBAN_STATE_DIR is set by `cargo xtask test`");
    use std::sync::atomic::{AtomicU32, Ordering};
    static N: AtomicU32 = AtomicU32::new(0);
    let file = root.join(format!("target/test-sql-{}-{}.sql", std::process::id(), N.fetch_add(1, Ordering::Relaxed)));
    std::fs::write(&file, sql).unwrap();
    // The server and this process share one SQLite file: when the server holds the write lock, wrangler
    // answers SQLITE_BUSY having done nothing, so try again shortly.
    let mut out;
    let mut tries = 0;
    loop {
        out = wrangler(&["d1", "execute", "tongban", "--local", "--persist-to", &state])
            .args(if json { &["--json"][..] } else { &[][..] })
            .arg("--file")
            .arg(&file)
            .output()
            .unwrap();
        let busy = !out.status.success() && format!("{}{}", String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr)).contains("SQLITE_BUSY");
        tries += 1;
        if !busy || tries >= 10 {
            break;
        }
        std::thread::sleep(std::time::Duration::from_millis(300));
    }
    let _ = std::fs::remove_file(&file);
    if json {
        // Only stdout is the JSON document; wrangler's notices go to stderr.
        return (out.status.success(), format!("{}", String::from_utf8_lossy(&out.stdout)));
    }
    (out.status.success(), format!("{}{}", String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr)))
}

/// Runs a Cron Trigger on the test server as Cloudflare would (`* * * * *`: hold expiry; `30 15 * * *`:
/// closing the day).
pub fn run_cron(cron: &str) {
    let r = get(&format!("/cdn-cgi/local/scheduled?cron={}", cron.replace(' ', "+")));
    assert_eq!(r.status, 200, "cron {cron}: {}", r.body);
}

/// The current time in Beijing (the centers' local time), as the edge sees it.
pub fn beijing_now() -> chrono::NaiveDateTime {
    (chrono::Utc::now() + chrono::Duration::hours(8)).naive_utc()
}

/// Seconds since the epoch.
pub fn epoch() -> i64 {
    std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().as_secs() as i64
}

/// A string unique within this test run (for logins, idempotency keys, tags).
pub fn unique(prefix: &str) -> String {
    use std::sync::atomic::{AtomicU32, Ordering};
    static N: AtomicU32 = AtomicU32::new(0);
    let t = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().as_nanos() % 1_000_000_000;
    format!("{prefix}{t}{}", N.fetch_add(1, Ordering::Relaxed))
}

/// A resident registered through the API: (`Cookie` value, account id, ID number).
pub fn register_resident() -> (String, String, String) {
    let id_number = new_resident_id();
    let body = serde_json::json!({"name": "测试居民", "id_number": id_number, "mobile": "13912345678", "password": "a resident for the tests"}).to_string();
    let r = post_with("/api/v1/accounts/residents", &body, &[("Origin", &base())]);
    assert_eq!(r.status, 201, "{}", r.body);
    (r.session_cookie().expect("session cookie"), r.json()["id"].as_str().expect("id").to_string(), id_number)
}

/// A new staff post (`window_staff` or `center_admin`) of `center`, made by the district admin and signed in.
pub fn new_staff(role: &str, center: &str) -> String {
    let admin = sign_in("admin.district", DEMO_PASSWORD);
    let short: String = center.replace('-', "").chars().take(8).collect();
    let login = unique(&format!("{}.{short}", if role == "window_staff" { "w" } else { "ca" }));
    let body = serde_json::json!({"login": login, "name": "测试员", "role": role, "center_id": center, "password": "staff of the tests"}).to_string();
    let r = post_with("/api/v1/staff", &body, &[("Origin", &base()), ("Cookie", &admin)]);
    assert_eq!(r.status, 201, "{}", r.body);
    sign_in(&login, "staff of the tests")
}

/// `n` resident accounts with live sessions, made directly in D1; returns their `Cookie` values.
pub fn ready_residents(tag: &str, n: usize) -> Vec<String> {
    let mut sql = String::new();
    let mut cookies = Vec::new();
    for i in 0..n {
        let id = format!("{:032x}", tongban_shared::etag::fnv1a64(format!("{tag}-{i}").as_bytes()) as u128 * 7 + i as u128);
        let token = format!("{tag}-token-{i}-{}", std::process::id());
        sql.push_str(&format!(
            "INSERT INTO accounts (id, role, login_lookup, name_enc, password, created_at, password_changed_at) VALUES ('{id}', 'resident', 'test:{tag}:{i}', 'x', '!', 0, 0);\n\
             INSERT INTO sessions (token_digest, account_id, created_at, expires_at, idle_secs) VALUES ('{}', '{id}', 0, 9999999999, 0);\n",
            tongban_edge::crypto::token_digest(&token)
        ));
        cookies.push(format!("__Host-tb_session={token}"));
    }
    d1(&sql);
    cookies
}

/// A value sealed with the test server's own data keys (`.dev.vars`), as the worker seals it: for fixture
/// rows that the worker must be able to open (an application's answers), so nothing the fuzzer later
/// reaches through them is corrupt data.
pub fn sealed(plaintext: &str) -> String {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).parent().unwrap().to_path_buf();
    let vars = std::fs::read_to_string(root.join(".dev.vars")).expect(".dev.vars");
    let var = |k: &str| vars.lines().find_map(|l| l.strip_prefix(k)?.strip_prefix('=')).unwrap_or_default().to_string();
    let keys = tongban_edge::crypto::Keyring::parse(&var("DATA_KEYS"), &var("LOOKUP_KEY")).expect("local keys");
    let nonce = tongban_shared::etag::fnv1a64(unique("nonce").as_bytes()).to_be_bytes();
    keys.seal(plaintext, [nonce[0], nonce[1], nonce[2], nonce[3], nonce[4], nonce[5], nonce[6], nonce[7], 0, 0, 0, 1])
}

/// The demo business of the seed, and its seeded e-licences (business licence, legal representative's ID).
pub const BUSINESS: &str = "91440101MA5CJQ4N59";
pub const BUSINESS_LICENCE: &str = "de600000000000000000000000000001";
pub const REP_ID: &str = "de600000000000000000000000000002";

/// Uploads of the business's own (the upload endpoint's checks are tested on their own).
pub fn uploads(account: &str, n: usize) -> Vec<String> {
    let ids: Vec<String> = (0..n).map(|_| format!("{:032x}", tongban_shared::etag::fnv1a64(unique("u").as_bytes()) as u128 * 3 + 1)).collect();
    let sql: String = ids
        .iter()
        .map(|id| format!("INSERT INTO uploads (id, account_id, name, media_type, size, created_at) VALUES ('{id}', '{account}', 'plan.pdf', 'application/pdf', 1000, 0);\n"))
        .collect();
    d1(&sql);
    ids
}

/// The restaurant bundle's answers, as the demo company would give them (no outdoor sign), with `files` as
/// its five materials.
pub fn restaurant(files: &[String]) -> serde_json::Value {
    let demo: serde_json::Value = serde_json::from_str(include_str!("../../seed/demo-restaurant.json")).expect("seed/demo-restaurant.json");
    let mut answers = demo["answers"].clone();
    for (field, file) in demo["materials"].as_array().expect("materials").iter().zip(files) {
        answers[field.as_str().expect("a field key")] = serde_json::Value::from(file.as_str());
    }
    answers
}

/// Whether the test server's local R2 (`FILES`) holds `key`, read with wrangler from the same state.
pub fn r2_has(key: &str) -> bool {
    let state = std::env::var("TONGBAN_STATE_DIR").expect("TONGBAN_STATE_DIR is set by `cargo xtask test`");
    let out = wrangler(&["r2", "object", "get", &format!("tongban-files/{key}"), "--local", "--persist-to", &state, "--pipe"]).output().unwrap();
    out.status.success() && !out.stdout.is_empty()
}
