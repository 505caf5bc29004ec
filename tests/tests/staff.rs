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
    // The new post signs in with its own login; staff sessions are short and sliding: the server's idle
    // timer is 30 minutes ("remember me" does not lengthen it), the cookie lasts the 12-hour shift.
    let r =
        post_with("/api/v1/sessions", &json!({"login": login, "password": "first day at the window", "remember": true}).to_string(), &[("Origin", &base())]);
    assert_eq!(r.status, 200, "{}", r.body);
    assert!(r.header("set-cookie").unwrap().contains("Max-Age=43200"));
    let token = r.session_cookie().unwrap().split_once('=').unwrap().1.to_string();
    let row = &tongban_tests::d1_rows(&format!(
        "SELECT expires_at - created_at AS idle FROM sessions WHERE token_digest = '{}';",
        tongban_edge::crypto::token_digest(&token)
    ))[0];
    assert_eq!(row["idle"].as_i64(), Some(1800), "30 idle minutes on the server");
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

/// A new window-staff post of the district center, made by its center admin: (login, account id).
fn window_post(password: &str) -> (String, String) {
    let login = unique("window.life");
    let r = post(
        "/api/v1/staff",
        json!({"login": login, "name": "钱进", "role": "window_staff", "center_id": "putuo-district", "password": password}),
        &sign_in("admin.putuo", DEMO_PASSWORD),
    );
    assert_eq!(r.status, 201, "{}", r.body);
    (login, r.json()["id"].as_str().unwrap().to_string())
}

fn login(login: &str, password: &str) -> tongban_tests::Resp {
    post_with("/api/v1/sessions", &json!({"login": login, "password": password}).to_string(), &[("Origin", &base())])
}

fn audits(subject: &str, action: &str) -> u64 {
    tongban_tests::d1_rows(&format!("SELECT count(*) AS n FROM audit_log WHERE subject_id = '{subject}' AND action = '{action}';"))[0]["n"].as_u64().unwrap()
}

/// Issue 15 §3: disabling ends every session at once and refuses sign-in; enabling restores it; only the
/// post's admins may, never the post itself; each is audited.
#[test]
fn a_disabled_staff_account_is_signed_out_everywhere_and_cannot_sign_in() {
    let pw = "a window clerk's password";
    let (name, id) = window_post(pw);
    let (desk1, desk2) = (sign_in(&name, pw), sign_in(&name, pw));
    assert_eq!(get_with("/api/v1/me", &[("Cookie", &desk1)]).status, 200);
    let status = |who: &str, active: bool| post(&format!("/api/v1/staff/{id}/status"), json!({"active": active}), who);
    assert_eq!(status(&sign_in("admin.wanli", DEMO_PASSWORD), false).error_code(403), "forbidden", "another center's admin");
    assert_eq!(status(&desk1, false).error_code(403), "forbidden", "the post itself");
    let off = status(&sign_in("admin.putuo", DEMO_PASSWORD), false);
    assert_eq!((off.status, off.json()["active"].as_bool()), (200, Some(false)), "{}", off.body);
    for s in [&desk1, &desk2] {
        assert_eq!(get_with("/api/v1/me", &[("Cookie", s)]).error_code(401), "unauthenticated", "every session ended at once");
    }
    assert_eq!(login(&name, pw).error_code(403), "account_disabled");
    assert_eq!(login(&name, "not the password").error_code(401), "bad_credentials", "a wrong password learns nothing");
    assert_eq!(audits(&id, "disable_staff"), 1);
    assert_eq!(status(&sign_in("admin.district", DEMO_PASSWORD), true).json()["active"], true);
    assert_eq!(login(&name, pw).status, 200);
    assert_eq!(audits(&id, "enable_staff"), 1);
}

/// Issue 15 §3: an admin's reset gives a one-time temporary password; the old one and every session end;
/// signed in with it, nothing but changing it is allowed; audited.
#[test]
fn a_reset_password_is_temporary_and_must_be_changed_first() {
    let pw = "the clerk's first password";
    let (name, id) = window_post(pw);
    let before = sign_in(&name, pw);
    let admin = sign_in("admin.putuo", DEMO_PASSWORD);
    let reset = |typed: &str| post(&format!("/api/v1/staff/{id}/password-reset"), json!({"login": typed}), &admin);
    assert_eq!(reset("window.someone").error_code(400), "invalid_login", "the login typed again must match");
    let r = reset(&name);
    assert_eq!(r.status, 200, "{}", r.body);
    let temporary = r.json()["password"].as_str().unwrap().to_string();
    assert_eq!(r.header("cache-control"), Some("no-store"));
    assert_eq!(get_with("/api/v1/me", &[("Cookie", &before)]).status, 401, "sessions ended");
    assert_eq!(login(&name, pw).error_code(401), "bad_credentials", "the old password is gone");
    let first = login(&name, &temporary);
    assert_eq!((first.status, first.json()["must_change_password"].as_bool()), (200, Some(true)));
    let cookie = first.session_cookie().unwrap();
    assert_eq!(get_with("/api/v1/desk/applications", &[("Cookie", &cookie)]).error_code(403), "password_change_required");
    assert_eq!(get_with("/api/v1/me", &[("Cookie", &cookie)]).status, 200, "who one is may be read");
    let change = post("/api/v1/me/password", json!({"current_password": temporary, "new_password": "a password of my own"}), &cookie);
    assert_eq!(change.status, 204, "{}", change.body);
    let now = sign_in(&name, "a password of my own");
    assert_eq!(get_with("/api/v1/desk/applications", &[("Cookie", &now)]).status, 200);
    assert_eq!(get_with("/api/v1/me", &[("Cookie", &now)]).json()["must_change_password"], false);
    assert_eq!(audits(&id, "reset_password"), 1);
}

/// Issue 15 §3: a staff session ends 12 hours after sign-in however active, and its idle timer is renewed
/// only by the person's own requests, at most once a minute: a page's background refresh renews nothing.
#[test]
fn staff_sessions_end_by_the_clock_and_by_inactivity_not_by_background_refreshes() {
    use tongban_tests::{d1, d1_rows, epoch};
    let pw = "a clerk's password for sessions";
    let (name, _) = window_post(pw);
    let signed = login(&name, pw);
    assert!(signed.header("set-cookie").unwrap().contains("Max-Age=43200"), "the cookie lasts the shift; the server keeps the idle timer");
    let cookie = sign_in(&name, pw);
    let token = cookie.split_once('=').unwrap().1.to_string();
    let digest = tongban_edge::crypto::token_digest(&token);
    let expiry = || d1_rows(&format!("SELECT expires_at FROM sessions WHERE token_digest = '{digest}';"))[0]["expires_at"].as_i64().unwrap();
    let path = "/api/v1/centers/putuo-district/windows/1";
    // Five minutes from its idle end: a background refresh does not move it; the person's own read does.
    d1(&format!("UPDATE sessions SET expires_at = {} WHERE token_digest = '{digest}';", epoch() + 300));
    let near = expiry();
    assert_eq!(get_with(path, &[("Cookie", &cookie), ("X-Background", "1")]).status, 200);
    assert_eq!(expiry(), near, "a background refresh renews nothing");
    assert_eq!(get_with(path, &[("Cookie", &cookie)]).status, 200);
    let renewed = expiry();
    assert!(renewed >= epoch() + 1700, "the person's own request renewed the idle timer: {renewed}");
    assert_eq!(get_with(path, &[("Cookie", &cookie)]).status, 200);
    assert_eq!(expiry(), renewed, "within the minute, no second write");
    // Idle past its end: gone, whatever a background refresh asks.
    d1(&format!("UPDATE sessions SET expires_at = {} WHERE token_digest = '{digest}';", epoch() - 1));
    assert_eq!(get_with(path, &[("Cookie", &cookie), ("X-Background", "1")]).error_code(401), "unauthenticated");
    // 12 hours after sign-in: gone, however recently it was used.
    let other = sign_in(&name, pw);
    let d2 = tongban_edge::crypto::token_digest(other.split_once('=').unwrap().1);
    d1(&format!("UPDATE sessions SET created_at = {}, expires_at = {} WHERE token_digest = '{d2}';", epoch() - 12 * 3600 - 5, epoch() + 1200));
    assert_eq!(get_with(path, &[("Cookie", &other)]).error_code(401), "unauthenticated");
}
