//! 好差评 on real workerd: who may review which service and when, one review per service, a bad review's
//! work order through every path (fixed, not fixed, invalid and appealed, extensions), concurrency, rate
//! limits, and the public appraisal (numbers against a hand-computed fixture, open data, cache, and no
//! personal data in public output).
//!
//! Services are made two ways: the real hall flow (a walk-in at 石泉路's A line, called and finished by a
//! window) and fixture rows for states the clock cannot reach in a test (finished 8 days ago, last
//! January). Fixture tickets use their own day numbers, far from any live ones.

use serde_json::{json, Value};
use std::sync::Arc;
use tongban_tests::{base, d1, d1_rows, epoch, get, get_with, new_staff, post_with, register_resident, sign_in, unique, Resp, DEMO_PASSWORD};

const CENTER: &str = "putuo-district";
const ITEM: &str = "scjg-company-setup"; // 市场监管局: approver.scjg is responsible

fn fixture_code() -> String {
    let u = unique("c");
    let h = tongban_shared::etag::fnv1a64(u.as_bytes()).to_be_bytes();
    tongban_shared::review::review_code(&h)
}

fn hex_id() -> String {
    let u = unique("t");
    format!("{:016x}{:016x}", tongban_shared::etag::fnv1a64(u.as_bytes()), tongban_shared::etag::fnv1a64(format!("{u}#").as_bytes()))
}

/// A service at `center` (A line, window 1, item `item`) in `state`, finished `ago` seconds ago, booked by
/// `account` if given. Returns (ticket id, review code).
fn served(account: Option<&str>, center: &str, item: &str, state: &str, ago: i64) -> (String, String) {
    let (tid, code, sql) = served_sql(account, center, item, state, ago);
    d1(&sql);
    (tid, code)
}

/// The rows of [`served`], to write with others in one go.
fn served_sql(account: Option<&str>, center: &str, item: &str, state: &str, ago: i64) -> (String, String, String) {
    let (tid, code) = (hex_id(), fixture_code());
    let finished = epoch() - ago;
    let seq = 500_000 + (tongban_shared::etag::fnv1a64(tid.as_bytes()) % 400_000);
    let mut sql = String::new();
    let booking = match account {
        Some(a) => {
            let (bid, slot) = (hex_id(), format!("fixture-{tid}"));
            sql.push_str(&format!(
                "INSERT INTO slots (id, class_id, date, start, capacity, booked) VALUES ('{slot}', '{center}-a', '2000-01-01', '09:00', 1, 1);\n\
                 INSERT INTO bookings (id, code, account_id, item_id, center_id, slot_id, date, start, state, idem_key, created_at, updated_at) \
                 VALUES ('{bid}', '{}', '{a}', '{item}', '{center}', '{slot}', '2000-01-01', '09:00', 'done', '{bid}', 0, 0);\n",
                &bid[..10]
            ));
            format!("'{bid}'")
        }
        None => "NULL".into(),
    };
    let done = state == "done";
    sql.push_str(&format!(
        "INSERT INTO tickets (id, center_id, class_id, day, seq, number, origin, booking_id, state, window_no, created_at, called_at, started_at, finished_at, outcome, review_code, item_id) \
         VALUES ('{tid}', '{center}', '{center}-a', '2000-01-01', {seq}, 'A{seq}', '{}', {booking}, '{state}', 1, {c}, {c}, {c}, {f}, {o}, '{code}', '{item}');\n",
        if account.is_some() { "booking" } else { "walk_in" },
        c = finished - 600,
        f = if done { finished.to_string() } else { "NULL".into() },
        o = if done { "'on_the_spot'" } else { "NULL" },
    ));
    (tid, code, sql)
}

fn review(cookie: Option<&str>, body: Value) -> Resp {
    let origin = base();
    let mut h: Vec<(&str, &str)> = vec![("Origin", &origin)];
    if let Some(c) = cookie {
        h.push(("Cookie", c));
    }
    post_with("/api/v1/reviews", &body.to_string(), &h)
}

fn good(ticket: &str) -> Value {
    json!({"ticket": ticket, "level": 5, "scores": {"efficiency": 5, "competence": 5, "attitude": 4}, "channel": "web"})
}

fn bad(ticket: &str, text: &str) -> Value {
    json!({"ticket": ticket, "level": 1, "scores": {"efficiency": 1, "competence": 2, "attitude": 1}, "reason": "attitude", "text": text, "channel": "mobile"})
}

fn act(cookie: &str, order: &str, body: Value) -> Resp {
    post_with(&format!("/api/v1/work-orders/{order}/actions"), &body.to_string(), &[("Origin", &base()), ("Cookie", cookie)])
}

fn reviews_of(ticket: &str) -> u64 {
    d1_rows(&format!("SELECT count(*) AS n FROM reviews WHERE event_id = '{ticket}';"))[0]["n"].as_u64().unwrap()
}

#[test]
fn a_walk_in_reviews_the_finished_service_with_the_code_on_the_ticket() {
    let center = "shiquan-road";
    let staff = new_staff("window_staff", center);
    let t = post_with(&format!("/api/v1/centers/{center}/tickets?class={center}-a"), "", &[("Origin", &base())]);
    assert_eq!(t.status, 201, "{}", t.body);
    let t = t.json();
    let code = t["review_code"].as_str().expect("the ticket carries its review code").to_string();
    assert_eq!(code.len(), 8);
    let id = t["id"].as_str().unwrap().to_string();
    // Not finished yet: the code names the service, but it cannot be reviewed.
    let early = review(None, json!({"code": code, "level": 5, "scores": {"efficiency": 5, "competence": 5, "attitude": 5}, "channel": "kiosk"}));
    assert_eq!(early.error_code(409), "service_not_finished");
    // The window calls (until it gets this ticket: other tickets of the line may be ahead), starts, finishes.
    let h = [("Origin", base()), ("Cookie", staff.clone())];
    let h: Vec<(&str, &str)> = h.iter().map(|(k, v)| (*k, v.as_str())).collect();
    for _ in 0..50 {
        let c = post_with(&format!("/api/v1/centers/{center}/windows/1/call"), "", &h);
        assert_eq!(c.status, 200, "{}", c.body);
        let called = c.json()["ticket"]["number"].clone();
        assert!(!called.is_null(), "our ticket was never called");
        let start = post_with(&format!("/api/v1/centers/{center}/windows/1/ticket"), &json!({"action": "start"}).to_string(), &h);
        assert_eq!(start.status, 200, "{}", start.body);
        let fin = post_with(
            &format!("/api/v1/centers/{center}/windows/1/ticket"),
            &json!({"action": "finish", "outcome": "on_the_spot", "item": ITEM}).to_string(),
            &h,
        );
        assert_eq!(fin.status, 200, "{}", fin.body);
        if called == t["number"] {
            break;
        }
    }
    let now = get(&format!("/api/v1/tickets/{id}")).json();
    assert_eq!((now["state"].as_str(), now["reviewed"].as_bool()), (Some("done"), Some(false)));
    let target = get(&format!("/api/v1/reviews/target?code={}", code.to_lowercase())).json();
    assert_eq!((target["id"].as_str(), target["reviewed"].as_bool()), (Some(id.as_str()), Some(false)));
    // Without an account the code is enough; the review is anonymous.
    let r =
        review(None, json!({"code": code, "level": 4, "scores": {"efficiency": 4, "competence": 5, "attitude": 4}, "channel": "window_qr", "text": "很快"}));
    assert_eq!(r.status, 201, "{}", r.body);
    assert!(r.json()["work_order"].is_null(), "a good review opens no work order");
    let row = &d1_rows(&format!("SELECT anonymous, account_id, level, channel, dept_id, item_id FROM reviews WHERE event_id = '{id}';"))[0];
    assert_eq!((row["anonymous"].as_u64(), row["account_id"].is_null(), row["level"].as_u64()), (Some(1), true, Some(4)));
    assert_eq!(
        (row["channel"].as_str(), row["dept_id"].as_str(), row["item_id"].as_str()),
        (Some("window_qr"), Some("scjg"), Some(ITEM)),
        "the item staff recorded decides the department"
    );
    // 一次一评.
    let again = review(None, json!({"code": code, "level": 5, "scores": {"efficiency": 5, "competence": 5, "attitude": 5}, "channel": "web"}));
    assert_eq!(again.error_code(409), "already_reviewed");
    assert_eq!(get(&format!("/api/v1/tickets/{id}")).json()["reviewed"], true);
}

#[test]
fn eligibility_refusals_each_with_their_code_and_nothing_written() {
    let (me, my_id, _) = register_resident();
    let (other, _, _) = register_resident();
    let (open, _) = served(Some(&my_id), CENTER, ITEM, "serving", 0);
    assert_eq!(review(Some(&me), good(&open)).error_code(409), "service_not_finished");
    let (old, _) = served(Some(&my_id), CENTER, ITEM, "done", 8 * 24 * 3600);
    assert_eq!(review(Some(&me), good(&old)).error_code(409), "review_closed", "more than 7 days after the service");
    let (mine, _) = served(Some(&my_id), CENTER, ITEM, "done", 3600);
    assert_eq!(review(Some(&other), good(&mine)).error_code(403), "not_your_service");
    assert_eq!(review(None, good(&mine)).error_code(401), "unauthenticated", "a ticket id alone is not enough without the code");
    let staff = sign_in("window.putuo", DEMO_PASSWORD);
    assert_eq!(review(Some(&staff), good(&mine)).error_code(403), "not_your_service");
    // Bad input: 400 with the field, nothing written.
    let mut no_reason = bad(&mine, "窗口人员不耐烦");
    no_reason["reason"] = Value::Null;
    let r = review(Some(&me), no_reason);
    assert_eq!((r.error_code(400).as_str(), r.json()["error"]["field"].as_str()), ("reason_category_required", Some("reason")));
    assert_eq!(review(Some(&me), bad(&mine, "差")).error_code(400), "review_text_required");
    let mut missing = good(&mine);
    missing["scores"] = json!({"efficiency": 5});
    assert_eq!(review(Some(&me), missing.clone()).json()["error"]["field"], "competence");
    missing["scores"] = json!({"efficiency": 5, "competence": 5, "attitude": 5, "ease_of_use": 5});
    assert_eq!(review(Some(&me), missing).json()["error"]["field"], "ease_of_use", "online indicators are not asked of a window visit");
    assert_eq!(review(Some(&me), json!({"code": "0OIL1111", "level": 5, "channel": "web"})).error_code(400), "invalid_review_code");
    assert_eq!(
        review(Some(&me), json!({"code": "ZZZZZZZZ", "level": 5, "scores": {"efficiency": 5, "competence": 5, "attitude": 5}, "channel": "web"}))
            .error_code(404),
        "review_not_found"
    );
    assert_eq!(review(Some(&me), json!({"ticket": mine, "level": 5, "channel": "fax"})).error_code(400), "malformed_json");
    assert_eq!(reviews_of(&mine), 0);
    // And then the real one.
    assert_eq!(review(Some(&me), good(&mine)).status, 201);
    assert_eq!(review(Some(&me), good(&mine)).error_code(409), "already_reviewed");
    assert_eq!(reviews_of(&mine), 1);
    // "My reviews" lists it, and no longer offers the service for review.
    let list = get_with("/api/v1/reviews/mine", &[("Cookie", &me)]).json();
    assert!(list["reviews"].as_array().unwrap().iter().any(|r| r["service"]["id"] == mine.as_str()));
    assert!(!list["pending"].as_array().unwrap().iter().any(|t| t["id"] == mine.as_str()));
}

#[test]
fn two_reviews_of_one_service_at_once_make_one() {
    let (me, my_id, _) = register_resident();
    let (t, _) = served(Some(&my_id), CENTER, ITEM, "done", 60);
    let me = Arc::new(me);
    let handles: Vec<_> = (0..8)
        .map(|i| {
            let (me, t) = (me.clone(), t.clone());
            std::thread::spawn(move || {
                let mut b = bad(&t, "等了很久没人处理");
                if i % 2 == 0 {
                    b = good(&t);
                }
                review(Some(&me), b).status
            })
        })
        .collect();
    let statuses: Vec<u16> = handles.into_iter().map(|h| h.join().unwrap()).collect();
    assert_eq!(statuses.iter().filter(|s| **s == 201).count(), 1, "{statuses:?}");
    assert!(statuses.iter().all(|s| *s == 201 || *s == 409), "{statuses:?}");
    assert_eq!(reviews_of(&t), 1);
    let orders =
        d1_rows(&format!("SELECT count(*) AS n FROM work_orders o JOIN reviews r ON r.id = o.review_id WHERE r.event_id = '{t}';"))[0]["n"].as_u64().unwrap();
    let level = d1_rows(&format!("SELECT level FROM reviews WHERE event_id = '{t}';"))[0]["level"].as_u64().unwrap();
    assert_eq!(orders, u64::from(level <= 2), "a work order exactly when the review that won is bad");
}

/// A real-name bad review of an scjg service, and its work order id.
fn bad_review(text: &str) -> (String, String, String) {
    let (me, my_id, _) = register_resident();
    let (t, _) = served(Some(&my_id), CENTER, ITEM, "done", 600);
    let r = review(Some(&me), bad(&t, text));
    assert_eq!(r.status, 201, "{}", r.body);
    let order = r.json()["work_order"].as_str().expect("a bad review opens a work order").to_string();
    (me, order, t)
}

fn order(cookie: &str, id: &str) -> Value {
    let r = get_with(&format!("/api/v1/work-orders/{id}"), &[("Cookie", cookie)]);
    assert_eq!(r.status, 200, "{}", r.body);
    r.json()
}

#[test]
fn the_full_loop_to_closed_with_extension_and_a_reopening() {
    let (me, id, _) = bad_review("窗口人员态度恶劣，多次催促");
    let approver = sign_in("approver.scjg", DEMO_PASSWORD);
    let other_dept = sign_in("approver.rsj", DEMO_PASSWORD);
    let admin = sign_in("admin.putuo", DEMO_PASSWORD);
    let o = order(&approver, &id);
    assert_eq!(o["summary"]["state"], "verifying");
    assert_eq!(o["actions"], json!(["validate", "request_invalid"]));
    assert!(o["reviewer"].as_str().unwrap().contains('*'), "staff see the real-name reviewer masked: {}", o["reviewer"]);
    let deadline = o["summary"]["deadline"].as_str().unwrap().to_string();
    // Listed for the department, not for another one.
    assert!(get_with("/api/v1/work-orders", &[("Cookie", &approver)]).json()["orders"].as_array().unwrap().iter().any(|x| x["id"] == id.as_str()));
    assert!(!get_with("/api/v1/work-orders", &[("Cookie", &other_dept)]).json()["orders"].as_array().unwrap().iter().any(|x| x["id"] == id.as_str()));
    assert_eq!(get_with(&format!("/api/v1/work-orders/{id}"), &[("Cookie", &other_dept)]).status, 403);
    assert_eq!(act(&other_dept, &id, json!({"action": "validate", "note": ""})).error_code(403), "forbidden");
    assert_eq!(act(&approver, &id, json!({"action": "rectify", "note": "已整改"})).error_code(409), "invalid_transition");
    assert_eq!(act(&approver, &id, json!({"action": "validate", "note": ""})).status, 200);
    // One extension, at most 15 working days, approved by the center admin.
    assert_eq!(act(&approver, &id, json!({"action": "request_extension", "days": 16, "note": "需跨部门协调"})).error_code(400), "extension_too_long");
    assert_eq!(act(&approver, &id, json!({"action": "request_extension", "days": 5, "note": "需跨部门协调"})).status, 200);
    assert_eq!(act(&approver, &id, json!({"action": "approve_extension", "note": ""})).error_code(403), "forbidden");
    let o = act(&admin, &id, json!({"action": "approve_extension", "note": "同意"}));
    assert_eq!(o.status, 200, "{}", o.body);
    let o = o.json();
    assert!(o["summary"]["deadline"].as_str().unwrap() > deadline.as_str(), "extended: {} → {}", deadline, o["summary"]["deadline"]);
    assert_eq!(o["extended"], true);
    assert_eq!(act(&approver, &id, json!({"action": "request_extension", "days": 3, "note": "再延"})).error_code(409), "invalid_transition");
    assert_eq!(act(&approver, &id, json!({"action": "rectify", "note": "已约谈当事人并培训"})).json()["summary"]["state"], "rectified");
    // The reviewer is told, and rates the fix: not satisfied reopens once.
    let inbox = get_with("/api/v1/notifications", &[("Cookie", &me)]).json();
    assert!(inbox["items"].as_array().unwrap().iter().any(|n| n["kind"] == "order_update" && n["message"]["url"] == "/reviews"), "{inbox}");
    assert_eq!(act(&approver, &id, json!({"action": "callback", "satisfied": true})).error_code(403), "forbidden", "only the reviewer rates the fix");
    assert_eq!(act(&me, &id, json!({"action": "callback", "satisfied": false})).json()["summary"]["state"], "rectifying");
    assert_eq!(act(&approver, &id, json!({"action": "rectify", "note": "调整窗口人员并回访"})).status, 200);
    let done = act(&me, &id, json!({"action": "callback", "satisfied": true})).json();
    assert_eq!((done["summary"]["state"].as_str(), done["summary"]["outcome"].as_str()), (Some("closed"), Some("fixed")));
    // Every step on the record: opened, validate, extension asked and approved, rectify, callback, rectify, callback.
    let steps: Vec<&str> = done["history"].as_array().unwrap().iter().map(|e| e["action"].as_str().unwrap()).collect();
    assert_eq!(steps, vec!["opened", "validate", "request_extension", "approve_extension", "rectify", "callback", "rectify", "callback"]);
    assert_eq!(act(&approver, &id, json!({"action": "rectify", "note": "再来"})).error_code(409), "invalid_transition");
    // What the reviewer sees.
    let mine = get_with("/api/v1/reviews/mine", &[("Cookie", &me)]).json();
    assert_eq!(mine["reviews"][0]["order"]["summary"]["outcome"], "fixed");
}

#[test]
fn closed_not_fixed_is_its_own_end() {
    let (me, id, _) = bad_review("要求提供指南以外的材料");
    let approver = sign_in("approver.scjg", DEMO_PASSWORD);
    for _ in 0..2 {
        assert_eq!(
            act(
                &approver,
                &id,
                json!({"action": if order(&approver, &id)["summary"]["state"] == "verifying" { "validate" } else { "rectify" }, "note": "已处理"})
            )
            .status,
            200
        );
        if order(&approver, &id)["summary"]["state"] == "rectifying" {
            assert_eq!(act(&approver, &id, json!({"action": "rectify", "note": "已处理"})).status, 200);
        }
        assert_eq!(act(&me, &id, json!({"action": "callback", "satisfied": false})).status, 200);
    }
    let o = order(&me, &id);
    assert_eq!((o["summary"]["state"].as_str(), o["summary"]["outcome"].as_str()), (Some("closed"), Some("not_fixed")));
    // And by the center admin's decision.
    let (_, id2, _) = bad_review("办事指南写的和窗口说的不一致");
    let admin = sign_in("admin.putuo", DEMO_PASSWORD);
    assert_eq!(act(&approver, &id2, json!({"action": "validate", "note": ""})).status, 200);
    assert_eq!(act(&admin, &id2, json!({"action": "close_unfixed", "note": ""})).error_code(400), "note_required");
    let o = act(&admin, &id2, json!({"action": "close_unfixed", "note": "涉及上级系统，无法在本中心整改"})).json();
    assert_eq!(o["summary"]["outcome"], "not_fixed");
    let row = &d1_rows(&format!("SELECT valid, state, outcome FROM work_orders WHERE id = '{id2}';"))[0];
    assert_eq!((row["valid"].as_u64(), row["outcome"].as_str()), (Some(1), Some("not_fixed")));
}

#[test]
fn invalid_needs_approval_and_the_reviewer_may_appeal_once() {
    let (me, id, _) = bad_review("工作人员故意刁难我");
    let approver = sign_in("approver.scjg", DEMO_PASSWORD);
    let admin = sign_in("admin.putuo", DEMO_PASSWORD);
    let other_admin = sign_in("admin.wanli", DEMO_PASSWORD);
    let district = sign_in("admin.district", DEMO_PASSWORD);
    assert_eq!(act(&approver, &id, json!({"action": "request_invalid", "note": "经核实非本窗口办理"})).status, 200);
    assert_eq!(act(&approver, &id, json!({"action": "approve_invalid", "note": "同意"})).error_code(403), "forbidden");
    assert_eq!(act(&other_admin, &id, json!({"action": "approve_invalid", "note": "同意"})).error_code(403), "forbidden", "another center's admin");
    assert_eq!(act(&admin, &id, json!({"action": "approve_invalid", "note": "同意认定无效"})).json()["summary"]["state"], "invalid");
    assert_eq!(act(&me, &id, json!({"action": "appeal", "note": "确有此事，有录音"})).json()["summary"]["state"], "appealed");
    // The district admin sees the appeal and decides; a center admin may not.
    let list = get_with("/api/v1/work-orders?state=appealed", &[("Cookie", &district)]).json();
    assert!(list["orders"].as_array().unwrap().iter().any(|o| o["id"] == id.as_str()));
    assert_eq!(act(&admin, &id, json!({"action": "uphold_appeal", "note": "成立"})).error_code(403), "forbidden");
    assert_eq!(act(&district, &id, json!({"action": "uphold_appeal", "note": "申诉成立，须整改"})).json()["summary"]["state"], "rectifying");
    assert_eq!(act(&me, &id, json!({"action": "appeal", "note": "再申诉"})).error_code(409), "invalid_transition");
    assert_eq!(get_with("/api/v1/work-orders?state=nope", &[("Cookie", &district)]).error_code(400), "unknown_filter");
}

#[test]
fn ten_presses_on_one_order_change_it_once() {
    let (_, id, _) = bad_review("等候两个小时无人理会");
    let approver = Arc::new(sign_in("approver.scjg", DEMO_PASSWORD));
    let handles: Vec<_> = (0..10)
        .map(|_| {
            let (a, id) = (approver.clone(), id.clone());
            std::thread::spawn(move || act(&a, &id, json!({"action": "validate", "note": ""})).status)
        })
        .collect();
    let statuses: Vec<u16> = handles.into_iter().map(|h| h.join().unwrap()).collect();
    assert_eq!(statuses.iter().filter(|s| **s == 200).count(), 1, "{statuses:?}");
    assert!(statuses.iter().all(|s| *s == 200 || *s == 409), "{statuses:?}");
    let n = d1_rows(&format!("SELECT count(*) AS n FROM work_order_events WHERE order_id = '{id}' AND action = 'validate';"))[0]["n"].as_u64().unwrap();
    assert_eq!(n, 1);
}

#[test]
fn markup_in_a_review_is_stored_and_returned_as_text() {
    let xss = "<script>alert(1)</script><img src=x onerror=alert(2)> 态度差";
    let (_, id, _) = bad_review(xss);
    let approver = sign_in("approver.scjg", DEMO_PASSWORD);
    let r = get_with(&format!("/api/v1/work-orders/{id}"), &[("Cookie", &approver)]);
    assert!(r.header("content-type").unwrap_or_default().starts_with("application/json"));
    assert_eq!(r.json()["review"]["text"], xss, "verbatim, for the app to show as text");
}

#[test]
fn one_account_may_not_flood_reviews() {
    let (me, my_id, _) = register_resident();
    let statuses: Vec<u16> = (0..6)
        .map(|_| {
            let (t, _) = served(Some(&my_id), CENTER, ITEM, "done", 60);
            review(Some(&me), good(&t)).status
        })
        .collect();
    assert_eq!(statuses, vec![201, 201, 201, 201, 201, 429]);
}

#[test]
fn staff_appraisal_is_for_the_staff_member_and_their_admins() {
    let id = tongban_shared::account::seed_account_id("window.putuo");
    let path = format!("/api/v1/staff/{id}/appraisal");
    let own = get_with(&path, &[("Cookie", &sign_in("window.putuo", DEMO_PASSWORD))]);
    assert_eq!(own.status, 200, "{}", own.body);
    let a = own.json();
    assert_eq!(a["months"].as_array().unwrap().len(), 12);
    assert!(a["total"]["tally"]["reviews"].as_u64().unwrap() > 0, "the demo data reviews 王芳's services");
    assert_eq!(get_with(&path, &[("Cookie", &sign_in("admin.putuo", DEMO_PASSWORD))]).status, 200);
    assert_eq!(get_with(&path, &[("Cookie", &sign_in("window.putuo2", DEMO_PASSWORD))]).status, 403);
    assert_eq!(get_with(&path, &[("Cookie", &sign_in("admin.wanli", DEMO_PASSWORD))]).status, 403);
}

/// A center of its own with a hand-counted month, January 2026: 4 finished services (3 on the spot) and
/// one still waiting; 4 reviews (levels 5, 4, 1, 2); the level-1 one real-name, verified and rectified
/// (awaiting the callback); the level-2 one anonymous and still waiting for verification past its
/// deadline.
fn fixture_center() -> String {
    let c = unique("dash-").replace('_', "-");
    let (_, acct, _) = register_resident();
    // 2026-01-15 10:00 Beijing.
    let t0 = 1_768_442_400i64;
    let mut sql = format!(
        "INSERT INTO centers (id, kind, name_zh, name_en, area_zh, area_en, address_zh, address_en, phone, hours_json) VALUES ('{c}', 'community', '测试中心', 'Test center', '测试', 'Test', '测试路', 'Test Rd', '021', '[]');\n\
         INSERT INTO window_classes (id, center_id, prefix, name_zh, name_en, open_windows, avg_minutes) VALUES ('{c}-a', '{c}', 'A', '综合', 'Any', 1, 10);\n\
         INSERT INTO windows (id, center_id, number, class, label_zh, label_en) VALUES ('{c}-w1', '{c}', 1, 'any', '综合', 'Any');\n"
    );
    for i in 1..=5 {
        let state = if i == 5 { "waiting" } else { "done" };
        let outcome = if i <= 3 {
            "'on_the_spot'"
        } else if i == 4 {
            "'back_office'"
        } else {
            "NULL"
        };
        let fin = if i == 5 { "NULL".to_string() } else { (t0 + i * 1200).to_string() };
        sql.push_str(&format!(
            "INSERT INTO tickets (id, center_id, class_id, day, seq, number, origin, state, window_no, created_at, called_at, started_at, finished_at, outcome, item_id) \
             VALUES ('{c}-t{i}', '{c}', '{c}-a', '2026-01-15', {i}, 'A00{i}', 'walk_in', '{state}', 1, {t}, {called}, {t}, {fin}, {outcome}, '{ITEM}');\n",
            t = t0 + i * 1200 - 900,
            called = t0 + i * 1200 - 600,
        ));
    }
    let reviews = [(1, 5, "NULL", 1), (2, 4, "NULL", 1), (3, 1, &format!("'{acct}'")[..], 0), (4, 2, "NULL", 1)];
    for (i, level, account, anon) in reviews {
        sql.push_str(&format!(
            "INSERT INTO reviews (id, event_kind, event_id, account_id, anonymous, level, s_efficiency, s_competence, s_attitude, reason, text, channel, client, center_id, dept_id, window_id, item_id, month, finished_at, created_at) \
             VALUES ('{c}-r{i}', 'ticket', '{c}-t{i}', {account}, {anon}, {level}, {level}, {level}, {level}, {}, {}, 'web', 'fixture', '{c}', 'scjg', '{c}-w1', '{ITEM}', '2026-01', {f}, {f});\n",
            if level <= 2 { "'attitude'" } else { "NULL" },
            if level <= 2 { "'DASH-PRIVATE-TEXT 态度不好'" } else { "''" },
            f = t0 + i * 1200,
        ));
    }
    sql.push_str(&format!(
        "INSERT INTO work_orders (id, review_id, center_id, dept_id, window_id, state, real_name, valid, deadline, rectification, created_at, updated_at) VALUES ('{c}-o3', '{c}-r3', '{c}', 'scjg', '{c}-w1', 'rectified', 1, 1, '2026-02-05', '已整改', {t0}, {t0});\n\
         INSERT INTO work_orders (id, review_id, center_id, dept_id, window_id, state, real_name, valid, deadline, created_at, updated_at) VALUES ('{c}-o4', '{c}-r4', '{c}', 'scjg', '{c}-w1', 'verifying', 0, NULL, '2026-02-05', {t0}, {t0});\n"
    ));
    d1(&sql);
    c
}

#[test]
fn the_dashboard_matches_a_hand_count_and_is_cached_until_reviews_change() {
    let c = fixture_center();
    let path = format!("/api/v1/dashboard?center={c}&month=2026-01");
    let first = get(&path);
    assert_eq!(first.status, 200, "{}", first.body);
    let d = first.json();
    let t = &d["total"];
    assert_eq!(d["period"], json!(["2026-01"]));
    assert_eq!(t["tally"]["services"], 4, "finished tickets only");
    assert_eq!(t["tally"]["on_the_spot"], 3);
    assert_eq!(t["tally"]["reviews"], 4);
    assert_eq!(t["evaluation_rate"], 100.0);
    assert_eq!(t["tally"]["good"], 2);
    assert_eq!(t["good_rate"], 50.0);
    assert_eq!(t["tally"]["bad"], 2);
    assert_eq!(t["tally"]["valid_bad"], 1, "the unverified one is not (yet) valid");
    assert_eq!(t["rectification_rate"], 100.0);
    assert_eq!(t["tally"]["real_name_bad"], 1);
    assert_eq!(t["callback_rate"], 0.0, "rectified but not yet called back");
    assert_eq!(t["tally"]["overdue"], 1);
    assert_eq!(t["on_the_spot_rate"], 75.0);
    // Waits are 5 minutes each (called 10 min before finishing, created 15 before).
    assert_eq!(t["avg_wait_minutes"], 5.0);
    let overall = t["satisfaction"].as_array().unwrap().iter().find(|s| s["indicator"] == "overall").unwrap();
    assert_eq!(overall["avg"], 3.0, "(5+4+1+2)/4");
    // The trend ends with the month; rankings name the window and department.
    assert_eq!(d["trend"].as_array().unwrap().last().unwrap()["month"], "2026-01");
    assert_eq!(d["trend"].as_array().unwrap().last().unwrap()["figures"]["tally"]["reviews"], 4);
    assert_eq!(d["windows"][0]["id"], format!("{c}-w1"));
    assert_eq!(d["windows"][0]["name"]["zh"], "测试中心 1 号窗口");
    assert_eq!(d["departments"][0]["id"], "scjg");
    assert!(d["targets"].as_array().unwrap().iter().any(|t| t["key"] == "callback" && t["goal"] == 100.0 && t["met"] == false));
    // Served from KV the second time, recomputed after any review change.
    assert_eq!(first.header("x-cache"), Some("miss"));
    assert_eq!(get(&path).header("x-cache"), Some("hit"));
    let (me, my_id, _) = register_resident();
    let (tk, _) = served(Some(&my_id), CENTER, ITEM, "done", 60);
    assert_eq!(review(Some(&me), good(&tk)).status, 201);
    assert_eq!(get(&path).header("x-cache"), Some("miss"));
    // Bad filters are 400s.
    assert_eq!(get("/api/v1/dashboard?month=2026-13").error_code(400), "invalid_parameter");
    assert_eq!(get("/api/v1/dashboard?center=%3Cscript%3E").error_code(400), "bad_id");
    // Filters name only what exists, and months the figures cover: random ones cannot bypass the cache.
    assert_eq!(get("/api/v1/dashboard?center=no-such-center").error_code(404), "center_not_found");
    assert_eq!(get("/api/v1/dashboard?dept=no-such-dept").error_code(404), "department_not_found");
    assert_eq!(get("/api/v1/dashboard?window=no-such-w1").error_code(404), "window_not_found");
    assert_eq!(get("/api/v1/open-data/reviews.json?item=no-such-item").error_code(404), "item_not_found");
    assert_eq!(get("/api/v1/open-data/reviews.csv?month=2019-01").error_code(400), "invalid_parameter");
    assert_eq!(get("/api/v1/dashboard?month=2099-01").error_code(400), "invalid_parameter");
}

#[test]
fn open_data_has_the_same_numbers_as_csv_and_json() {
    let c = fixture_center();
    let json = get(&format!("/api/v1/open-data/reviews.json?center={c}&month=2026-01&by=window"));
    assert_eq!(json.status, 200, "{}", json.body);
    let j = json.json();
    assert!(j["licence"].as_str().unwrap().starts_with("CC BY 4.0"));
    assert!(j["generated_at"].as_i64().unwrap() > 1_700_000_000);
    let rows = j["rows"].as_array().unwrap();
    assert_eq!(rows.len(), 1);
    assert_eq!(
        (rows[0]["id"].as_str(), rows[0]["services"].as_u64(), rows[0]["reviews"].as_u64(), rows[0]["good_rate"].as_f64()),
        (Some(format!("{c}-w1").as_str()), Some(4), Some(4), Some(50.0))
    );
    let csv = get(&format!("/api/v1/open-data/reviews.csv?center={c}&month=2026-01"));
    assert_eq!(csv.status, 200);
    assert!(csv.header("content-type").unwrap().starts_with("text/csv"));
    // RFC 4180 with a UTF-8 byte order mark (Excel on Chinese Windows), data rows only: the licence and
    // the JSON twin (with its generation time) are in the Link header (issue 16 §5; they were `#` lines).
    assert!(csv.body.starts_with('\u{feff}'), "{:?}", &csv.body[..10]);
    let lines: Vec<&str> = csv.body.trim_start_matches('\u{feff}').split_terminator("\r\n").collect();
    assert!(lines[0].starts_with("month,dimension,id,name_zh"), "{}", lines[0]);
    assert!(lines[1].starts_with(&format!("2026-01,center,{c},测试中心,Test center,4,4,100,2,50,2,1,1,100,0,0,0,1")), "{}", lines[1]);
    assert!(lines.iter().all(|l| !l.starts_with('#') && !l.contains('\n')));
    let link = csv.header("link").expect("Link header");
    assert!(link.contains("creativecommons.org/licenses/by/4.0") && link.contains("rel=\"license\"") && link.contains("reviews.json"), "{link}");
    assert_eq!(get("/api/v1/open-data/reviews.csv?by=person").error_code(400), "unknown_filter");
}

#[test]
fn no_personal_data_in_public_output() {
    let c = fixture_center();
    // A real-name and an anonymous reviewer with recognisable details.
    let (me, my_id, id_number) = register_resident();
    let (t, _) = served(Some(&my_id), CENTER, ITEM, "done", 60);
    let secret = unique("ANON-SECRET-");
    let mut b = bad(&t, &format!("{secret} 太慢了"));
    b["anonymous"] = json!(true);
    assert_eq!(review(Some(&me), b).status, 201);
    let mut public = String::new();
    for q in ["", &format!("?center={c}&month=2026-01"), &format!("?center={CENTER}")] {
        public.push_str(&get(&format!("/api/v1/dashboard{q}")).body);
        for by in ["center", "department", "window", "item"] {
            let sep = if q.is_empty() { "?" } else { "&" };
            public.push_str(&get(&format!("/api/v1/open-data/reviews.json{q}{sep}by={by}")).body);
            public.push_str(&get(&format!("/api/v1/open-data/reviews.csv{q}{sep}by={by}")).body);
        }
    }
    assert!(public.len() > 10_000, "the public output was fetched");
    for needle in
        [secret.as_str(), "DASH-PRIVATE-TEXT", "测试居民", id_number.as_str(), "13912345678", my_id.as_str(), "张伟", "李娜", "11010519491231002X", "account"]
    {
        assert!(!public.contains(needle), "public output contains {needle}");
    }
}

/// Issue 15 §1, as a clerk would try it: serve a walk-in at the window, read every answer the window
/// console and the hall get, and look for anything that would let the clerk rate that service. Nothing
/// a staff member reads carries the ticket's id or its review code, and the review stays the holder's.
#[test]
fn a_clerk_cannot_review_a_service_it_performed() {
    let center = "yichuan-road";
    let staff = new_staff("window_staff", center);
    let h = [("Origin", base()), ("Cookie", staff.clone())];
    let h: Vec<(&str, &str)> = h.iter().map(|(k, v)| (*k, v.as_str())).collect();
    // A resident takes a paper ticket at the kiosk: the slip carries the ticket's page (id) and its code.
    let slip = post_with(&format!("/api/v1/centers/{center}/tickets?class={center}-a"), "", &[("Origin", &base())]).json();
    let (id, code) = (slip["id"].as_str().unwrap().to_string(), slip["review_code"].as_str().unwrap().to_string());
    let mut seen = Vec::new();
    for _ in 0..60 {
        let c = post_with(&format!("/api/v1/centers/{center}/windows/1/call"), "", &h);
        assert_eq!(c.status, 200, "{}", c.body);
        seen.push(c.body.clone());
        let called = c.json()["ticket"]["number"].clone();
        assert!(!called.is_null(), "our ticket was never called");
        seen.push(get_with(&format!("/api/v1/centers/{center}/windows/1"), &[("Cookie", &staff)]).body);
        for action in [json!({"action": "start"}), json!({"action": "finish", "outcome": "on_the_spot", "item": ITEM})] {
            let r = post_with(&format!("/api/v1/centers/{center}/windows/1/ticket"), &action.to_string(), &h);
            assert_eq!(r.status, 200, "{}", r.body);
            seen.push(r.body);
        }
        if called == slip["number"] {
            break;
        }
    }
    let me = get_with("/api/v1/me", &[("Cookie", &staff)]).json();
    for path in [
        format!("/api/v1/centers/{center}/windows/1"),
        format!("/api/v1/centers/{center}/calls"),
        format!("/api/v1/centers/{center}/classes"),
        "/api/v1/work-orders".to_string(),
        format!("/api/v1/staff/{}/appraisal", me["id"].as_str().unwrap()),
        "/api/v1/notifications".to_string(),
        "/api/v1/reviews/mine".to_string(),
        "/api/v1/desk/applications".to_string(),
        format!("/api/v1/dashboard?center={center}"),
    ] {
        seen.push(get_with(&path, &[("Cookie", &staff)]).body);
    }
    for body in &seen {
        assert!(!body.contains(&id) && !body.contains(&code), "a staff answer carries the ticket's id or code: {body}");
    }
    // Signed in, staff review nobody's service; the slip's holder still can.
    assert_eq!(
        review(Some(&staff), json!({"code": code, "level": 5, "scores": {"efficiency": 5, "competence": 5, "attitude": 5}, "channel": "web"})).error_code(403),
        "forbidden"
    );
    assert_eq!(reviews_of(&id), 0);
    let holder = review(
        None,
        json!({"code": code, "level": 2, "scores": {"efficiency": 2, "competence": 2, "attitude": 2}, "reason": "efficiency", "text": "等了很久也没人理", "channel": "window_qr"}),
    );
    assert_eq!(holder.status, 201, "{}", holder.body);
}

/// A booked visit is reviewed by the booking's owner, signed in, and nobody else: its code is never handed
/// out (not on the ticket's page, not at the counter), and a code that leaked anyway is no use without
/// the owner's session.
#[test]
fn a_booked_visit_is_reviewed_only_by_its_owner_whatever_code_is_sent() {
    let (owner, owner_id, _) = register_resident();
    let (stranger, _, _) = register_resident();
    let (ticket, leaked) = served(Some(&owner_id), CENTER, ITEM, "done", 600);
    assert!(get(&format!("/api/v1/tickets/{ticket}")).json()["review_code"].is_null(), "the page of a booked visit shows no code");
    let by_code = |cookie: Option<&str>| {
        review(cookie, json!({"code": leaked, "level": 5, "scores": {"efficiency": 5, "competence": 5, "attitude": 5}, "channel": "web"}))
    };
    assert_eq!(by_code(None).error_code(401), "unauthenticated");
    assert_eq!(by_code(Some(&stranger)).error_code(403), "not_your_service");
    assert_eq!(by_code(Some(&sign_in("window.putuo", DEMO_PASSWORD))).error_code(403), "not_your_service");
    assert_eq!(get(&format!("/api/v1/reviews/target?code={leaked}")).error_code(401), "unauthenticated");
    assert_eq!(reviews_of(&ticket), 0);
    assert_eq!(by_code(Some(&owner)).status, 201, "the owner, signed in");
}

/// A decided case of a fixture application of a new resident: (case id, the applicant's cookie).
fn decided_case() -> (String, String) {
    let (cookie, account, _) = register_resident();
    let (app, kase) = (hex_id(), hex_id());
    d1(&format!(
        "INSERT INTO applications (id, number, bundle_id, account_id, center_id, state, values_enc, forms_json, consent_json, idem_key, created_at, updated_at) \
         VALUES ('{app}', 'TBF{}', 'open-restaurant', '{account}', '{CENTER}', 'ready', '{}', '[]', '[]', '{app}', 0, 0);\n\
         INSERT INTO cases (id, application_id, number, item_id, dept_id, state, decided_at, updated_at) \
         VALUES ('{kase}', '{app}', 'TBF{}-1', '{ITEM}', 'scjg', 'approved', {}, 0);\n",
        &app[..12],
        tongban_tests::sealed("{}"),
        &app[..12],
        epoch() - 600
    ));
    (kase, cookie)
}

/// Issue 15 §5: the case path of the review form needs the case's applicant, whatever code comes with it.
#[test]
fn a_case_is_shown_for_review_only_to_its_applicant() {
    let (kase, applicant) = decided_case();
    for q in [format!("case={kase}&code=ABCDEFGH"), format!("case={kase}")] {
        assert_eq!(get(&format!("/api/v1/reviews/target?{q}")).error_code(401), "unauthenticated", "{q}");
    }
    let (stranger, _, _) = register_resident();
    assert_eq!(get_with(&format!("/api/v1/reviews/target?case={kase}&code=ABCDEFGH"), &[("Cookie", &stranger)]).error_code(403), "not_your_service");
    assert_eq!(get_with(&format!("/api/v1/reviews/target?case={kase}"), &[("Cookie", &applicant)]).json()["id"], kase.as_str());
}

/// Guessing review codes: past 30 failed look-ups in 15 minutes a client gets 429 with Retry-After, even
/// for a code that exists; other clients are not affected.
#[test]
fn failed_review_code_look_ups_are_throttled_per_client() {
    let (_, real) = served(None, CENTER, ITEM, "done", 60);
    let n = tongban_shared::etag::fnv1a64(unique("ip").as_bytes());
    let ip = format!("198.51.{}.{}", n % 250, (n >> 8) % 250);
    let look = |code: &str, ip: &str| get_with(&format!("/api/v1/reviews/target?code={code}"), &[("CF-Connecting-IP", ip)]);
    for _ in 0..tongban_shared::review::CODE_FAILS_PER_CLIENT {
        assert_eq!(look(&fixture_code(), &ip).error_code(404), "review_not_found");
    }
    let locked = look(&real, &ip);
    assert_eq!(locked.error_code(429), "too_many_attempts");
    assert_eq!(locked.header("retry-after"), Some("900"));
    assert_eq!(look(&real, "192.0.2.1").status, 200, "another client still looks its code up");
}

/// Issue 15 §2 for work orders: whoever asks for an exception does not approve it. A walk-in's bad review
/// with no item recorded is the center's to answer, so its center admin is both the responsible party and
/// the approver; asking for "invalid" and then approving it oneself is refused, and not offered.
#[test]
fn whoever_asks_for_invalid_does_not_approve_it() {
    let (ticket, code) = served(None, CENTER, ITEM, "done", 300);
    d1(&format!("UPDATE tickets SET item_id = NULL WHERE id = '{ticket}';"));
    let r = review(
        None,
        json!({"code": code, "level": 1, "scores": {"efficiency": 1, "competence": 1, "attitude": 1}, "reason": "attitude", "text": "态度很差，一直不耐烦", "channel": "kiosk"}),
    );
    assert_eq!(r.status, 201, "{}", r.body);
    let id = r.json()["work_order"].as_str().unwrap().to_string();
    let admin = sign_in("admin.putuo", DEMO_PASSWORD);
    assert_eq!(act(&admin, &id, json!({"action": "request_invalid", "note": "监控显示无此事"})).status, 200);
    let detail = get_with(&format!("/api/v1/work-orders/{id}"), &[("Cookie", &admin)]).json();
    assert!(!detail["actions"].as_array().unwrap().iter().any(|a| a == "approve_invalid"), "not offered to the requester: {}", detail["actions"]);
    assert_eq!(act(&admin, &id, json!({"action": "approve_invalid", "note": "同意"})).error_code(409), "same_officer");
    assert_eq!(act(&admin, &id, json!({"action": "reject_invalid", "note": "不同意"})).error_code(409), "same_officer");
    let second = new_staff("center_admin", CENTER);
    let d = get_with(&format!("/api/v1/work-orders/{id}"), &[("Cookie", &second)]).json();
    assert!(d["actions"].as_array().unwrap().iter().any(|a| a == "approve_invalid"));
    assert_eq!(act(&second, &id, json!({"action": "approve_invalid", "note": "同意认定无效"})).json()["summary"]["state"], "invalid");
}

/// "My reviews" lists every review of a long-time reviewer with its own service and work order (read in a
/// fixed number of queries whatever their number: one query set per review passed a free-plan request's
/// 50 subrequests at a dozen reviews).
#[test]
fn my_reviews_list_every_review_with_its_order() {
    let (me, my_id, _) = register_resident();
    // Two reviews through the API: a good one, and a bad one that opens a work order.
    let (good_t, _) = served(Some(&my_id), CENTER, ITEM, "done", 600);
    assert_eq!(review(Some(&me), good(&good_t)).status, 201);
    let (bad_t, _) = served(Some(&my_id), CENTER, ITEM, "done", 600);
    let r = review(Some(&me), bad(&bad_t, "窗口长时间无人办理"));
    assert_eq!(r.status, 201, "{}", r.body);
    let order_id = r.json()["work_order"].as_str().unwrap().to_string();
    let template = d1_rows(&format!("SELECT id FROM reviews WHERE event_id = '{bad_t}';"))[0]["id"].as_str().unwrap().to_string();
    // Forty more from earlier months, written as rows (the API allows five an hour), each a copy of the bad
    // one on its own service; every fourth with its own work order and opening event.
    let cols = |table: &str| -> Vec<String> {
        d1_rows(&format!("SELECT name FROM pragma_table_info('{table}');")).iter().map(|c| c["name"].as_str().unwrap().to_string()).collect()
    };
    let (review_cols, order_cols) = (cols("reviews"), cols("work_orders"));
    let copy = |table: &str, key: &str, replace: &[(&str, String)]| {
        let cs = if table == "reviews" { &review_cols } else { &order_cols };
        let vals: Vec<String> = cs.iter().map(|c| replace.iter().find(|(k, _)| k == c).map(|(_, v)| format!("'{v}'")).unwrap_or_else(|| c.clone())).collect();
        format!("INSERT INTO {table} ({}) SELECT {} FROM {table} WHERE {key};\n", cs.join(", "), vals.join(", "))
    };
    let mut sql = String::new();
    let mut with_orders = Vec::new();
    for k in 0..40 {
        let (t, _, rows) = served_sql(Some(&my_id), CENTER, ITEM, "done", 600);
        sql.push_str(&rows);
        let rid = format!("{template}-{k}");
        sql.push_str(&copy("reviews", &format!("id = '{template}'"), &[("id", rid.clone()), ("event_id", t.clone())]));
        if k % 4 == 0 {
            let oid = format!("{order_id}-{k}");
            sql.push_str(&copy("work_orders", &format!("id = '{order_id}'"), &[("id", oid.clone()), ("review_id", rid.clone())]));
            sql.push_str(&format!(
                "INSERT INTO work_order_events (order_id, at, capacity, action, to_state, note) VALUES ('{oid}', 0, 'system', 'opened', 'verifying', '{k}');\n"
            ));
            with_orders.push((rid.clone(), oid));
        }
    }
    d1(&sql);
    let mine = get_with("/api/v1/reviews/mine", &[("Cookie", &me)]);
    assert_eq!(mine.status, 200, "{}", mine.body);
    let list = mine.json()["reviews"].as_array().unwrap().clone();
    assert_eq!(list.len(), 42, "every review is listed");
    let by_id = |id: &str| list.iter().find(|r| r["id"] == id).unwrap_or_else(|| panic!("{id} listed"));
    assert_eq!(by_id(&template)["order"]["summary"]["id"], order_id.as_str(), "the API-made bad review has its order");
    assert_eq!(by_id(&template)["service"]["id"], bad_t.as_str());
    assert!(list.iter().any(|r| r["service"]["id"] == good_t.as_str() && r["order"].is_null()), "the good one has none");
    for (rid, oid) in &with_orders {
        let r = by_id(rid);
        assert_eq!(r["order"]["summary"]["id"], oid.as_str(), "{rid} has its own order");
        let k = rid.rsplit('-').next().unwrap();
        assert_eq!(
            r["order"]["history"].as_array().unwrap().iter().map(|e| e["note"].as_str().unwrap()).collect::<Vec<_>>(),
            vec![k],
            "and only its own history"
        );
    }
    let services: std::collections::BTreeSet<&str> = list.iter().map(|r| r["service"]["id"].as_str().unwrap()).collect();
    assert_eq!(services.len(), 42, "each review with its own service");
    let ordered = list.iter().filter(|r| !r["order"].is_null()).count();
    assert_eq!(ordered, 1 + with_orders.len());
}
