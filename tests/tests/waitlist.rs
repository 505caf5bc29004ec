//! Holds, the waiting list (候补), rescheduling, the center cancelling, and the nightly no-show job with its
//! booking ban, on real workerd.
//!
//! Each test books a different center's 社保医保 line (its `-b` window class, which no other test file
//! books) and working days 3–8 ahead, so the tests running in parallel never share a slot.

use serde_json::{json, Value};
use tongban_tests::{
    base, beijing_now, d1, d1_rows, delete_with, epoch, get, get_with, post_with, put_with, register_resident, run_cron, sign_in, unique, Resp, DEMO_PASSWORD,
};

/// A 医保 item: at the street centers it joins the 社保医保 line (class `<center>-b`).
const ITEM: &str = "ybj-reimbursement";
const OTHER_ITEM: &str = "ybj-insurance-transfer";
const EVERY_MINUTE: &str = "* * * * *";
const CLOSE_DAY: &str = "30 15 * * *";

fn as_(cookie: &str) -> [(&'static str, String); 2] {
    [("Origin", base()), ("Cookie", cookie.to_string())]
}

fn h<'a>(v: &'a [(&'static str, String)]) -> Vec<(&'static str, &'a str)> {
    v.iter().map(|(k, x)| (*k, x.as_str())).collect()
}

fn post_as(cookie: &str, path: &str, body: &str) -> Resp {
    post_with(path, body, &h(&as_(cookie)))
}

fn get_as(cookie: &str, path: &str) -> Resp {
    get_with(path, &h(&as_(cookie)))
}

fn book(cookie: &str, center: &str, item: &str, date: &str, start: &str, hold: bool) -> Resp {
    let body = json!({"center_id": center, "item_id": item, "date": date, "start": start, "hold": hold}).to_string();
    let key = unique("wl-key-");
    let base = base();
    let mut headers = vec![("Origin", base.as_str()), ("Cookie", cookie)];
    headers.push(("Idempotency-Key", &key));
    post_with("/api/v1/bookings", &body, &headers)
}

fn booked(cookie: &str, center: &str, item: &str, date: &str, start: &str, hold: bool) -> Value {
    let r = book(cookie, center, item, date, start, hold);
    assert_eq!(r.status, 201, "booking {center} {date} {start}: {}", r.body);
    r.json()
}

fn availability(center: &str, item: &str, date: Option<&str>) -> Value {
    let path = match date {
        Some(d) => format!("/api/v1/centers/{center}/availability?item={item}&date={d}"),
        None => format!("/api/v1/centers/{center}/availability?item={item}"),
    };
    let r = get(&path);
    assert_eq!(r.status, 200, "{}", r.body);
    r.json()
}

/// The bookable days at a center for the item (working days ahead, in order).
fn days(center: &str) -> Vec<String> {
    availability(center, ITEM, None)["days"].as_array().unwrap().iter().map(|d| d["date"].as_str().unwrap().to_string()).collect()
}

fn starts(center: &str, date: &str) -> Vec<String> {
    availability(center, ITEM, Some(date))["slots"].as_array().unwrap().iter().map(|s| s["start"].as_str().unwrap().to_string()).collect()
}

/// (capacity, remaining) of one slot as the public availability shows it.
fn seats(center: &str, date: &str, start: &str) -> (u64, u64) {
    let a = availability(center, ITEM, Some(date));
    let s = a["slots"].as_array().unwrap().iter().find(|s| s["start"] == start).unwrap_or_else(|| panic!("no slot {start} in {a}")).clone();
    (s["capacity"].as_u64().unwrap(), s["remaining"].as_u64().unwrap())
}

/// Makes one future slot of a center's 社保医保 line have `capacity` seats (the admin's override).
fn set_seats(center: &str, date: &str, start: &str, capacity: u32) {
    set_class_seats(&format!("{center}-b"), center, date, start, capacity)
}

fn set_class_seats(class: &str, center: &str, date: &str, start: &str, capacity: u32) {
    let admin = sign_in("admin.district", DEMO_PASSWORD);
    let body = json!({"class_id": class, "date": date, "start": start, "capacity": capacity}).to_string();
    let r = put_with(&format!("/api/v1/centers/{center}/slots"), &body, &h(&as_(&admin)));
    assert_eq!(r.status, 200, "{}", r.body);
    assert_eq!(r.json()["capacity"], capacity);
}

fn mine(cookie: &str) -> Vec<Value> {
    let r = get_as(cookie, "/api/v1/bookings");
    assert_eq!(r.status, 200, "{}", r.body);
    r.json().as_array().unwrap().clone()
}

fn booking(cookie: &str, id: &str) -> Value {
    mine(cookie).into_iter().find(|b| b["id"] == id).unwrap_or_else(|| panic!("booking {id} is not listed"))
}

fn join(cookie: &str, center: &str, date: &str, start: &str) -> Resp {
    post_as(cookie, "/api/v1/waitlist", &json!({"center_id": center, "item_id": ITEM, "date": date, "start": start}).to_string())
}

fn waitlist(cookie: &str) -> Vec<Value> {
    let r = get_as(cookie, "/api/v1/waitlist");
    assert_eq!(r.status, 200, "{}", r.body);
    r.json().as_array().unwrap().clone()
}

fn confirm(cookie: &str, id: &str) -> Resp {
    post_as(cookie, &format!("/api/v1/bookings/{id}/confirm"), "")
}

fn cancel(cookie: &str, id: &str) -> Resp {
    post_as(cookie, &format!("/api/v1/bookings/{id}/cancel"), "")
}

fn reschedule(cookie: &str, id: &str, date: &str, start: &str) -> Resp {
    post_as(cookie, &format!("/api/v1/bookings/{id}/reschedule"), &json!({"date": date, "start": start}).to_string())
}

/// Notification kinds written about a booking (they are the inbox's rows; no API lists them yet).
fn notifications(booking_id: &str) -> Vec<String> {
    d1_rows(&format!("SELECT kind FROM notifications WHERE ref_id = '{booking_id}' ORDER BY created_at, rowid;"))
        .into_iter()
        .map(|r| r["kind"].as_str().unwrap().to_string())
        .collect()
}

fn id(v: &Value) -> String {
    v["id"].as_str().unwrap().to_string()
}

#[test]
fn a_hold_is_confirmed_or_runs_out() {
    let center = "caojiadu";
    let d = days(center);
    let date = d[3].clone();
    let start = starts(center, &date)[0].clone();
    set_seats(center, &date, &start, 10);
    let before = seats(center, &date, &start).1;
    assert_eq!(before, 10);

    // Held: the seat is taken for five minutes.
    let (me, _, _) = register_resident();
    let t0 = epoch();
    let held = booked(&me, center, ITEM, &date, &start, true);
    assert_eq!(held["state"], "held");
    let until = held["hold_until"].as_i64().expect("a held booking says until when");
    assert!((t0 + 300 - 30..=epoch() + 300 + 30).contains(&until), "held for 5 minutes: {until} vs now {t0}");
    assert_eq!(seats(center, &date, &start).1, before - 1, "a hold takes a seat");
    assert_eq!(confirm(&register_resident().0, &id(&held)).error_code(404), "booking_not_found", "nobody else confirms it");
    let ok = confirm(&me, &id(&held));
    assert_eq!(ok.status, 200, "{}", ok.body);
    assert_eq!(ok.json()["state"], "confirmed");
    assert!(ok.json()["hold_until"].is_null());
    let again = confirm(&me, &id(&held));
    assert_eq!(again.status, 200, "a double click on confirm is harmless: {}", again.body);
    assert_eq!(again.json()["state"], "confirmed");
    assert_eq!(seats(center, &date, &start).1, before - 1, "confirming takes no second seat");

    // A hold past its time: the every-minute job gives the seat back, and confirming is too late.
    let (late, _, _) = register_resident();
    let lapsed = booked(&late, center, ITEM, &date, &start, true);
    assert_eq!(seats(center, &date, &start).1, before - 2);
    d1(&format!("UPDATE bookings SET hold_until = {} WHERE id = '{}';", epoch() - 10, id(&lapsed)));
    assert_eq!(seats(center, &date, &start).1, before - 1, "a run-out hold counts as a free seat at once");
    run_cron(EVERY_MINUTE);
    assert_eq!(booking(&late, &id(&lapsed))["state"], "expired");
    assert_eq!(confirm(&late, &id(&lapsed)).error_code(409), "hold_expired");
    assert_eq!(booking(&late, &id(&lapsed))["state"], "expired", "a late confirm changes nothing");
    assert_eq!(seats(center, &date, &start).1, before - 1, "the seat is back, once");

    // Another run-out hold, given back by the sweep before the next booking (no cron needed).
    let (slow, _, _) = register_resident();
    let slow_hold = booked(&slow, center, ITEM, &date, &start, true);
    d1(&format!("UPDATE bookings SET hold_until = {} WHERE id = '{}';", epoch() - 10, id(&slow_hold)));
    let (next, _, _) = register_resident();
    booked(&next, center, ITEM, &date, &start, false);
    assert_eq!(booking(&slow, &id(&slow_hold))["state"], "expired");
    assert_eq!(confirm(&slow, &id(&slow_hold)).error_code(409), "hold_expired");
    assert_eq!(seats(center, &date, &start).1, before - 2, "two confirmed bookings hold seats, the expired holds none");
    run_cron(EVERY_MINUTE);
    assert_eq!(seats(center, &date, &start).1, before - 2, "a second sweep gives nothing back twice");
}

#[test]
fn a_freed_seat_goes_to_the_first_on_the_waiting_list() {
    let center = "shiquan-road";
    let d = days(center);
    let date = d[4].clone();
    let slots = starts(center, &date);
    let (start, roomy) = (slots[2].clone(), slots[3].clone());
    set_seats(center, &date, &start, 1);

    let (a, _, _) = register_resident();
    let (b, _, _) = register_resident();
    let (c, _, _) = register_resident();
    let first = booked(&a, center, ITEM, &date, &start, false);
    assert_eq!(seats(center, &date, &start), (1, 0), "full");
    assert_eq!(book(&b, center, ITEM, &date, &start, false).error_code(409), "slot_full");

    let wb = join(&b, center, &date, &start);
    assert_eq!(wb.status, 201, "{}", wb.body);
    let wb = wb.json();
    assert_eq!((wb["state"].as_str(), wb["position"].as_u64()), (Some("waiting"), Some(0)));
    let wc = join(&c, center, &date, &start);
    assert_eq!(wc.status, 201, "{}", wc.body);
    assert_eq!(wc.json()["position"], 1, "second in line");
    assert_eq!(join(&b, center, &date, &start).error_code(409), "already_waiting");
    assert_eq!(join(&a, center, &date, &start).error_code(409), "limit_reached", "already booked this item that day");
    assert_eq!(join(&c, center, &date, &roomy).error_code(409), "slot_has_seats", "a slot with seats is booked, not waited for");
    assert_eq!(waitlist(&c).len(), 1, "the refused joins wrote nothing");

    // A cancels: the seat is offered to B (first in line) as a hold, with a notification; C still waits.
    let c1 = cancel(&a, &id(&first));
    assert_eq!(c1.status, 200, "{}", c1.body);
    let b_list = mine(&b);
    assert_eq!(b_list.len(), 1, "B was offered the seat: {b_list:?}");
    let offer = &b_list[0];
    assert_eq!((offer["state"].as_str(), offer["date"].as_str(), offer["start"].as_str()), (Some("held"), Some(date.as_str()), Some(start.as_str())));
    assert!(offer["hold_until"].as_i64().unwrap() > epoch());
    assert_eq!(notifications(&id(offer)), vec!["waitlist_offer"]);
    let b_wait = waitlist(&b);
    assert_eq!((b_wait[0]["state"].as_str(), b_wait[0]["booking_id"].as_str()), (Some("offered"), offer["id"].as_str()));
    assert!(mine(&c).is_empty(), "C got nothing yet");
    assert_eq!(waitlist(&c)[0]["position"], 0, "C is now first");
    assert_eq!(seats(center, &date, &start), (1, 0), "the seat went to the offer, not back on sale");
    assert_eq!(book(&register_resident().0, center, ITEM, &date, &start, false).error_code(409), "slot_full");

    // B lets the offer run out: it goes on to C.
    d1(&format!("UPDATE bookings SET hold_until = {} WHERE id = '{}';", epoch() - 10, id(offer)));
    run_cron(EVERY_MINUTE);
    assert_eq!(booking(&b, &id(offer))["state"], "expired");
    assert!(waitlist(&b).is_empty(), "B's entry lapsed");
    assert_eq!(confirm(&b, &id(offer)).error_code(409), "hold_expired");
    let c_list = mine(&c);
    assert_eq!(c_list.len(), 1, "C was offered the seat: {c_list:?}");
    assert_eq!(c_list[0]["state"], "held");
    assert_eq!(notifications(&id(&c_list[0])), vec!["waitlist_offer"]);
    let ok = confirm(&c, &id(&c_list[0]));
    assert_eq!(ok.status, 200, "{}", ok.body);
    assert_eq!(ok.json()["state"], "confirmed");
    assert!(waitlist(&c).is_empty(), "a confirmed offer leaves the list");
    assert_eq!(seats(center, &date, &start), (1, 0));
    run_cron(EVERY_MINUTE);
    assert_eq!(notifications(&id(&c_list[0])), vec!["waitlist_offer", "booking_confirmed"], "one offer, then its confirmation");

    // Leaving the list.
    let (e, _, _) = register_resident();
    let we = join(&e, center, &date, &start).json();
    let del = |cookie: &str, wid: &str| delete_with(&format!("/api/v1/waitlist/{wid}"), &h(&as_(cookie)));
    assert_eq!(del(&c, we["id"].as_str().unwrap()).error_code(404), "waitlist_not_found", "only one's own entry");
    assert_eq!(del(&e, we["id"].as_str().unwrap()).status, 204);
    assert!(waitlist(&e).is_empty());
    assert_eq!(del(&e, we["id"].as_str().unwrap()).error_code(404), "waitlist_not_found");
}

#[test]
fn an_offer_passes_over_someone_who_can_no_longer_take_it() {
    let center = "shiquan-road";
    let d = days(center);
    let date = d[6].clone();
    let slots = starts(center, &date);
    set_seats(center, &date, &slots[0], 1);
    let (a, _, _) = register_resident();
    let (b, _, _) = register_resident();
    let (c, _, _) = register_resident();
    let first = booked(&a, center, ITEM, &date, &slots[0], false);
    assert_eq!(join(&b, center, &date, &slots[0]).status, 201);
    assert_eq!(join(&c, center, &date, &slots[0]).status, 201);
    // B books the same item that day at another time: one per item per day, so B cannot take the seat.
    let other = booked(&b, center, ITEM, &date, &slots[1], false);

    assert_eq!(cancel(&a, &id(&first)).status, 200);
    assert_eq!(mine(&b).len(), 1, "B got no second booking");
    assert_eq!(mine(&b)[0]["id"], other["id"]);
    let c_list = mine(&c);
    assert_eq!(c_list.len(), 1, "the seat went to C: {c_list:?}");
    assert_eq!(c_list[0]["state"], "held");
    assert_eq!(notifications(&id(&c_list[0])), vec!["waitlist_offer"]);
    assert_eq!(seats(center, &date, &slots[0]), (1, 0));
}

#[test]
fn rescheduling_is_atomic() {
    let center = "yichuan-road";
    let d = days(center);
    let (day_a, day_b) = (d[3].clone(), d[4].clone());
    let (sa, sb) = (starts(center, &day_a), starts(center, &day_b));
    let (old, new, full) = ((day_a.clone(), sa[0].clone()), (day_b.clone(), sb[1].clone()), (day_b.clone(), sb[2].clone()));
    set_seats(center, &old.0, &old.1, 1);
    set_seats(center, &full.0, &full.1, 1);

    let (me, _, _) = register_resident();
    let (waiter, _, _) = register_resident();
    let (other, _, _) = register_resident();
    let b = booked(&me, center, ITEM, &old.0, &old.1, false);
    assert_eq!(join(&waiter, center, &old.0, &old.1).status, 201);
    booked(&other, center, ITEM, &full.0, &full.1, false);
    let new_before = seats(center, &new.0, &new.1).1;

    // Into a full slot: refused, and the booking stays where it was.
    assert_eq!(reschedule(&me, &id(&b), &full.0, &full.1).error_code(409), "slot_full");
    let still = booking(&me, &id(&b));
    assert_eq!((still["date"].as_str(), still["start"].as_str(), still["state"].as_str()), (Some(old.0.as_str()), Some(old.1.as_str()), Some("confirmed")));
    assert_eq!(seats(center, &old.0, &old.1), (1, 0));
    assert_eq!(seats(center, &full.0, &full.1), (1, 0));
    assert!(mine(&waiter).is_empty(), "no seat was freed, none offered");
    assert_eq!(reschedule(&me, &id(&b), &old.0, &old.1).error_code(409), "same_slot");

    // Into a slot with seats: moved in one step, the old seat offered to the waiting list.
    let r = reschedule(&me, &id(&b), &new.0, &new.1);
    assert_eq!(r.status, 200, "{}", r.body);
    let moved = r.json();
    assert_eq!((moved["id"].as_str(), moved["code"].as_str()), (b["id"].as_str(), b["code"].as_str()), "the same booking, the same code");
    assert_eq!((moved["date"].as_str(), moved["start"].as_str(), moved["state"].as_str()), (Some(new.0.as_str()), Some(new.1.as_str()), Some("confirmed")));
    assert_eq!(mine(&me).len(), 1, "moved, not copied");
    assert_eq!(seats(center, &new.0, &new.1).1, new_before - 1, "the new seat is taken");
    let offered = mine(&waiter);
    assert_eq!(offered.len(), 1, "the old seat went to the waiting list");
    assert_eq!((offered[0]["state"].as_str(), offered[0]["start"].as_str()), (Some("held"), Some(old.1.as_str())));
    assert_eq!(notifications(&id(&offered[0])), vec!["waitlist_offer"]);
    assert_eq!(seats(center, &old.0, &old.1), (1, 0));

    // One booking per item per day: not onto a day where the person already has this item.
    let third = d[5].clone();
    let s3 = starts(center, &third);
    booked(&me, center, ITEM, &third, &s3[0], false);
    assert_eq!(reschedule(&me, &id(&b), &third, &s3[1]).error_code(409), "limit_reached");
    assert_eq!(booking(&me, &id(&b))["date"], new.0);

    // Bad requests change nothing.
    let cases: Vec<(Resp, u16, &str)> = vec![
        (reschedule(&me, &id(&b), "2020-01-06", &new.1), 400, "date_not_bookable"),
        (reschedule(&me, &id(&b), "not-a-date", &new.1), 400, "date_not_bookable"),
        (reschedule(&me, &id(&b), &new.0, "09:15"), 404, "slot_not_found"),
        (reschedule(&me, &id(&b), &new.0, "25:00"), 404, "slot_not_found"),
        (post_as(&me, &format!("/api/v1/bookings/{}/reschedule", id(&b)), "{not json"), 400, "malformed_json"),
        (post_as(&me, &format!("/api/v1/bookings/{}/reschedule", id(&b)), "{}"), 400, "malformed_json"),
        (reschedule(&other, &id(&b), &day_a, &sa[3]), 404, "booking_not_found"),
        (reschedule(&me, &"0".repeat(32), &day_a, &sa[3]), 404, "booking_not_found"),
        (reschedule(&me, "not-an-id", &day_a, &sa[3]), 400, "bad_id"),
    ];
    for (r, status, code) in cases {
        assert_eq!(r.error_code(status), code, "{}", r.body);
    }
    let after = booking(&me, &id(&b));
    assert_eq!((after["date"].as_str(), after["start"].as_str()), (Some(new.0.as_str()), Some(new.1.as_str())));
    assert_eq!(seats(center, &new.0, &new.1).1, new_before - 1);

    // A cancelled booking cannot move.
    assert_eq!(cancel(&me, &id(&b)).status, 200);
    assert_eq!(reschedule(&me, &id(&b), &day_a, &sa[3]).error_code(409), "invalid_transition");
    assert_eq!(seats(center, &new.0, &new.1).1, new_before);
}

#[test]
fn the_center_cancels_with_a_reason() {
    let center = "wanli";
    let d = days(center);
    let date = d[5].clone();
    let start = starts(center, &date)[1].clone();
    set_seats(center, &date, &start, 5);
    let before = seats(center, &date, &start).1;
    assert_eq!(before, 5);
    let (me, _, _) = register_resident();
    let b = booked(&me, center, ITEM, &date, &start, false);
    let b2 = booked(&register_resident().0, center, ITEM, &date, &start, false);
    assert_eq!(seats(center, &date, &start).1, before - 2);
    let path = |b: &Value| format!("/api/v1/bookings/{}/center-cancel", id(b));
    let reason = json!({"reason": "窗口设备检修，当天暂停办理"}).to_string();

    let putuo = sign_in("window.putuo", DEMO_PASSWORD);
    let window = sign_in("window.wanli", DEMO_PASSWORD);
    assert_eq!(post_as(&putuo, &path(&b), &reason).error_code(403), "wrong_center", "another center's staff");
    assert_eq!(post_as(&me, &path(&b), &reason).error_code(403), "forbidden", "not the resident");
    assert_eq!(post_as(&window, &path(&b), &json!({"reason": " x "}).to_string()).error_code(400), "staff_reason_required");
    assert_eq!(post_as(&window, &path(&b), "{}").error_code(400), "malformed_json");
    assert_eq!(post_as(&window, &format!("/api/v1/bookings/{}/center-cancel", "0".repeat(32)), &reason).error_code(404), "booking_not_found");
    assert_eq!(booking(&me, &id(&b))["state"], "confirmed", "the refusals changed nothing");
    assert_eq!(notifications(&id(&b)), vec!["booking_confirmed"], "only the booking itself");

    let r = post_as(&window, &path(&b), &reason);
    assert_eq!(r.status, 200, "{}", r.body);
    assert_eq!(r.json()["state"], "cancelled");
    let seen = booking(&me, &id(&b));
    assert_eq!((seen["state"].as_str(), seen["cancel_reason"].as_str()), (Some("cancelled"), Some("窗口设备检修，当天暂停办理")), "the resident sees why");
    assert_eq!(notifications(&id(&b)), vec!["booking_confirmed", "booking_cancelled_by_center"]);
    assert_eq!(seats(center, &date, &start).1, before - 1, "the seat is back");
    assert_eq!(post_as(&window, &path(&b), &reason).error_code(409), "invalid_transition");
    assert_eq!(notifications(&id(&b)), vec!["booking_confirmed", "booking_cancelled_by_center"], "told once");
    assert_eq!(seats(center, &date, &start).1, before - 1, "and given back once");

    // The center's admin and the district admin may too.
    let admin = sign_in("admin.wanli", DEMO_PASSWORD);
    let r = post_as(&admin, &path(&b2), &reason);
    assert_eq!(r.status, 200, "{}", r.body);
    assert_eq!(seats(center, &date, &start).1, before);
    let b3 = booked(&me, center, ITEM, &d[6], &start, false);
    let r = post_as(&sign_in("admin.district", DEMO_PASSWORD), &path(&b3), &reason);
    assert_eq!(r.status, 200, "{}", r.body);
    assert_eq!(r.json()["cancel_reason"], "窗口设备检修，当天暂停办理");
}

#[test]
fn the_booking_code_as_a_qr_image_for_its_owner() {
    let center = "taopu";
    let d = days(center);
    let (me, _, _) = register_resident();
    let b = booked(&me, center, ITEM, &d[6], &starts(center, &d[6])[0], false);
    let r = get_as(&me, &format!("/api/v1/bookings/{}/qr", id(&b)));
    assert_eq!(r.status, 200, "{}", r.body);
    assert_eq!(r.header("content-type"), Some("image/svg+xml"));
    assert!(r.body.contains("<svg") && r.body.contains("</svg>"), "{}", &r.body[..r.body.len().min(200)]);
    assert_eq!(get_as(&register_resident().0, &format!("/api/v1/bookings/{}/qr", id(&b))).error_code(404), "booking_not_found");
    assert_eq!(get(&format!("/api/v1/bookings/{}/qr", id(&b))).error_code(401), "unauthenticated");
}

/// Moves a booking to a past day, as if its day had come and gone.
fn into_the_past(booking_id: &str, date: &str, start: &str) {
    d1(&format!("UPDATE bookings SET date = '{date}', start = '{start}' WHERE id = '{booking_id}';"));
}

#[test]
fn closing_the_day_marks_no_shows_once() {
    let center = "changfeng";
    let d = days(center);
    let today = beijing_now().date();
    let people: Vec<String> = (0..4).map(|_| register_resident().0).collect();
    let start = starts(center, &d[3])[0].clone();
    set_seats(center, &d[3], &start, 10);
    let bs: Vec<Value> = people.iter().map(|p| booked(p, center, ITEM, &d[3], &start, false)).collect();
    // Two days ago; yesterday afternoon; today later on (not yet due); and one left in the future.
    into_the_past(&id(&bs[0]), &(today - chrono::Duration::days(2)).to_string(), "09:00");
    into_the_past(&id(&bs[1]), &(today - chrono::Duration::days(1)).to_string(), "16:30");
    let later = (beijing_now() + chrono::Duration::minutes(90)).min(today.and_hms_opt(23, 59, 0).unwrap());
    into_the_past(&id(&bs[2]), &today.to_string(), &later.format("%H:%M").to_string());
    // A ticket today so the day has figures to store (in a line no other test takes tickets in).
    let t = post_with("/api/v1/centers/changshou-road/tickets", "", &[("Origin", &base())]);
    assert_eq!(t.status, 201, "{}", t.body);

    run_cron(CLOSE_DAY);
    let state = |i: usize| booking(&people[i], &id(&bs[i]))["state"].as_str().unwrap().to_string();
    assert_eq!((state(0), state(1), state(2), state(3)), ("no_show".into(), "no_show".into(), "confirmed".into(), "confirmed".into()));
    let stats = d1_rows(&format!("SELECT tickets, no_shows FROM daily_stats WHERE day = '{today}' AND class_id = 'changshou-road-a' AND window_no = 0;"));
    assert_eq!(stats.len(), 1, "the day's figures are stored: {stats:?}");

    run_cron(CLOSE_DAY);
    for (i, b) in bs.iter().enumerate().take(2) {
        assert_eq!(state(i), "no_show");
        assert_eq!(notifications(&id(b)), vec!["booking_confirmed", "no_show"], "one notification per no-show, however often the job runs");
    }
    // (bs[2] may also get its hour-before reminder when this runs late in the evening.)
    for b in [&bs[2], &bs[3]] {
        let n = notifications(&id(b));
        assert!(n.contains(&"booking_confirmed".to_string()) && !n.contains(&"no_show".to_string()), "no no-show for them: {n:?}");
    }
    let again = d1_rows(&format!("SELECT tickets, no_shows FROM daily_stats WHERE day = '{today}' AND class_id = 'changshou-road-a' AND window_no = 0;"));
    assert_eq!(again, stats, "the figures are replaced, not added up");

    // One no-show is not yet a ban.
    let r = book(&people[0], center, ITEM, &d[4], &start, false);
    assert_eq!(r.status, 201, "{}", r.body);
}

#[test]
fn two_no_shows_suspend_booking_until_staff_lift_it() {
    let center = "changzheng";
    let d = days(center);
    let today = beijing_now().date();
    let (me, account, id_number) = register_resident();
    let start = starts(center, &d[3])[0].clone();
    let a = booked(&me, center, ITEM, &d[3], &start, false);
    let b = booked(&me, center, OTHER_ITEM, &d[3], &start, false);
    into_the_past(&id(&a), &(today - chrono::Duration::days(6)).to_string(), "10:00");
    into_the_past(&id(&b), &(today - chrono::Duration::days(3)).to_string(), "10:00");
    run_cron(CLOSE_DAY);
    assert_eq!(booking(&me, &id(&a))["state"], "no_show");
    assert_eq!(booking(&me, &id(&b))["state"], "no_show");

    assert_eq!(book(&me, center, ITEM, &d[4], &start, false).error_code(403), "booking_banned");
    assert_eq!(book(&me, center, ITEM, &d[4], &start, true).error_code(403), "booking_banned", "holds too");
    set_seats(center, &d[5], &start, 0);
    assert_eq!(join(&me, center, &d[5], &start).error_code(403), "booking_banned", "and the waiting list");
    assert_eq!(mine(&me).len(), 2, "nothing was booked");

    // Lifting: front-desk staff only, with a reason, for a real person.
    let lift = |cookie: &str, body: Value| post_as(cookie, "/api/v1/people/ban-lifts", &body.to_string());
    let window = sign_in("window.putuo", DEMO_PASSWORD);
    assert_eq!(lift(&me, json!({"id_number": id_number, "reason": "我自己解除"})).error_code(403), "forbidden");
    assert_eq!(lift(&sign_in("approver.rsj", DEMO_PASSWORD), json!({"id_number": id_number, "reason": "核实情况"})).error_code(403), "forbidden");
    assert_eq!(lift(&window, json!({"id_number": id_number, "reason": ""})).error_code(400), "reason_required");
    assert_eq!(lift(&window, json!({"id_number": "12345", "reason": "核实情况"})).error_code(400), "invalid_id_number");
    assert_eq!(lift(&window, json!({"id_number": tongban_tests::new_resident_id(), "reason": "核实情况"})).error_code(404), "person_not_found");
    assert_eq!(post_as(&window, "/api/v1/people/ban-lifts", "{not json").error_code(400), "malformed_json");
    assert_eq!(book(&me, center, ITEM, &d[4], &start, false).error_code(403), "booking_banned", "the refused lifts lifted nothing");

    let r = lift(&window, json!({"id_number": id_number, "reason": "因病就医，已提供证明"}));
    assert_eq!(r.status, 200, "{}", r.body);
    let status = r.json();
    assert_eq!(status["account_id"], account);
    assert!(status["banned_until"].is_null(), "{status}");
    assert_eq!(status["no_shows"].as_array().unwrap().len(), 0, "earlier no-shows stop counting: {status}");
    let ok = book(&me, center, ITEM, &d[4], &start, false);
    assert_eq!(ok.status, 201, "booking again after the lift: {}", ok.body);

    // The lift is in the audit log, with who and why.
    let audit = get_as(&sign_in("admin.district", DEMO_PASSWORD), "/api/v1/audit").json();
    let entry = audit.as_array().unwrap().iter().find(|e| e["action"] == "lift_ban" && e["reason"] == "因病就医，已提供证明");
    let entry = entry.unwrap_or_else(|| panic!("no lift_ban entry in {audit}"));
    assert_eq!(entry["actor_login"], "window.putuo");
}

#[test]
fn bad_waiting_list_requests_write_nothing() {
    let center = "zhenru";
    let d = days(center);
    let date = d[7].clone();
    let start = starts(center, &date)[0].clone();
    set_seats(center, &date, &start, 0);
    let (me, _, _) = register_resident();
    let weekend = {
        let mut x = chrono::NaiveDate::parse_from_str(&date, "%Y-%m-%d").unwrap();
        while chrono::Datelike::weekday(&x) != chrono::Weekday::Sun {
            x += chrono::Duration::days(1);
        }
        x.to_string()
    };
    let body = |c: &str, i: &str, dt: &str, s: &str| json!({"center_id": c, "item_id": i, "date": dt, "start": s}).to_string();
    let cases: Vec<(Resp, u16, &str)> = vec![
        (post_as(&me, "/api/v1/waitlist", "{not json"), 400, "malformed_json"),
        (post_as(&me, "/api/v1/waitlist", "[]"), 400, "malformed_json"),
        (post_as(&me, "/api/v1/waitlist", &body(center, ITEM, "2020-01-06", &start)), 400, "date_not_bookable"),
        (post_as(&me, "/api/v1/waitlist", &body(center, ITEM, &weekend, &start)), 400, "date_not_bookable"),
        (post_as(&me, "/api/v1/waitlist", &body(center, ITEM, "tomorrow", &start)), 400, "date_not_bookable"),
        (post_as(&me, "/api/v1/waitlist", &body(center, ITEM, &date, "09:15")), 404, "slot_not_found"),
        (post_as(&me, "/api/v1/waitlist", &body("atlantis", ITEM, &date, &start)), 404, "center_not_found"),
        (post_as(&me, "/api/v1/waitlist", &body(center, "no-such-item", &date, &start)), 404, "not_served_here"),
        (post_as(&me, "/api/v1/waitlist", &body("Zhenru", ITEM, &date, &start)), 400, "bad_id"),
        (post_with("/api/v1/waitlist", &body(center, ITEM, &date, &start), &[("Origin", &base())]), 401, "unauthenticated"),
        (post_with("/api/v1/waitlist", &body(center, ITEM, &date, &start), &[("Cookie", &me)]), 403, "cross_origin"),
        (delete_with(&format!("/api/v1/waitlist/{}", "0".repeat(32)), &h(&as_(&me))), 404, "waitlist_not_found"),
        (delete_with("/api/v1/waitlist/xyz", &h(&as_(&me))), 400, "bad_id"),
        (confirm(&me, &"0".repeat(32)), 404, "booking_not_found"),
        (confirm(&me, "xyz"), 400, "bad_id"),
    ];
    for (r, status, code) in cases {
        assert_eq!(r.error_code(status), code, "{}", r.body);
    }
    assert!(waitlist(&me).is_empty(), "nothing was written");
    assert!(mine(&me).is_empty());
    // The same request done right is accepted: the refusals were about the input.
    let ok = post_as(&me, "/api/v1/waitlist", &body(center, ITEM, &date, &start));
    assert_eq!(ok.status, 201, "{}", ok.body);
    assert_eq!(waitlist(&me).len(), 1);
}

/// Every file of the local state (D1, R2, KV): what an operator with the disk would read.
fn state_holds(needle: &[u8]) -> Vec<String> {
    let dir = std::env::var("TONGBAN_STATE_DIR").expect("TONGBAN_STATE_DIR");
    let mut stack = vec![std::path::PathBuf::from(dir)];
    let mut hits = Vec::new();
    while let Some(d) = stack.pop() {
        for e in std::fs::read_dir(&d).unwrap().flatten() {
            let p = e.path();
            if p.is_dir() {
                stack.push(p);
            } else if let Ok(bytes) = std::fs::read(&p) {
                if bytes.windows(needle.len()).any(|w| w == needle) {
                    hits.push(p.display().to_string());
                }
            }
        }
    }
    hits
}

/// Issue 16 §4: deletion deletes. Before: profile, drafts, uploads (and their bytes), push subscriptions
/// and active bookings stayed, and reminders went on. The export lists each category first, so export and
/// deletion are seen to cover the same set.
#[test]
fn deleting_an_account_ends_bookings_and_erases_every_category_it_exports() {
    let center = "ganquan-road";
    let d = days(center);
    let (day, day2) = (d[5].clone(), d[6].clone());
    let (start, start2) = (starts(center, &day)[1].clone(), starts(center, &day2)[2].clone());
    // 甘泉路 has one any-item line, which no other test books this far ahead.
    set_class_seats("ganquan-road-a", center, &day, &start, 1);
    set_class_seats("ganquan-road-a", center, &day2, &start2, 1);
    let id_number = tongban_tests::new_resident_id();
    let name = "注销测试人";
    let mobile = "13766665555";
    let r = post_with(
        "/api/v1/accounts/residents",
        &json!({"name": name, "id_number": id_number, "mobile": mobile, "password": "a resident for the tests"}).to_string(),
        &[("Origin", &base())],
    );
    assert_eq!(r.status, 201, "{}", r.body);
    let me = r.session_cookie().unwrap();
    let me_id = r.json()["id"].as_str().unwrap().to_string();
    let (waiter, _, _) = register_resident();
    let (other, _, _) = register_resident();

    // A booking with someone waiting behind it, a place on another full slot's list, a draft, a saved
    // profile, an upload, a push device and the inbox's messages.
    let b = booked(&me, center, ITEM, &day, &start, false);
    assert_eq!(join(&waiter, center, &day, &start).status, 201);
    booked(&other, center, ITEM, &day2, &start2, false);
    assert_eq!(join(&me, center, &day2, &start2).status, 201);
    let marker = unique("草稿标记");
    let draft = put_with("/api/v1/bundles/open-restaurant/draft", &json!({"values": {"company_name": marker}}).to_string(), &h(&as_(&me)));
    assert_eq!(draft.status, 200, "{}", draft.body);
    let address = unique("上海市普陀区注销路");
    d1(&format!(
        "INSERT INTO profiles (account_id, values_enc, updated_at) VALUES ('{me_id}', '{}', 0);",
        tongban_tests::sealed(&json!({"address": address}).to_string())
    ));
    let up = tongban_tests::upload_file(&me, "身份证.pdf", b"%PDF-1.4 a scan to be erased");
    assert_eq!(up.status, 201, "{}", up.body);
    let upload = up.json()["id"].as_str().unwrap().to_string();
    let endpoint = format!("http://127.0.0.1:1/push/{}", unique("gone"));
    let sub = json!({"endpoint": endpoint, "keys": {"p256dh": "B".repeat(87), "auth": "A".repeat(22)}});
    assert_eq!(post_as(&me, "/api/v1/push/subscriptions", &sub.to_string()).status, 201);
    let before = seats(center, &day, &start);

    let export = get_as(&me, "/api/v1/me/export");
    assert_eq!(export.status, 200, "{}", export.body);
    let x = export.json();
    assert_eq!((x["name"].as_str(), x["id_number"].as_str(), x["mobile"].as_str()), (Some(name), Some(id_number.as_str()), Some(mobile)));
    for category in ["bookings", "waitlist", "drafts", "uploads", "push_devices", "inbox"] {
        assert!(!x[category].as_array().unwrap_or_else(|| panic!("{category} in {x}")).is_empty(), "the export lists {category}: {x}");
    }
    assert_eq!(x["saved_profile"]["address"], address.as_str());
    assert_eq!(x["drafts"][0]["values"]["company_name"], marker.as_str());
    assert_eq!(x["uploads"][0]["id"], upload.as_str());
    assert_eq!(x["push_devices"][0]["service"], "127.0.0.1:1");
    assert!(x["notify_prefs"].is_object(), "{x}");
    let object = format!("uploads/{upload}");
    assert!(tongban_tests::r2_has(&object), "the upload's object is in local R2 before");

    let del = post_as(&me, "/api/v1/me/deletion", &json!({"password": "a resident for the tests"}).to_string());
    assert_eq!(del.status, 204, "{}", del.body);

    // The booking is cancelled, its seat offered to the waiting list, and this person's place dropped.
    let row = &d1_rows(&format!("SELECT state FROM bookings WHERE id = '{}';", id(&b)))[0];
    assert_eq!(row["state"], "cancelled");
    let offered = waitlist(&waiter);
    assert_eq!(offered[0]["state"], "offered", "the freed seat went to the person waiting: {offered:?}");
    assert_eq!(seats(center, &day, &start), before, "the seat freed by the deletion is now held for the person waiting");
    let mine_left = d1_rows(&format!("SELECT state FROM waitlist WHERE account_id = '{me_id}';"));
    assert!(mine_left.iter().all(|r| r["state"] == "left"), "{mine_left:?}");
    for table in ["sessions", "profiles", "drafts", "uploads", "push_subscriptions", "notify_prefs", "notifications"] {
        let n = d1_rows(&format!("SELECT count(*) AS n FROM {table} WHERE account_id = '{me_id}';"))[0]["n"].as_i64().unwrap();
        assert_eq!(n, 0, "{table} still holds the deleted account's rows");
    }
    assert_eq!(d1_rows(&format!("SELECT count(*) AS n FROM erasures WHERE object_key = '{object}';"))[0]["n"], 0, "nothing left queued");
    // No reminder can come back: the nightly job finds nothing of theirs.
    run_cron(CLOSE_DAY);
    assert_eq!(d1_rows(&format!("SELECT count(*) AS n FROM notifications WHERE account_id = '{me_id}';"))[0]["n"], 0);
    assert!(!tongban_tests::r2_has(&object), "the upload's bytes are gone from R2");
    // And the raw files hold none of it: not the ID number, the mobile, the name, the draft nor the
    // profile's address.
    for (what, needle) in [("ID number", id_number.as_str()), ("mobile", mobile), ("name", name), ("draft", &marker), ("address", &address)] {
        let hits = state_holds(needle.as_bytes());
        assert!(hits.is_empty(), "the {what} is still in {hits:?}");
    }
}
