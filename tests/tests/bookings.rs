//! Appointments on real workerd: availability, booking, idempotency, limits, cancelling, bad input,
//! and the races — many people for the last seats, one person many times, a double click.

use serde_json::{json, Value};
use std::sync::Arc;
use tongban_tests::{base, get, get_with, new_resident_id, post_with, ready_residents, Resp};

const ITEM: &str = "rsj-social-security-card";
const OTHER_ITEM: &str = "rsj-flexible-employment";

fn book(cookie: &str, key: &str, center: &str, item: &str, date: &str, start: &str) -> Resp {
    let body = json!({"center_id": center, "item_id": item, "date": date, "start": start}).to_string();
    post_with("/api/v1/bookings", &body, &[("Origin", &base()), ("Cookie", cookie), ("Idempotency-Key", key)])
}

fn availability(center: &str, date: Option<&str>) -> Value {
    let path = match date {
        Some(d) => format!("/api/v1/centers/{center}/availability?item={ITEM}&date={d}"),
        None => format!("/api/v1/centers/{center}/availability?item={ITEM}"),
    };
    let r = get(&path);
    assert_eq!(r.status, 200, "{}", r.body);
    r.json()
}

/// The first bookable day and its first and second slot at a center.
fn first_slots(center: &str) -> (String, String, String) {
    let days = availability(center, None);
    let date = days["days"][0]["date"].as_str().unwrap().to_string();
    let slots = availability(center, Some(&date));
    (date, slots["slots"][0]["start"].as_str().unwrap().to_string(), slots["slots"][1]["start"].as_str().unwrap().to_string())
}

fn remaining(center: &str, date: &str, start: &str) -> u64 {
    let a = availability(center, Some(date));
    a["slots"].as_array().unwrap().iter().find(|s| s["start"] == start).unwrap()["remaining"].as_u64().unwrap()
}

fn resident() -> String {
    let body = json!({"name": "预约测试", "id_number": new_resident_id(), "mobile": "13912345678", "password": "booking is easy now"}).to_string();
    let r = post_with("/api/v1/accounts/residents", &body, &[("Origin", &base())]);
    assert_eq!(r.status, 201, "{}", r.body);
    r.session_cookie().unwrap()
}

fn key(tag: &str) -> String {
    format!("{tag}-{}", std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().as_nanos())
}

#[test]
fn availability_lists_ten_working_days_and_the_slots_of_a_day() {
    let a = availability("shiquan-road", None);
    let days = a["days"].as_array().unwrap();
    assert_eq!(days.len(), 10, "from the next working day up to 10 working days ahead");
    for d in days {
        let date = chrono::NaiveDate::parse_from_str(d["date"].as_str().unwrap(), "%Y-%m-%d").unwrap();
        assert!(!matches!(chrono::Datelike::weekday(&date), chrono::Weekday::Sat | chrono::Weekday::Sun) || d["remaining"].as_u64() == Some(0));
    }
    let day = days[0]["date"].as_str().unwrap();
    let slots = availability("shiquan-road", Some(day));
    let list = slots["slots"].as_array().unwrap();
    assert!(!list.is_empty());
    let seats: u64 = list.iter().map(|s| s["remaining"].as_u64().unwrap()).sum();
    assert_eq!(seats, days[0]["remaining"].as_u64().unwrap(), "a day's seats are its slots' seats");
    assert!(list.iter().all(|s| s["capacity"].as_u64().unwrap() >= 1));
}

#[test]
fn book_repeat_the_same_request_then_cancel() {
    let me = resident();
    let (date, start, _) = first_slots("wanli");
    let before = remaining("wanli", &date, &start);
    let k = key("wanli");
    let r = book(&me, &k, "wanli", ITEM, &date, &start);
    assert_eq!(r.status, 201, "{}", r.body);
    let b = r.json();
    assert_eq!(b["state"], "confirmed");
    let code = b["code"].as_str().unwrap();
    assert_eq!(code.len(), 8);
    assert!(!code.contains(['I', 'L', 'O', 'U']), "{code}");
    assert_eq!(remaining("wanli", &date, &start), before - 1);

    let again = book(&me, &k, "wanli", ITEM, &date, &start);
    assert_eq!(again.status, 200, "a retried request returns the first booking: {}", again.body);
    assert_eq!(again.json()["id"], b["id"]);
    assert_eq!(remaining("wanli", &date, &start), before - 1, "and takes no second seat");

    let mine = get_with("/api/v1/bookings", &[("Cookie", &me)]).json();
    assert_eq!(mine.as_array().unwrap().len(), 1);
    assert_eq!(mine[0]["item_name"]["zh"].as_str().map(|s| !s.is_empty()), Some(true));

    let cancel = |c: &str| post_with(&format!("/api/v1/bookings/{}/cancel", b["id"].as_str().unwrap()), "", &[("Origin", &base()), ("Cookie", c)]);
    assert_eq!(cancel(&resident()).error_code(404), "booking_not_found", "not someone else's");
    let c = cancel(&me);
    assert_eq!(c.status, 200, "{}", c.body);
    assert_eq!(c.json()["state"], "cancelled");
    assert_eq!(remaining("wanli", &date, &start), before, "the seat is back");
    assert_eq!(cancel(&me).error_code(409), "invalid_transition");
}

#[test]
fn one_per_item_per_day_and_three_active_in_all() {
    let me = resident();
    let (date, first, second) = first_slots("changfeng");
    assert_eq!(book(&me, &key("a"), "changfeng", ITEM, &date, &first).status, 201);
    assert_eq!(book(&me, &key("b"), "changfeng", ITEM, &date, &second).error_code(409), "limit_reached", "same item, same day");
    let days = availability("changfeng", None);
    let day2 = days["days"][1]["date"].as_str().unwrap();
    let day3 = days["days"][2]["date"].as_str().unwrap();
    assert_eq!(book(&me, &key("c"), "changfeng", OTHER_ITEM, &date, &second).status, 201);
    assert_eq!(book(&me, &key("d"), "changfeng", ITEM, day2, &first).status, 201);
    assert_eq!(book(&me, &key("e"), "changfeng", ITEM, day3, &first).error_code(409), "limit_reached", "three active at most");
}

#[test]
fn bad_bookings_are_refused_and_write_nothing() {
    let me = resident();
    let (date, start, _) = first_slots("caojiadu");
    let before = remaining("caojiadu", &date, &start);
    let weekend = {
        let mut d = chrono::NaiveDate::parse_from_str(&date, "%Y-%m-%d").unwrap();
        while !matches!(chrono::Datelike::weekday(&d), chrono::Weekday::Sat) {
            d += chrono::Duration::days(1);
        }
        d.to_string()
    };
    let cases: Vec<(Resp, u16, &str)> = vec![
        (book(&me, &key("p"), "caojiadu", ITEM, "2020-01-06", &start), 400, "date_not_bookable"),
        (book(&me, &key("w"), "caojiadu", ITEM, &weekend, &start), 400, "date_not_bookable"),
        (book(&me, &key("s"), "caojiadu", ITEM, &date, "09:15"), 404, "slot_not_found"),
        (book(&me, &key("n"), "caojiadu", "scjg-company-setup", &date, &start), 404, "not_served_here"),
        (book(&me, &key("u"), "atlantis", ITEM, &date, &start), 404, "center_not_found"),
        (book(&me, &key("i"), "caojiadu", "no-such-item", &date, &start), 404, "not_served_here"),
        (book(&me, &key("b"), "Caojiadu", ITEM, &date, &start), 400, "bad_id"),
        (post_with("/api/v1/bookings", "{not json", &[("Origin", &base()), ("Cookie", &me), ("Idempotency-Key", "abcdefgh12")]), 400, "malformed_json"),
        (post_with("/api/v1/bookings", "{}", &[("Origin", &base()), ("Cookie", &me)]), 400, "idempotency_key_required"),
    ];
    for (r, status, code) in cases {
        assert_eq!(r.error_code(status), code, "{}", r.body);
    }
    assert!(get_with("/api/v1/bookings", &[("Cookie", &me)]).json().as_array().unwrap().is_empty(), "nothing was written");
    assert_eq!(remaining("caojiadu", &date, &start), before);
}

fn race(cookies: Vec<String>, keys: Vec<String>, center: &'static str, items: Vec<&'static str>, date: String, starts: Vec<String>) -> Vec<Resp> {
    let barrier = Arc::new(std::sync::Barrier::new(cookies.len()));
    let handles: Vec<_> = cookies
        .into_iter()
        .enumerate()
        .map(|(i, c)| {
            let (b, k, d) = (barrier.clone(), keys[i % keys.len()].clone(), date.clone());
            let (item, start) = (items[i % items.len()], starts[i % starts.len()].clone());
            std::thread::spawn(move || {
                b.wait();
                book(&c, &k, center, item, &d, &start)
            })
        })
        .collect();
    handles.into_iter().map(|h| h.join().unwrap()).collect()
}

/// 200 people at the same instant for a slot of 10 seats: exactly 10 bookings, 190 clear refusals.
#[test]
fn two_hundred_for_ten_seats() {
    // taopu's any-item class: 5 windows × 30-minute slots ÷ 15 minutes = 10 seats per slot.
    tongban_tests::d1("UPDATE window_classes SET open_windows = 5, avg_minutes = 15 WHERE id = 'taopu-a';");
    let (date, start, _) = first_slots("taopu");
    assert_eq!(remaining("taopu", &date, &start), 10);
    let cookies = ready_residents("race200", 200);
    let keys: Vec<String> = (0..200).map(|i| format!("race200-{i}-{}", std::process::id())).collect();
    let results = race(cookies, keys, "taopu", vec![ITEM], date.clone(), vec![start.clone()]);
    let ok = results.iter().filter(|r| r.status == 201).count();
    let full = results.iter().filter(|r| r.status == 409 && r.json()["error"]["code"] == "slot_full").count();
    let other: Vec<_> = results.iter().filter(|r| r.status != 201 && r.status != 409).map(|r| format!("{} {}", r.status, r.body)).collect();
    assert!(other.is_empty(), "no 5xx or other answers: {other:?}");
    assert_eq!((ok, full), (10, 190));
    assert_eq!(remaining("taopu", &date, &start), 0);
}

/// One person, 20 requests at once for the same item on one day (different slots, different keys): one booking.
#[test]
fn one_person_twenty_times_at_once() {
    let me = resident();
    let (date, _, _) = first_slots("zhenru");
    let starts: Vec<String> =
        availability("zhenru", Some(&date))["slots"].as_array().unwrap().iter().map(|s| s["start"].as_str().unwrap().to_string()).collect();
    let keys: Vec<String> = (0..20).map(|i| format!("self20-{i}-{}", std::process::id())).collect();
    let results = race(vec![me.clone(); 20], keys, "zhenru", vec![ITEM], date, starts);
    assert_eq!(results.iter().filter(|r| r.status == 201).count(), 1);
    assert!(results.iter().filter(|r| r.status != 201).all(|r| r.status == 409 && r.json()["error"]["code"] == "limit_reached"));
    assert_eq!(get_with("/api/v1/bookings", &[("Cookie", &me)]).json().as_array().unwrap().len(), 1);
}

/// A double-clicked confirm (the same Idempotency-Key, ten times at once) makes one booking.
#[test]
fn a_double_click_books_once() {
    let me = resident();
    let (date, start, _) = first_slots("ganquan-road");
    let before = remaining("ganquan-road", &date, &start);
    let results = race(vec![me.clone(); 10], vec![key("dbl")], "ganquan-road", vec![ITEM], date.clone(), vec![start.clone()]);
    let ids: std::collections::HashSet<String> = results.iter().map(|r| r.json()["id"].as_str().unwrap_or("").to_string()).collect();
    assert_eq!(ids.len(), 1, "every answer names the same booking: {:?}", results.iter().map(|r| &r.body).collect::<Vec<_>>());
    assert_eq!(results.iter().filter(|r| r.status == 201).count(), 1);
    assert_eq!(remaining("ganquan-road", &date, &start), before - 1);
}
