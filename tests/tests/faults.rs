//! A D1 statement failing inside a batch, on real workerd: the caller gets a retryable 409
//! `write_conflict` (never a 5xx), nothing of the batch is left behind, and the same request sent again
//! once the fault is gone goes through exactly once.
//!
//! The fault is real, not mocked: a trigger added to the local D1 files aborts one statement of the batch,
//! and only for the idempotency key of the test, so the tests running beside it are not touched.

use serde_json::{json, Value};
use tongban_tests::{
    base, d1, d1_rows, get, get_with, post_with, put_with, ready_residents, restaurant, sign_in, unique, uploads, Resp, BUSINESS, BUSINESS_LICENCE,
    DEMO_PASSWORD, REP_ID,
};

fn count(sql: &str) -> u64 {
    d1_rows(sql)[0]["n"].as_u64().expect("a count")
}

/// Makes every statement inserting into `table` fail while `when` holds for the new row.
struct Fault(String);

impl Fault {
    fn on_insert(table: &str, when: &str) -> Fault {
        let name = unique("fault_").replace(['-', '.'], "_");
        d1(&format!("CREATE TRIGGER {name} BEFORE INSERT ON {table} WHEN {when} BEGIN SELECT RAISE(ABORT, 'injected fault'); END;"));
        Fault(name)
    }
}

impl Drop for Fault {
    fn drop(&mut self) {
        d1(&format!("DROP TRIGGER IF EXISTS {};", self.0));
    }
}

fn assert_retryable(r: &Resp) {
    assert_eq!(r.status, 409, "{}", r.body);
    assert_eq!(r.json()["error"]["code"], "write_conflict", "{}", r.body);
    assert_eq!(r.header("retry-after"), Some("1"));
    assert!(r.json()["error"]["message"].as_str().unwrap().contains("未保存"), "{}", r.body);
}

#[test]
fn a_booking_whose_insert_fails_takes_no_seat_and_succeeds_when_retried() {
    let cookie = ready_residents(&unique("fault-book"), 1).remove(0);
    let center = "wanli";
    let item = "rsj-social-security-card";
    let days = get(&format!("/api/v1/centers/{center}/availability?item={item}")).json();
    let date = days["days"][0]["date"].as_str().unwrap().to_string();
    let remaining = || {
        let a = get(&format!("/api/v1/centers/{center}/availability?item={item}&date={date}")).json();
        a["slots"][0]["remaining"].as_u64().unwrap()
    };
    let start = get(&format!("/api/v1/centers/{center}/availability?item={item}&date={date}")).json()["slots"][0]["start"].as_str().unwrap().to_string();
    let key = unique("fault-key-");
    let book = || {
        let body = json!({"center_id": center, "item_id": item, "date": date, "start": start}).to_string();
        post_with("/api/v1/bookings", &body, &[("Origin", &base()), ("Cookie", &cookie), ("Idempotency-Key", &key)])
    };
    let before = remaining();
    {
        let _fault = Fault::on_insert("bookings", &format!("NEW.idem_key = '{key}'"));
        assert_retryable(&book());
        // The seat counter moved in the same batch before the insert failed: it must have moved back.
        assert_eq!(remaining(), before, "a failed booking holds no seat");
        assert_eq!(count(&format!("SELECT count(*) AS n FROM bookings WHERE idem_key = '{key}'")), 0);
    }
    let r = book();
    assert_eq!(r.status, 201, "{}", r.body);
    assert_eq!(remaining(), before - 1);
    let again = book();
    assert_eq!((again.status, again.json()["id"].clone()), (200, r.json()["id"].clone()), "the retry after success is the same booking");
}

#[test]
fn an_application_whose_cases_fail_leaves_no_application_and_keeps_the_draft() {
    let cookie = sign_in(BUSINESS, DEMO_PASSWORD);
    let o = base();
    let h = [("Origin", o.as_str()), ("Cookie", cookie.as_str())];
    let values = restaurant(&uploads(&tongban_shared::account::seed_account_id(BUSINESS), 5));
    // A draft in progress, which a successful submission clears and a failed one must keep.
    let note = unique("草稿-");
    let saved = put_with("/api/v1/bundles/open-restaurant/draft", &json!({"values": {"business_scope": note}}).to_string(), &h);
    assert_eq!(saved.status, 200, "{}", saved.body);
    let key = unique("fault-app-");
    let body = json!({"bundle_id": "open-restaurant", "center_id": "putuo-district", "consent": [BUSINESS_LICENCE, REP_ID], "values": values}).to_string();
    let submit = || {
        let mut hd = h.to_vec();
        hd.push(("Idempotency-Key", &key));
        post_with("/api/v1/applications", &body, &hd)
    };
    {
        // The application row comes first in the batch; the cases after it fail.
        let _fault = Fault::on_insert("cases", &format!("(SELECT idem_key FROM applications WHERE id = NEW.application_id) = '{key}'"));
        let r = submit();
        assert_retryable(&r);
        assert_eq!(count(&format!("SELECT count(*) AS n FROM applications WHERE idem_key = '{key}'")), 0, "no application without its cases");
        assert_eq!(count("SELECT count(*) AS n FROM cases WHERE application_id NOT IN (SELECT id FROM applications)"), 0);
        assert_eq!(count("SELECT count(*) AS n FROM case_events WHERE application_id NOT IN (SELECT id FROM applications)"), 0);
        assert_eq!(count("SELECT count(*) AS n FROM application_files WHERE application_id NOT IN (SELECT id FROM applications)"), 0);
        let kept = get_with("/api/v1/bundles/open-restaurant/draft", &h);
        assert_eq!(kept.json()["values"]["business_scope"], note.as_str(), "the draft survives a failed submission: {}", kept.body);
    }
    let r = submit();
    assert_eq!(r.status, 201, "{}", r.body);
    let app: Value = r.json();
    let id = app["id"].as_str().unwrap();
    let cases = app["cases"].as_array().unwrap().len();
    assert!(cases >= 3, "{}", r.body);
    assert_eq!(count(&format!("SELECT count(*) AS n FROM cases WHERE application_id = '{id}'")), cases as u64);
    assert_eq!(submit().json()["id"], app["id"], "sent again, the same application");
}
