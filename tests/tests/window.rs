//! The window's side of the hall queue on real workerd: the center's lines (classes), domain windows
//! calling their own line, the service steps (recall, skip, start, finish, transfer) with their illegal
//! transitions, skipped tickets rejoining, concurrent presses, late check-in, and the window's figures.
//!
//! Each test uses its own line: a street center's 社保医保 line (class `<center>-b`, called by its
//! 社保医保 window) or the district center's 企业开办 line — lines no other test file takes tickets in.

use serde_json::{json, Value};
use std::sync::Arc;
use tongban_tests::{base, beijing_now, d1, d1_rows, get, get_with, new_staff, post_with, register_resident, sign_in, unique, Resp, DEMO_PASSWORD};

fn take(center: &str, class: &str) -> Value {
    let r = post_with(&format!("/api/v1/centers/{center}/tickets?class={class}"), "", &[("Origin", &base())]);
    assert_eq!(r.status, 201, "{}", r.body);
    r.json()
}

fn call(cookie: &str, center: &str, window: u32) -> Option<String> {
    let r = post_with(&format!("/api/v1/centers/{center}/windows/{window}/call"), "", &[("Origin", &base()), ("Cookie", cookie)]);
    assert_eq!(r.status, 200, "{}", r.body);
    r.json()["ticket"]["number"].as_str().map(str::to_string)
}

fn act(cookie: &str, center: &str, window: u32, action: Value) -> Resp {
    post_with(&format!("/api/v1/centers/{center}/windows/{window}/ticket"), &action.to_string(), &[("Origin", &base()), ("Cookie", cookie)])
}

fn state(cookie: &str, center: &str, window: u32) -> Value {
    let r = get_with(&format!("/api/v1/centers/{center}/windows/{window}"), &[("Cookie", cookie)]);
    assert_eq!(r.status, 200, "{}", r.body);
    r.json()
}

fn ticket(id: &Value) -> Value {
    let r = get(&format!("/api/v1/tickets/{}", id.as_str().unwrap()));
    assert_eq!(r.status, 200, "{}", r.body);
    r.json()
}

fn classes(center: &str) -> Vec<Value> {
    let r = get(&format!("/api/v1/centers/{center}/classes"));
    assert_eq!(r.status, 200, "{}", r.body);
    r.json().as_array().unwrap().clone()
}

fn waiting_in(center: &str, class: &str) -> u64 {
    classes(center).iter().find(|c| c["id"] == class).unwrap()["waiting"].as_u64().unwrap()
}

#[test]
fn the_district_center_has_three_lines_and_numbers_each_on_its_own() {
    let list = classes("putuo-district");
    let summary: Vec<(String, String, bool)> =
        list.iter().map(|c| (c["id"].as_str().unwrap().into(), c["prefix"].as_str().unwrap().into(), c["any_item"].as_bool().unwrap())).collect();
    assert_eq!(
        summary,
        vec![("putuo-district-a".into(), "A".into(), true), ("putuo-district-b".into(), "B".into(), false), ("putuo-district-c".into(), "C".into(), false)]
    );
    assert_eq!(list[1]["name"]["zh"], "企业开办");
    assert_eq!(list[2]["name"]["zh"], "社会事务");

    // The B line numbers its own tickets: B001 for the day's first.
    let today = beijing_now().date();
    let last =
        d1_rows(&format!("SELECT coalesce(max(seq), 0) AS n FROM tickets WHERE class_id = 'putuo-district-b' AND day = '{today}';"))[0]["n"].as_u64().unwrap();
    let before = waiting_in("putuo-district", "putuo-district-b");
    let b1 = take("putuo-district", "putuo-district-b");
    let b2 = take("putuo-district", "putuo-district-b");
    let a1 = take("putuo-district", "putuo-district-a");
    assert_eq!(b1["number"], format!("B{:03}", last + 1), "{b1}");
    assert_eq!(b2["number"], format!("B{:03}", last + 2));
    if last == 0 {
        assert_eq!(b1["number"], "B001");
    }
    assert!(a1["number"].as_str().unwrap().starts_with('A'));
    assert_eq!(b2["ahead"].as_u64().unwrap(), b1["ahead"].as_u64().unwrap() + 1);
    assert_eq!(waiting_in("putuo-district", "putuo-district-b"), before + 2);

    // Lines that are not this center's.
    let bad = |q: &str| post_with(&format!("/api/v1/centers/putuo-district/tickets?class={q}"), "", &[("Origin", &base())]);
    assert_eq!(bad("wanli-b").error_code(404), "class_not_found", "another center's line");
    assert_eq!(bad("putuo-district-z").error_code(404), "class_not_found");
    assert_eq!(bad("B").error_code(400), "bad_id");
    assert_eq!(get("/api/v1/centers/atlantis/classes").error_code(404), "center_not_found");

    // A 企业开办 window (7) calls the B line only; the A ticket is not its to call.
    let staff = sign_in("window.putuo", DEMO_PASSWORD);
    let mut called = Vec::new();
    while let Some(n) = call(&staff, "putuo-district", 7) {
        called.push(n);
        assert!(called.len() < 500, "the line ends");
    }
    assert!(called.iter().all(|n| n.starts_with('B')), "window 7 called only B tickets: {called:?}");
    for t in [&b1, &b2] {
        assert!(called.contains(&t["number"].as_str().unwrap().to_string()), "{called:?}");
        assert_eq!(ticket(&t["id"])["window_no"], 7);
    }
    assert_ne!(ticket(&a1["id"])["window_no"], 7, "window 7 never calls the A line");
    assert_eq!(waiting_in("putuo-district", "putuo-district-b"), 0);
    let w = state(&staff, "putuo-district", 7);
    assert_eq!((w["class_id"].as_str(), w["class_name"]["zh"].as_str()), (Some("putuo-district-b"), Some("企业开办")));
    assert_eq!(w["current"]["number"], b2["number"], "the last call is the window's current ticket");
    // A 社会事务 window (11) calls the C line.
    assert_eq!(state(&staff, "putuo-district", 11)["class_id"], "putuo-district-c");
    if let Some(n) = call(&staff, "putuo-district", 11) {
        assert!(n.starts_with('C'), "{n}");
    }
}

#[test]
fn service_steps_and_their_illegal_transitions() {
    let (center, w) = ("caojiadu", 6);
    let staff = new_staff("window_staff", center);
    let s = state(&staff, center, w);
    assert_eq!(s["class_id"], "caojiadu-b");
    assert!(s["current"].is_null());
    assert_eq!(act(&staff, center, w, json!({"action": "start"})).error_code(409), "queue_empty", "nothing called yet");

    let t1 = take(center, "caojiadu-b");
    assert!(state(&staff, center, w)["waiting"].as_u64().unwrap() >= 1);
    assert_eq!(call(&staff, center, w).as_deref(), t1["number"].as_str());
    let s = state(&staff, center, w);
    assert_eq!(
        (s["current"]["number"].as_str(), s["current"]["state"].as_str(), s["current"]["origin"].as_str()),
        (t1["number"].as_str(), Some("called"), Some("walk_in"))
    );

    // Bad requests.
    let raw = |body: &str| post_with(&format!("/api/v1/centers/{center}/windows/{w}/ticket"), body, &[("Origin", &base()), ("Cookie", &staff)]);
    assert_eq!(raw("{not json").error_code(400), "malformed_json");
    assert_eq!(raw(r#"{"action":"dance"}"#).error_code(400), "malformed_json");
    assert_eq!(raw(r#"{"action":"finish"}"#).error_code(400), "malformed_json", "finish needs an outcome");
    assert_eq!(raw(r#"{"action":"finish","outcome":"later"}"#).error_code(400), "malformed_json");
    // Called: finishing before starting is not a step.
    assert_eq!(act(&staff, center, w, json!({"action": "finish", "outcome": "on_the_spot"})).error_code(409), "invalid_transition");
    assert_eq!(state(&staff, center, w)["current"]["state"], "called", "refusals change nothing");

    // Recall: the same number on the display again.
    let r = act(&staff, center, w, json!({"action": "recall"}));
    assert_eq!(r.status, 200, "{}", r.body);
    assert_eq!((r.json()["current"]["number"].as_str(), r.json()["current"]["state"].as_str()), (t1["number"].as_str(), Some("called")));
    assert_eq!(get(&format!("/api/v1/centers/{center}/calls")).json()[0]["number"], t1["number"]);

    // Start: serving. Now recall, skip, start again and transfer are not steps.
    let r = act(&staff, center, w, json!({"action": "start"}));
    assert_eq!(r.status, 200, "{}", r.body);
    assert_eq!(r.json()["current"]["state"], "serving");
    assert!(r.json()["current"]["started_at"].as_i64().is_some());
    for a in [json!({"action": "recall"}), json!({"action": "skip"}), json!({"action": "start"}), json!({"action": "transfer", "class_id": "caojiadu-a"})] {
        assert_eq!(act(&staff, center, w, a.clone()).error_code(409), "invalid_transition", "{a}");
    }
    assert_eq!(state(&staff, center, w)["current"]["state"], "serving");

    // Finish on the spot: the window is free and counts it.
    let r = act(&staff, center, w, json!({"action": "finish", "outcome": "on_the_spot"}));
    assert_eq!(r.status, 200, "{}", r.body);
    let s = r.json();
    assert!(s["current"].is_null(), "{s}");
    assert_eq!((s["stats"]["served"].as_u64(), s["stats"]["on_the_spot"].as_u64()), (Some(1), Some(1)));
    assert!(s["stats"]["avg_handle_minutes"].as_f64().is_some());
    assert_eq!(ticket(&t1["id"])["state"], "done");
    assert_eq!(act(&staff, center, w, json!({"action": "finish", "outcome": "on_the_spot"})).error_code(409), "queue_empty");
    assert_eq!(state(&staff, center, w)["stats"]["served"], 1, "finished once");

    // A second service, sent to the back office.
    let t2 = take(center, "caojiadu-b");
    assert_eq!(call(&staff, center, w).as_deref(), t2["number"].as_str());
    assert_eq!(act(&staff, center, w, json!({"action": "start"})).status, 200);
    assert_eq!(act(&staff, center, w, json!({"action": "finish", "outcome": "back_office"})).status, 200);
    let s = state(&staff, center, w);
    assert_eq!((s["stats"]["served"].as_u64(), s["stats"]["on_the_spot"].as_u64(), s["stats"]["skipped"].as_u64()), (Some(2), Some(1), Some(0)));

    // Only staff of the center, at real windows.
    let other = sign_in("window.wanli", DEMO_PASSWORD);
    assert_eq!(get_with(&format!("/api/v1/centers/{center}/windows/{w}"), &[("Cookie", &other)]).error_code(403), "wrong_center");
    assert_eq!(act(&other, center, w, json!({"action": "recall"})).error_code(403), "wrong_center");
    assert_eq!(get_with(&format!("/api/v1/centers/{center}/windows/99"), &[("Cookie", &staff)]).error_code(404), "window_not_found");
    assert_eq!(get_with(&format!("/api/v1/centers/{center}/windows/0"), &[("Cookie", &staff)]).error_code(400), "bad_id");
    assert_eq!(act(&staff, center, 99, json!({"action": "recall"})).error_code(404), "window_not_found");
}

#[test]
fn a_skipped_ticket_rejoins_after_three_more_calls() {
    let (center, w) = ("taopu", 6);
    let staff = sign_in("admin.district", DEMO_PASSWORD);
    while call(&staff, center, w).is_some() {}
    let t: Vec<Value> = (0..5).map(|_| take(center, "taopu-b")).collect();
    let n = |i: usize| t[i]["number"].as_str().unwrap().to_string();

    assert_eq!(call(&staff, center, w), Some(n(0)));
    let r = act(&staff, center, w, json!({"action": "skip"}));
    assert_eq!(r.status, 200, "{}", r.body);
    assert!(r.json()["current"].is_null(), "a skipped ticket leaves the window");
    assert_eq!(r.json()["stats"]["skipped"], 1);
    assert_eq!(ticket(&t[0]["id"])["state"], "skipped");
    assert_eq!(act(&staff, center, w, json!({"action": "skip"})).error_code(409), "queue_empty");

    assert_eq!(call(&staff, center, w), Some(n(1)));
    assert_eq!(call(&staff, center, w), Some(n(2)));
    assert_eq!(call(&staff, center, w), Some(n(3)));
    assert_eq!(ticket(&t[0]["id"])["state"], "skipped", "still out after three calls");
    assert_eq!(call(&staff, center, w), Some(n(0)), "back in, before later tickets");
    assert_eq!(call(&staff, center, w), Some(n(4)));
    assert_eq!(call(&staff, center, w), None);
    let s = state(&staff, center, w);
    assert_eq!(s["current"]["number"].as_str(), Some(n(4).as_str()));
    assert_eq!(s["stats"]["skipped"], 0, "the skipped ticket was called again");
}

#[test]
fn a_transferred_ticket_keeps_its_number_and_goes_first() {
    let center = "zhenru";
    let staff = new_staff("window_staff", center);
    // Empty both lines first (no other test calls at zhenru).
    while call(&staff, center, 1).is_some() {}
    while call(&staff, center, 7).is_some() {}
    let walk = take(center, "zhenru-a");
    let t = take(center, "zhenru-b");
    assert!(t["number"].as_str().unwrap().starts_with('B'));
    assert_eq!(call(&staff, center, 7).as_deref(), t["number"].as_str(), "window 7 is the 社保医保 window");

    let transfer = |class: &str| act(&staff, center, 7, json!({"action": "transfer", "class_id": class}));
    assert_eq!(transfer("zhenru-b").error_code(409), "invalid_transition", "not to its own line");
    assert_eq!(transfer("wanli-a").error_code(404), "class_not_found", "not to another center's line");
    assert_eq!(transfer("no-such-class").error_code(404), "class_not_found");
    assert_eq!(state(&staff, center, 7)["current"]["number"], t["number"], "the refusals changed nothing");

    let r = transfer("zhenru-a");
    assert_eq!(r.status, 200, "{}", r.body);
    assert!(r.json()["current"].is_null(), "the ticket left window 7");
    let moved = ticket(&t["id"]);
    assert_eq!((moved["number"].as_str(), moved["state"].as_str(), moved["ahead"].as_u64()), (t["number"].as_str(), Some("waiting"), Some(0)), "{moved}");
    assert_eq!(ticket(&walk["id"])["ahead"], 1, "the transferred ticket goes before the line's own");
    assert_eq!(transfer("zhenru-a").error_code(409), "queue_empty", "transferred once");
    // Found by the API fuzzer: a transferred ticket, waiting again with no window, broke the hall
    // display's list of recent calls (500) until it was called again.
    let calls = get(&format!("/api/v1/centers/{center}/calls"));
    assert_eq!(calls.status, 200, "{}", calls.body);
    assert!(calls.json().as_array().unwrap().iter().all(|c| c["number"] != t["number"]), "a ticket waiting again is not shown as called: {}", calls.body);

    assert_eq!(call(&staff, center, 1).as_deref(), t["number"].as_str(), "the A window calls it first, by its old number");
    assert_eq!(call(&staff, center, 1).as_deref(), walk["number"].as_str());
    assert_eq!(ticket(&t["id"])["window_no"], 1);
}

/// Twenty presses of the same button at once (a double click, two staff on one window) change the
/// ticket once.
#[test]
fn twenty_presses_at_once_change_a_ticket_once() {
    let (center, w) = ("changfeng", 6);
    let staff = new_staff("window_staff", center);
    while call(&staff, center, w).is_some() {}
    let press = |action: Value| -> Vec<Resp> {
        let barrier = Arc::new(std::sync::Barrier::new(20));
        let handles: Vec<_> = (0..20)
            .map(|_| {
                let (b, s, a) = (barrier.clone(), staff.clone(), action.clone());
                std::thread::spawn(move || {
                    b.wait();
                    act(&s, center, w, a)
                })
            })
            .collect();
        handles.into_iter().map(|h| h.join().unwrap()).collect()
    };
    let tally = |results: &[Resp]| {
        let ok = results.iter().filter(|r| r.status == 200).count();
        let refused: Vec<String> = results.iter().filter(|r| r.status != 200).map(|r| r.error_code(409)).collect();
        assert!(refused.iter().all(|c| c == "invalid_transition" || c == "queue_empty"), "{refused:?}");
        ok
    };

    let t = take(center, "changfeng-b");
    assert_eq!(call(&staff, center, w).as_deref(), t["number"].as_str());
    assert_eq!(tally(&press(json!({"action": "start"}))), 1, "started once");
    assert_eq!(state(&staff, center, w)["current"]["state"], "serving");
    assert_eq!(tally(&press(json!({"action": "finish", "outcome": "on_the_spot"}))), 1, "finished once");
    let s = state(&staff, center, w);
    assert_eq!((s["stats"]["served"].as_u64(), s["stats"]["on_the_spot"].as_u64()), (Some(1), Some(1)));

    let t2 = take(center, "changfeng-b");
    assert_eq!(call(&staff, center, w).as_deref(), t2["number"].as_str());
    assert_eq!(tally(&press(json!({"action": "skip"}))), 1, "skipped once");
    assert_eq!(state(&staff, center, w)["stats"]["skipped"], 1);
    let t3 = take(center, "changfeng-b");
    assert_eq!(call(&staff, center, w).as_deref(), t3["number"].as_str());
    assert_eq!(tally(&press(json!({"action": "transfer", "class_id": "changfeng-a"}))), 1, "transferred once");
    let after = ticket(&t3["id"]);
    assert_eq!((after["state"].as_str(), after["number"].as_str()), (Some("waiting"), t3["number"].as_str()));
    let seqs = d1_rows(&format!("SELECT class_id, seq FROM tickets WHERE id = '{}';", t3["id"].as_str().unwrap()));
    assert_eq!(seqs[0]["class_id"], "changfeng-a");
}

/// A confirmed booking at `center` moved to today at `start` (bookings open tomorrow; this is the test's
/// shortcut to "the day has come").
fn booking_today(center: &str, start: &str) -> (String, Value) {
    let (me, _, _) = register_resident();
    let item = "rsj-pension-claim";
    let days = get(&format!("/api/v1/centers/{center}/availability?item={item}")).json();
    let date = days["days"][3]["date"].as_str().unwrap().to_string();
    let slots = get(&format!("/api/v1/centers/{center}/availability?item={item}&date={date}")).json();
    let slot = slots["slots"][4]["start"].as_str().unwrap().to_string();
    let b = post_with(
        "/api/v1/bookings",
        &json!({"center_id": center, "item_id": item, "date": date, "start": slot}).to_string(),
        &[("Origin", &base()), ("Cookie", &me), ("Idempotency-Key", &unique("today-"))],
    );
    assert_eq!(b.status, 201, "{}", b.body);
    let b = b.json();
    d1(&format!("UPDATE bookings SET date = '{}', start = '{start}' WHERE id = '{}';", beijing_now().date(), b["id"].as_str().unwrap()));
    (me, b)
}

#[test]
fn a_late_check_in_joins_as_a_walk_in() {
    let now = beijing_now();
    if now.format("%H:%M").to_string().as_str() < "00:25" {
        eprintln!("skipped: just after midnight a slot 20 minutes ago would be yesterday's");
        return;
    }
    let center = "ganquan-road";
    let check_in = |code: &str| post_with("/api/v1/checkins", &json!({"code": code}).to_string(), &[("Origin", &base())]);
    let (late_person, late) = booking_today(center, &(now - chrono::Duration::minutes(20)).format("%H:%M").to_string());
    let (_, on_time) = booking_today(center, &now.format("%H:%M").to_string());

    let r = check_in(late["code"].as_str().unwrap());
    assert_eq!(r.status, 201, "late is not refused: {}", r.body);
    let lt = r.json();
    assert_eq!(lt["origin"], "walk_in", "{lt}");
    assert!(lt["number"].as_str().unwrap().starts_with('A'));
    let mine = get_with("/api/v1/bookings", &[("Cookie", &late_person)]).json();
    assert_eq!(mine[0]["state"], "checked_in");
    let again = check_in(late["code"].as_str().unwrap());
    assert_eq!(again.status, 200, "a second scan is the same ticket: {}", again.body);
    assert_eq!(again.json()["id"], lt["id"]);

    let r = check_in(on_time["code"].as_str().unwrap());
    assert_eq!(r.status, 201, "{}", r.body);
    let ot = r.json();
    assert_eq!(ot["origin"], "booking");
    assert_eq!(ot["ahead"], 0, "an on-time booking goes first");
    assert!(ticket(&lt["id"])["ahead"].as_u64().unwrap() >= 1, "the late one waits behind it, as a walk-in");
}
