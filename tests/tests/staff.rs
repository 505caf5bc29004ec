//! Staff posts, AB backups, the audited front-desk look-up, and the append-only audit log.

use serde_json::json;
use tongban_shared::account::seed_account_id;
use tongban_tests::{base, get_with, post_with, sign_in, DEMO_PASSWORD};

fn as_(cookie: &str) -> Vec<(String, String)> {
    vec![("Origin".into(), base()), ("Cookie".into(), cookie.into())]
}

fn post(path: &str, body: serde_json::Value, cookie: &str) -> tongban_tests::Resp {
    let h = as_(cookie);
    let h: Vec<(&str, &str)> = h.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
    post_with(path, &body.to_string(), &h)
}

fn unique(prefix: &str) -> String {
    format!("{prefix}{}", std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().as_nanos() % 1_000_000_000)
}

#[test]
fn admins_create_posts_within_their_scope() {
    let center_admin = sign_in("admin.putuo", DEMO_PASSWORD);
    let district = sign_in("admin.district", DEMO_PASSWORD);
    let login = unique("window.new");
    let ok = post(
        "/api/v1/staff",
        json!({"login": login, "name": "钱进", "role": "window_staff", "center_id": "putuo-district", "password": "first day at the window"}),
        &center_admin,
    );
    assert_eq!(ok.status, 201, "{}", ok.body);
    assert_eq!(ok.json()["center_id"], "putuo-district");
    assert_eq!(ok.json()["name"], "钱进");
    // The new post signs in with its own login; staff sessions are short and sliding.
    let r =
        post_with("/api/v1/sessions", &json!({"login": login, "password": "first day at the window", "remember": true}).to_string(), &[("Origin", &base())]);
    assert_eq!(r.status, 200, "{}", r.body);
    assert!(r.header("set-cookie").unwrap().contains("Max-Age=1800"));
    assert_eq!(r.json()["role"], "window_staff");

    let other_center = post(
        "/api/v1/staff",
        json!({"login": unique("window.x"), "name": "钱进", "role": "window_staff", "center_id": "wanli", "password": "first day at the window"}),
        &center_admin,
    );
    assert_eq!(other_center.error_code(403), "forbidden");
    let approver = post(
        "/api/v1/staff",
        json!({"login": unique("approver.x"), "name": "钱进", "role": "approver", "dept_id": "scjg", "password": "first day at the window"}),
        &center_admin,
    );
    assert_eq!(approver.error_code(403), "forbidden", "center admins only manage window staff");
    let by_district = post(
        "/api/v1/staff",
        json!({"login": unique("approver.y"), "name": "钱进", "role": "approver", "dept_id": "scjg", "password": "first day at the window"}),
        &district,
    );
    assert_eq!(by_district.status, 201, "{}", by_district.body);

    let dup = post(
        "/api/v1/staff",
        json!({"login": login, "name": "钱进", "role": "window_staff", "center_id": "putuo-district", "password": "first day at the window"}),
        &center_admin,
    );
    assert_eq!(dup.error_code(409), "login_taken");
    let no_center =
        post("/api/v1/staff", json!({"login": unique("window.z"), "name": "钱进", "role": "window_staff", "password": "first day at the window"}), &district);
    assert_eq!(no_center.error_code(400), "invalid_post");
    let unknown_center = post(
        "/api/v1/staff",
        json!({"login": unique("window.z"), "name": "钱进", "role": "window_staff", "center_id": "atlantis", "password": "first day at the window"}),
        &district,
    );
    assert_eq!(unknown_center.error_code(400), "invalid_post");

    let list = get_with("/api/v1/staff", &[("Cookie", &center_admin)]).json();
    let centers: Vec<&str> = list.as_array().unwrap().iter().map(|p| p["center_id"].as_str().unwrap_or("")).collect();
    assert!(centers.iter().all(|c| *c == "putuo-district"), "a center admin sees only their center: {centers:?}");
    assert!(list.as_array().unwrap().iter().any(|p| p["login"] == login.as_str()));
}

#[test]
fn ab_backups_stay_within_the_post_scope() {
    let admin = sign_in("admin.putuo", DEMO_PASSWORD);
    let primary = seed_account_id("window.putuo");
    let settings = format!("/api/v1/staff/{primary}/settings");
    let other = post(&settings, json!({"backup_id": seed_account_id("window.wanli"), "away": false}), &admin);
    assert_eq!(other.error_code(400), "invalid_backup");
    let itself = post(&settings, json!({"backup_id": primary, "away": false}), &admin);
    assert_eq!(itself.error_code(400), "invalid_backup");
    let ok = post(&settings, json!({"backup_id": seed_account_id("window.putuo2"), "away": true}), &admin);
    assert_eq!(ok.status, 200, "{}", ok.body);
    assert_eq!(ok.json()["backup_login"], "window.putuo2");
    assert_eq!(ok.json()["away"], true);
    let back = post(&settings, json!({"backup_id": seed_account_id("window.putuo2"), "away": false}), &admin);
    assert_eq!(back.json()["away"], false);
    let foreign = post(&format!("/api/v1/staff/{}/settings", seed_account_id("window.wanli")), json!({"backup_id": null, "away": true}), &admin);
    assert_eq!(foreign.error_code(403), "forbidden");
    let bad_id = post("/api/v1/staff/not-an-id/settings", json!({"backup_id": null, "away": true}), &admin);
    assert_eq!(bad_id.error_code(400), "bad_id");
}

#[test]
fn front_desk_lookup_shows_full_data_and_is_audited() {
    let window = sign_in("window.putuo", DEMO_PASSWORD);
    let reason = unique("核验身份 ");
    let r = post("/api/v1/people/lookup", json!({"id_number": "11010519491231002x", "reason": reason}), &window);
    assert_eq!(r.status, 200, "{}", r.body);
    assert_eq!(r.json()["id_number"], "11010519491231002X");
    assert_eq!(r.json()["mobile"], "13800138000");
    assert_eq!(r.json()["name"], "张伟");

    assert_eq!(post("/api/v1/people/lookup", json!({"id_number": "11010519491231002X", "reason": ""}), &window).error_code(400), "reason_required");
    assert_eq!(post("/api/v1/people/lookup", json!({"id_number": "310101199001011237", "reason": "核验"}), &window).status / 100, 4);

    let entry_for = |cookie: &str| {
        let list = get_with("/api/v1/audit", &[("Cookie", cookie)]);
        assert_eq!(list.status, 200, "{}", list.body);
        list.json().as_array().unwrap().iter().find(|e| e["reason"] == reason.as_str()).cloned()
    };
    let e = entry_for(&sign_in("admin.putuo", DEMO_PASSWORD)).expect("the look-up is in the center admin's audit log");
    assert_eq!(e["actor_login"], "window.putuo");
    assert_eq!(e["action"], "view_person");
    assert_eq!(e["subject"], "张* 1101**********002X", "admins see whom only masked");
    assert!(entry_for(&sign_in("admin.district", DEMO_PASSWORD)).is_some());
    assert!(entry_for(&sign_in("admin.wanli", DEMO_PASSWORD)).is_none(), "another center's admin does not see it");
}

#[test]
fn unknown_person_gives_404_and_no_audit_record() {
    let window = sign_in("window.wanli", DEMO_PASSWORD);
    let reason = unique("查无此人 ");
    let first17 = "31010719800101999";
    let id = format!("{first17}{}", tongban_shared::ids::resident_id_check(first17).unwrap());
    assert_eq!(post("/api/v1/people/lookup", json!({"id_number": id, "reason": reason}), &window).error_code(404), "person_not_found");
    let log = get_with("/api/v1/audit", &[("Cookie", &sign_in("admin.district", DEMO_PASSWORD))]).json();
    assert!(log.as_array().unwrap().iter().all(|e| e["reason"] != reason.as_str()));
}

/// Append-only is enforced by the database itself, not only by the absence of routes.
#[test]
fn the_audit_log_cannot_be_changed_even_with_sql() {
    for sql in ["DELETE FROM audit_log", "UPDATE audit_log SET reason = 'x'"] {
        let (ok, text) = tongban_tests::d1_try(sql);
        assert!(!ok && text.contains("append-only"), "{sql} was not refused: {text}");
    }
}

/// `cargo xtask bootstrap-admin` makes a first district admin that can sign in (here with the local keys).
#[test]
fn a_bootstrapped_admin_signs_in() {
    use std::io::Write;
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).parent().unwrap().to_path_buf();
    let vars = std::fs::read_to_string(root.join(".dev.vars")).unwrap();
    let var = |k: &str| vars.lines().find_map(|l| l.strip_prefix(k)?.strip_prefix('=')).unwrap().to_string();
    let login = unique("admin.boot");
    let mut child = std::process::Command::new(root.join("target/debug/xtask"))
        .args(["bootstrap-admin", "--login", &login, "--name", "郑华"])
        .env("DATA_KEYS", var("DATA_KEYS"))
        .env("LOOKUP_KEY", var("LOOKUP_KEY"))
        .env("PASSWORD_PEPPER", var("PASSWORD_PEPPER"))
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    child.stdin.take().unwrap().write_all("a long first password\n".as_bytes()).unwrap();
    let out = child.wait_with_output().unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stdout));
    tongban_tests::d1(&String::from_utf8(out.stdout).unwrap());
    let cookie = sign_in(&login, "a long first password");
    assert_eq!(get_with("/api/v1/me", &[("Cookie", &cookie)]).json()["role"], "district_admin");
    assert_eq!(get_with("/api/v1/staff", &[("Cookie", &cookie)]).status, 200);
}
