//! The in-app inbox on real workerd: events are written with the state change they report, rendered
//! in both languages with a deep link, counted unread, and marked read — only by their owner.

use serde_json::{json, Value};
use tongban_tests::{base, beijing_now, d1, get_with, post_with, register_resident, sign_in, unique, Resp, DEMO_PASSWORD};

const CENTER: &str = "ganquan-road";
const ITEM: &str = "rsj-social-security-card";

fn as_(cookie: &str) -> Vec<(&'static str, String)> {
    vec![("Origin", base()), ("Cookie", cookie.to_string())]
}

fn post_as(cookie: &str, path: &str, body: &str) -> Resp {
    let h = as_(cookie);
    post_with(path, body, &h.iter().map(|(k, v)| (*k, v.as_str())).collect::<Vec<_>>())
}

fn inbox(cookie: &str) -> Value {
    let r = get_with("/api/v1/notifications", &[("Cookie", cookie), ("Accept-Language", "en")]);
    assert_eq!(r.status, 200, "{}", r.body);
    r.json()
}

fn kinds(inbox: &Value) -> Vec<String> {
    inbox["items"].as_array().unwrap().iter().map(|i| i["kind"].as_str().unwrap().to_string()).collect()
}

/// The first bookable day and slot of the item at the center.
fn slot() -> (String, String) {
    let days = tongban_tests::get(&format!("/api/v1/centers/{CENTER}/availability?item={ITEM}")).json();
    let date = days["days"][1]["date"].as_str().unwrap().to_string();
    let slots = tongban_tests::get(&format!("/api/v1/centers/{CENTER}/availability?item={ITEM}&date={date}")).json();
    (date, slots["slots"][2]["start"].as_str().unwrap().to_string())
}

fn book(cookie: &str, date: &str, start: &str, hold: bool) -> Value {
    let body = json!({"center_id": CENTER, "item_id": ITEM, "date": date, "start": start, "hold": hold}).to_string();
    let mut h = as_(cookie);
    h.push(("Idempotency-Key", unique("inbox-")));
    let r = post_with("/api/v1/bookings", &body, &h.iter().map(|(k, v)| (*k, v.as_str())).collect::<Vec<_>>());
    assert_eq!(r.status, 201, "{}", r.body);
    r.json()
}

#[test]
fn a_booking_lands_in_the_inbox_with_a_link_and_is_marked_read_by_its_owner_only() {
    let (me, _, _) = register_resident();
    let empty = inbox(&me);
    assert_eq!((empty["unread"].as_u64(), empty["items"].as_array().unwrap().len()), (Some(0), 0));
    let (date, start) = slot();
    let b = book(&me, &date, &start, false);
    let after = inbox(&me);
    assert_eq!(after["unread"], 1);
    let item = &after["items"][0];
    assert_eq!(item["kind"], "booking_confirmed");
    assert_eq!(item["message"]["url"], "/bookings");
    assert!(item["message"]["body"]["zh"].as_str().unwrap().contains(&format!("{date} {start}")), "{item}");
    assert!(item["message"]["body"]["en"].as_str().unwrap().starts_with("You are booked for"), "{item}");

    // Somebody else cannot mark it read (and learns nothing about it).
    let (other, _, _) = register_resident();
    let id = item["id"].as_str().unwrap();
    let r = post_as(&other, &format!("/api/v1/notifications/{id}/read"), "");
    assert_eq!(r.error_code(404), "notification_not_found");
    assert_eq!(inbox(&me)["unread"], 1);
    assert_eq!(post_as(&me, &format!("/api/v1/notifications/{id}/read"), "").status, 204);
    assert_eq!(inbox(&me)["unread"], 0);

    // Cancelling adds its own message; "all read" clears the count.
    assert_eq!(post_as(&me, &format!("/api/v1/bookings/{}/cancel", b["id"].as_str().unwrap()), "").status, 200);
    let now = inbox(&me);
    assert_eq!(kinds(&now), vec!["booking_cancelled", "booking_confirmed"]);
    assert_eq!(now["unread"], 1);
    assert_eq!(post_as(&me, "/api/v1/notifications/read-all", "").status, 204);
    assert_eq!(inbox(&me)["unread"], 0);
    assert_eq!(get_with("/api/v1/notifications", &[]).error_code(401), "unauthenticated");
}

#[test]
fn a_held_seat_is_announced_once_when_confirmed_however_often_confirm_is_pressed() {
    let (me, _, _) = register_resident();
    let (date, start) = slot();
    let b = book(&me, &date, &start, true);
    assert!(kinds(&inbox(&me)).is_empty(), "a hold is not a booking yet");
    let id = b["id"].as_str().unwrap();
    let presses: Vec<_> = (0..5)
        .map(|_| {
            let (me, id) = (me.clone(), id.to_string());
            std::thread::spawn(move || post_as(&me, &format!("/api/v1/bookings/{id}/confirm"), "").status)
        })
        .collect();
    for p in presses {
        assert_eq!(p.join().unwrap(), 200);
    }
    assert_eq!(kinds(&inbox(&me)), vec!["booking_confirmed"]);
}

#[test]
fn checking_in_and_being_called_reach_the_booking_holder() {
    let (me, _, _) = register_resident();
    let (date, start) = slot();
    let b = book(&me, &date, &start, false);
    let now = beijing_now();
    d1(&format!("UPDATE bookings SET date = '{}', start = '{}' WHERE id = '{}';", now.date(), now.format("%H:%M"), b["id"].as_str().unwrap()));
    let t = post_with("/api/v1/checkins", &json!({"code": b["code"]}).to_string(), &[("Origin", &base())]);
    assert_eq!(t.status, 201, "{}", t.body);
    let number = t.json()["number"].as_str().unwrap().to_string();
    let staff = sign_in("admin.district", DEMO_PASSWORD);
    // Call this line's window until our ticket comes (a checked-in booking is near the front).
    for _ in 0..30 {
        let c = post_as(&staff, &format!("/api/v1/centers/{CENTER}/windows/1/call"), "");
        assert_eq!(c.status, 200, "{}", c.body);
        if c.json()["ticket"]["number"] == number.as_str() || c.json()["ticket"].is_null() {
            break;
        }
    }
    let got = inbox(&me);
    let items = got["items"].as_array().unwrap();
    let turn = items.iter().find(|i| i["kind"] == "your_turn").unwrap_or_else(|| panic!("no your_turn in {got}"));
    assert_eq!(turn["message"]["body"]["zh"], format!("请 {number} 号到 1 号窗口办理。"));
    assert!(turn["message"]["url"].as_str().unwrap().starts_with("/tickets/"));
    assert!(items.iter().any(|i| i["kind"] == "checked_in"), "{got}");
}
