//! Web Push end to end on real workerd: a push service written for the tests listens on loopback,
//! checks each request's VAPID JWT (ES256 signature, audience, expiry, key) and decrypts its aes128gcm
//! body with the subscription's private key, as a browser would. Cases: a booking is pushed and in the
//! inbox; the reminder job run twice pushes once; 410 removes the subscription; 500 is retried with
//! backoff, four attempts in all; pushes switched off leave the inbox only; a browser that changes hands
//! gets only the new person's pushes.

use aes_gcm::aead::{Aead, KeyInit};
use aes_gcm::{Aes128Gcm, Nonce};
use base64::engine::general_purpose::URL_SAFE_NO_PAD as B64;
use base64::Engine;
use hkdf::Hkdf;
use p256::ecdsa::signature::Verifier;
use p256::ecdsa::{Signature, VerifyingKey};
use p256::{PublicKey, SecretKey};
use serde_json::{json, Value};
use sha2::Sha256;
use std::collections::HashMap;
use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpListener;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};
use tongban_tests::{base, beijing_now, d1, d1_rows, get, get_with, post_with, put_with, register_resident, run_cron, unique, Resp};

#[derive(Clone, Debug)]
struct Received {
    path: String,
    authorization: String,
    encoding: String,
    body: Vec<u8>,
}

/// A push service on 127.0.0.1: answers each path with the status set for it (201 by default).
struct PushService {
    port: u16,
    got: Arc<Mutex<Vec<Received>>>,
    status: Arc<Mutex<HashMap<String, u16>>>,
}

impl PushService {
    fn start() -> PushService {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let port = listener.local_addr().unwrap().port();
        let got = Arc::new(Mutex::new(Vec::new()));
        let status: Arc<Mutex<HashMap<String, u16>>> = Arc::new(Mutex::new(HashMap::new()));
        let (g, st) = (got.clone(), status.clone());
        std::thread::spawn(move || {
            for stream in listener.incoming().flatten() {
                let (g, st) = (g.clone(), st.clone());
                std::thread::spawn(move || {
                    let mut r = BufReader::new(stream.try_clone().unwrap());
                    let mut line = String::new();
                    if r.read_line(&mut line).is_err() {
                        return;
                    }
                    let path = line.split_whitespace().nth(1).unwrap_or("").to_string();
                    let mut headers = HashMap::new();
                    loop {
                        let mut h = String::new();
                        if r.read_line(&mut h).is_err() || h.trim().is_empty() {
                            break;
                        }
                        if let Some((k, v)) = h.split_once(':') {
                            headers.insert(k.trim().to_ascii_lowercase(), v.trim().to_string());
                        }
                    }
                    let len: usize = headers.get("content-length").and_then(|v| v.parse().ok()).unwrap_or(0);
                    let mut body = vec![0u8; len];
                    let _ = r.read_exact(&mut body);
                    let code = *st.lock().unwrap().get(&path).unwrap_or(&201);
                    g.lock().unwrap().push(Received {
                        path,
                        authorization: headers.get("authorization").cloned().unwrap_or_default(),
                        encoding: headers.get("content-encoding").cloned().unwrap_or_default(),
                        body,
                    });
                    let mut s = stream;
                    let _ = write!(s, "HTTP/1.1 {code} X\r\ncontent-length: 0\r\nconnection: close\r\n\r\n");
                });
            }
        });
        PushService { port, got, status }
    }

    fn requests(&self, path: &str) -> Vec<Received> {
        self.got.lock().unwrap().iter().filter(|r| r.path == path).cloned().collect()
    }

    /// Waits until `n` requests reached `path` (pushes are sent after the answer, via waitUntil).
    fn wait_for(&self, path: &str, n: usize) -> Vec<Received> {
        let t = Instant::now();
        while t.elapsed() < Duration::from_secs(10) {
            let r = self.requests(path);
            if r.len() >= n {
                return r;
            }
            std::thread::sleep(Duration::from_millis(100));
        }
        panic!("{n} push(es) to {path} expected, got {:?}", self.requests(path).len())
    }
}

/// A browser's side of a subscription: its key pair and auth secret.
struct Browser {
    secret: SecretKey,
    auth: [u8; 16],
    endpoint: String,
    path: String,
}

impl Browser {
    fn new(service: &PushService, seed: u8) -> Browser {
        let path = format!("/push/{}", unique("sub"));
        Browser {
            secret: SecretKey::from_slice(&[seed; 32]).unwrap(),
            auth: [seed ^ 0x5a; 16],
            endpoint: format!("http://127.0.0.1:{}{path}", service.port),
            path,
        }
    }

    fn subscription(&self) -> Value {
        json!({"endpoint": self.endpoint, "keys": {"p256dh": B64.encode(self.secret.public_key().to_sec1_bytes()), "auth": B64.encode(self.auth)}})
    }

    /// RFC 8291 §3.4 and RFC 8188, receiving side.
    fn decrypt(&self, body: &[u8]) -> Value {
        let salt = &body[..16];
        let idlen = body[20] as usize;
        let as_public = &body[21..21 + idlen];
        let shared = p256::ecdh::diffie_hellman(self.secret.to_nonzero_scalar(), PublicKey::from_sec1_bytes(as_public).unwrap().as_affine());
        let info = [b"WebPush: info\0".as_slice(), &self.secret.public_key().to_sec1_bytes(), as_public].concat();
        let mut ikm = [0u8; 32];
        Hkdf::<Sha256>::new(Some(&self.auth), shared.raw_secret_bytes()).expand(&info, &mut ikm).unwrap();
        let hk = Hkdf::<Sha256>::new(Some(salt), &ikm);
        let (mut cek, mut nonce) = ([0u8; 16], [0u8; 12]);
        hk.expand(b"Content-Encoding: aes128gcm\0", &mut cek).unwrap();
        hk.expand(b"Content-Encoding: nonce\0", &mut nonce).unwrap();
        let mut pt = Aes128Gcm::new(&cek.into()).decrypt(&Nonce::from(nonce), &body[21 + idlen..]).expect("the payload decrypts with the subscription's keys");
        assert_eq!(pt.pop(), Some(2));
        serde_json::from_slice(&pt).unwrap()
    }
}

/// RFC 8292: the JWT is ES256-signed by the key in `k` (the server's published key), names this push
/// service's origin as audience, and has not expired.
fn check_vapid(r: &Received, port: u16) {
    let (t, k) = r.authorization.strip_prefix("vapid t=").and_then(|a| a.split_once(", k=")).unwrap_or_else(|| panic!("Authorization: {}", r.authorization));
    assert_eq!(k, get("/api/v1/push/key").json()["public_key"], "signed with the published VAPID key");
    let parts: Vec<&str> = t.split('.').collect();
    let key = VerifyingKey::from_sec1_bytes(&B64.decode(k).unwrap()).unwrap();
    let sig = Signature::from_slice(&B64.decode(parts[2]).unwrap()).unwrap();
    assert!(key.verify(format!("{}.{}", parts[0], parts[1]).as_bytes(), &sig).is_ok(), "ES256 signature");
    let claims: Value = serde_json::from_slice(&B64.decode(parts[1]).unwrap()).unwrap();
    assert_eq!(claims["aud"], format!("http://127.0.0.1:{port}"));
    let exp = claims["exp"].as_i64().unwrap();
    let now = chrono::Utc::now().timestamp();
    assert!(exp > now && exp <= now + 24 * 3600, "exp within 24 h (RFC 8292 §2): {exp}");
    assert_eq!(r.encoding, "aes128gcm");
}

fn as_(cookie: &str) -> Vec<(&'static str, String)> {
    vec![("Origin", base()), ("Cookie", cookie.to_string())]
}
fn hv<'a>(v: &'a [(&'static str, String)]) -> Vec<(&'static str, &'a str)> {
    v.iter().map(|(k, x)| (*k, x.as_str())).collect()
}

/// Subscribes, with quiet hours moved to the other side of the clock: these tests must pass at any
/// hour (the quiet-hours rule itself is tested in `shared::notify`).
fn subscribe(cookie: &str, b: &Browser) {
    let r = post_with("/api/v1/push/subscriptions", &b.subscription().to_string(), &hv(&as_(cookie)));
    assert_eq!(r.status, 201, "{}", r.body);
    let far = beijing_now() + chrono::Duration::hours(12);
    let prefs = json!({
        "push": ["booking_confirmed", "booking_rescheduled", "booking_cancelled", "booking_cancelled_by_center", "reminder_day_before",
                 "reminder_hour_before", "waitlist_offer", "checked_in", "three_ahead", "your_turn", "skipped", "no_show"],
        "quiet_from": far.format("%H:%M").to_string(),
        "quiet_until": (far + chrono::Duration::minutes(1)).format("%H:%M").to_string(),
    });
    let r = put_with("/api/v1/notify/prefs", &prefs.to_string(), &hv(&as_(cookie)));
    assert_eq!(r.status, 200, "{}", r.body);
}

const CENTER: &str = "shiquan-road";
const ITEM: &str = "rsj-social-security-card";

/// Books the `n`-th slot of the second bookable day at the center (a direct, confirmed booking).
fn book(cookie: &str, n: usize) -> Resp {
    let days = get(&format!("/api/v1/centers/{CENTER}/availability?item={ITEM}")).json();
    let date = days["days"][1]["date"].as_str().unwrap().to_string();
    let slots = get(&format!("/api/v1/centers/{CENTER}/availability?item={ITEM}&date={date}")).json();
    let start = slots["slots"][n]["start"].as_str().unwrap().to_string();
    let body = json!({"center_id": CENTER, "item_id": ITEM, "date": date, "start": start}).to_string();
    let mut h = as_(cookie);
    h.push(("Idempotency-Key", unique("push-")));
    post_with("/api/v1/bookings", &body, &hv(&h))
}

fn deliveries(account_sub_endpoint: &str) -> Vec<Value> {
    d1_rows(&format!(
        "SELECT d.state, d.attempts, n.kind FROM push_deliveries d JOIN notifications n ON n.id = d.notification_id \
         WHERE d.subscription_id IN (SELECT id FROM push_subscriptions WHERE endpoint = '{account_sub_endpoint}') ORDER BY n.created_at;"
    ))
}

#[test]
fn a_booking_is_pushed_encrypted_and_signed_and_kept_in_the_inbox() {
    let service = PushService::start();
    let (me, _, _) = register_resident();
    let phone = Browser::new(&service, 21);
    subscribe(&me, &phone);
    let b = book(&me, 3);
    assert_eq!(b.status, 201, "{}", b.body);
    let got = service.wait_for(&phone.path, 1);
    check_vapid(&got[0], service.port);
    let payload = phone.decrypt(&got[0].body);
    assert_eq!(payload["kind"], "booking_confirmed");
    assert_eq!(payload["title"], "预约成功", "in the language the person subscribed with (zh by default)");
    assert_eq!(payload["url"], "/bookings");
    let inbox = get_with("/api/v1/notifications", &[("Cookie", &me)]).json();
    assert_eq!(inbox["items"][0]["kind"], "booking_confirmed", "the inbox has it whatever the push did");
}

#[test]
fn the_reminder_job_run_twice_pushes_once() {
    let service = PushService::start();
    let (me, _, _) = register_resident();
    let phone = Browser::new(&service, 22);
    subscribe(&me, &phone);
    let b = book(&me, 4).json();
    service.wait_for(&phone.path, 1);
    // The slot moves to 30 minutes from now (across midnight too: the CI run that found the job
    // skipping 23:00–24:00 ran then), booked two hours ago, so its hour-before reminder is due.
    let soon = beijing_now() + chrono::Duration::minutes(30);
    d1(&format!(
        "UPDATE bookings SET date = '{}', start = '{}', created_at = created_at - 7200 WHERE id = '{}';",
        soon.date(),
        soon.format("%H:%M"),
        b["id"].as_str().unwrap()
    ));
    run_cron("* * * * *");
    run_cron("* * * * *");
    let got = service.wait_for(&phone.path, 2);
    std::thread::sleep(Duration::from_secs(2));
    let got_later = service.requests(&phone.path);
    assert_eq!(got_later.len(), got.len(), "no second reminder push");
    let kinds: Vec<Value> = got_later.iter().map(|r| phone.decrypt(&r.body)["kind"].clone()).collect();
    assert_eq!(kinds, vec![json!("booking_confirmed"), json!("reminder_hour_before")]);
    let n = d1_rows(&format!("SELECT count(*) AS n FROM notifications WHERE ref_id = '{}' AND kind = 'reminder_hour_before';", b["id"].as_str().unwrap()));
    assert_eq!(n[0]["n"], 1);
}

#[test]
fn a_gone_subscription_is_removed() {
    let service = PushService::start();
    let (me, _, _) = register_resident();
    let phone = Browser::new(&service, 23);
    service.status.lock().unwrap().insert(phone.path.clone(), 410);
    subscribe(&me, &phone);
    assert_eq!(book(&me, 5).status, 201);
    service.wait_for(&phone.path, 1);
    let t = Instant::now();
    loop {
        let left = d1_rows(&format!("SELECT count(*) AS n FROM push_subscriptions WHERE endpoint = '{}';", phone.endpoint));
        if left[0]["n"] == 0 {
            break;
        }
        assert!(t.elapsed() < Duration::from_secs(10), "the subscription is still there after 410");
        std::thread::sleep(Duration::from_millis(200));
    }
}

#[test]
fn a_failing_push_service_is_retried_with_backoff_four_attempts_in_all() {
    let service = PushService::start();
    let (me, _, _) = register_resident();
    let phone = Browser::new(&service, 24);
    service.status.lock().unwrap().insert(phone.path.clone(), 500);
    subscribe(&me, &phone);
    assert_eq!(book(&me, 6).status, 201);
    service.wait_for(&phone.path, 1);
    let state = || deliveries(&phone.endpoint)[0].clone();
    let t = Instant::now();
    while state()["state"] != "pending" {
        assert!(t.elapsed() < Duration::from_secs(10), "{}", state());
        std::thread::sleep(Duration::from_millis(200));
    }
    assert_eq!(state()["attempts"], 1);
    // Not due yet: the backoff holds it back.
    run_cron("* * * * *");
    assert_eq!(service.requests(&phone.path).len(), 1, "retried before its backoff");
    for attempt in 2..=4 {
        d1(&format!(
            "UPDATE push_deliveries SET next_at = 0 WHERE subscription_id IN (SELECT id FROM push_subscriptions WHERE endpoint = '{}');",
            phone.endpoint
        ));
        run_cron("* * * * *");
        service.wait_for(&phone.path, attempt);
    }
    assert_eq!(state()["state"], "failed");
    assert_eq!(state()["attempts"], 4);
    d1(&format!("UPDATE push_deliveries SET next_at = 0 WHERE subscription_id IN (SELECT id FROM push_subscriptions WHERE endpoint = '{}');", phone.endpoint));
    run_cron("* * * * *");
    std::thread::sleep(Duration::from_secs(1));
    assert_eq!(service.requests(&phone.path).len(), 4, "no fifth attempt");
}

#[test]
fn with_pushes_off_only_the_inbox_gets_it() {
    let service = PushService::start();
    let (me, _, _) = register_resident();
    let phone = Browser::new(&service, 25);
    subscribe(&me, &phone);
    let r = put_with("/api/v1/notify/prefs", &json!({"push": [], "quiet_from": "22:00", "quiet_until": "07:00"}).to_string(), &hv(&as_(&me)));
    assert_eq!(r.status, 200, "{}", r.body);
    assert_eq!(book(&me, 7).status, 201);
    let t = Instant::now();
    while deliveries(&phone.endpoint)[0]["state"] != "skipped" {
        assert!(t.elapsed() < Duration::from_secs(10), "{:?}", deliveries(&phone.endpoint));
        std::thread::sleep(Duration::from_millis(200));
    }
    assert!(service.requests(&phone.path).is_empty(), "nothing was pushed");
    assert_eq!(get_with("/api/v1/notifications", &[("Cookie", &me)]).json()["unread"], 1);
}

#[test]
fn subscriptions_are_checked() {
    let (me, _, _) = register_resident();
    let bad = json!({"endpoint": "http://10.1.2.3/steal", "keys": {"p256dh": "B".repeat(87), "auth": "A".repeat(22)}});
    let r = post_with("/api/v1/push/subscriptions", &bad.to_string(), &hv(&as_(&me)));
    assert_eq!(r.error_code(400), "invalid_subscription");
    let r = post_with("/api/v1/push/subscriptions", "{}", &hv(&as_(&me)));
    assert_eq!(r.error_code(400), "malformed_json");
    assert_eq!(post_with("/api/v1/push/subscriptions", &bad.to_string(), &[("Origin", &base())]).error_code(401), "unauthenticated");
    // Found by the API fuzzer: unsubscribing accepted an endpoint longer than any subscription can have.
    let long = format!("https://push.example/{}", "0".repeat(1100));
    assert_eq!(tongban_tests::delete_with(&format!("/api/v1/push/subscriptions?endpoint={long}"), &hv(&as_(&me))).error_code(400), "invalid_subscription");
}

/// Issue 16 §3: only the browsers' push services, at most 5 devices an account, even in a parallel burst.
#[test]
fn subscriptions_go_only_to_push_services_and_at_most_five_devices() {
    let (me, me_id, _) = register_resident();
    let keys = json!({"p256dh": "B".repeat(87), "auth": "A".repeat(22)});
    for relay in ["https://evil.example/push", "https://fcm.googleapis.com@evil.example/x", "https://fcm.googleapis.com.evil.example/x"] {
        let r = post_with("/api/v1/push/subscriptions", &json!({"endpoint": relay, "keys": keys}).to_string(), &hv(&as_(&me)));
        assert_eq!(r.error_code(400), "invalid_subscription", "{relay}");
    }
    let endpoints: Vec<String> = (0..8).map(|_| format!("http://127.0.0.1:1/push/{}", unique("dev"))).collect();
    let answers: Vec<u16> = std::thread::scope(|s| {
        let hs: Vec<_> = endpoints
            .iter()
            .map(|e| {
                let me = &me;
                let keys = &keys;
                s.spawn(move || post_with("/api/v1/push/subscriptions", &json!({"endpoint": e, "keys": keys}).to_string(), &hv(&as_(me))).status)
            })
            .collect();
        hs.into_iter().map(|h| h.join().unwrap()).collect()
    });
    let stored = d1_rows(&format!("SELECT count(*) AS n FROM push_subscriptions WHERE account_id = '{me_id}';"))[0]["n"].as_i64().unwrap();
    eprintln!("8 parallel subscribes: {:?}; {stored} stored", answers);
    assert_eq!(answers.iter().filter(|s| **s == 201).count(), 5, "{answers:?}");
    assert_eq!(answers.iter().filter(|s| **s == 409).count(), 3, "{answers:?}");
    assert_eq!(stored, 5);
    // A device already subscribed may renew its keys at the cap.
    let kept = endpoints.iter().zip(&answers).find(|(_, s)| **s == 201).unwrap().0;
    assert_eq!(post_with("/api/v1/push/subscriptions", &json!({"endpoint": kept, "keys": keys}).to_string(), &hv(&as_(&me))).status, 201);
}

/// Issue 16 §3: one account's backlog does not hold up another's push (before: the oldest deliveries of
/// all accounts went first, so B waited behind all 200 of A's).
#[test]
fn one_accounts_backlog_does_not_delay_anothers_push() {
    let service = PushService::start();
    let (flooded, flooded_id, _) = register_resident();
    // The flooded account's device is gone dead: every attempt fails and is retried, the worst backlog.
    let dead = json!({"endpoint": format!("http://127.0.0.1:1/push/{}", unique("dead")), "keys": {"p256dh": "B".repeat(87), "auth": "A".repeat(22)}});
    assert_eq!(post_with("/api/v1/push/subscriptions", &dead.to_string(), &hv(&as_(&flooded))).status, 201);
    let old = tongban_tests::epoch() - 600;
    tongban_tests::d1(&format!(
        "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 200) \
         INSERT INTO notifications (id, account_id, kind, ref_id, body_json, created_at) \
         SELECT lower(hex(randomblob(16))), '{flooded_id}', 'booking_confirmed', NULL, '{{\"booking_id\":\"x\",\"date\":\"2026-12-02\",\"start\":\"09:00\"}}', {old} + i FROM n;"
    ));
    let (me, _, _) = register_resident();
    let phone = Browser::new(&service, 33);
    subscribe(&me, &phone);
    assert_eq!(book(&me, 5).status, 201);
    service.wait_for(&phone.path, 1);
    let left = d1_rows(&format!(
        "SELECT count(*) AS n FROM push_deliveries d JOIN notifications n ON n.id = d.notification_id WHERE n.account_id = '{flooded_id}' AND d.attempts = 0;"
    ))[0]["n"]
        .as_i64()
        .unwrap();
    eprintln!("the other account's push arrived with {left} of the flooded account's 200 never yet tried");
    assert!(left >= 150, "only {left} left: the other push waited for the backlog");
}

/// A shared phone: a push that failed and waits for its retry is not sent once another person signs in
/// and subscribes from the same browser; that person's own pushes reach it.
#[test]
fn a_browser_that_changes_hands_gets_only_the_new_persons_pushes() {
    let service = PushService::start();
    let (before, _, _) = register_resident();
    let (after, _, _) = register_resident();
    let phone = Browser::new(&service, 27);
    service.status.lock().unwrap().insert(phone.path.clone(), 500);
    subscribe(&before, &phone);
    assert_eq!(book(&before, 8).status, 201);
    service.wait_for(&phone.path, 1);
    let state = || deliveries(&phone.endpoint)[0]["state"].clone();
    let t = Instant::now();
    while state() != "pending" {
        assert!(t.elapsed() < Duration::from_secs(10), "{}", state());
        std::thread::sleep(Duration::from_millis(200));
    }
    service.status.lock().unwrap().remove(&phone.path);
    subscribe(&after, &phone);
    d1(&format!("UPDATE push_deliveries SET next_at = 0 WHERE subscription_id IN (SELECT id FROM push_subscriptions WHERE endpoint = '{}');", phone.endpoint));
    run_cron("* * * * *");
    let t = Instant::now();
    while state() != "gone" {
        assert!(t.elapsed() < Duration::from_secs(10), "the earlier person's retry: {}", state());
        std::thread::sleep(Duration::from_millis(200));
    }
    assert_eq!(service.requests(&phone.path).len(), 1, "nothing of the earlier person reached the browser again");
    assert_eq!(book(&after, 9).status, 201);
    let got = service.wait_for(&phone.path, 2);
    assert_eq!(phone.decrypt(&got[1].body)["kind"], "booking_confirmed");
    let inbox = get_with("/api/v1/notifications", &[("Cookie", &before)]).json();
    assert_eq!(inbox["items"][0]["kind"], "booking_confirmed", "the earlier person still has it in their inbox");
}
