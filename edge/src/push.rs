//! `/api/v1/push…` and `/api/v1/notify/prefs`: browsers' push subscriptions, the VAPID key, the
//! person's preferences — and delivery. Every notification row queues one delivery per subscription
//! (a D1 trigger, same transaction); [`deliver_due`] claims due deliveries with one conditional UPDATE
//! (so overlapping runs never send twice), encrypts (RFC 8291) and signs (RFC 8292) each push, and
//! records the outcome. It runs after every state-changing request (`wait_until`, never delaying the
//! answer) and every minute from the cron trigger, which also retries failures with backoff.

/// A delivery is tried this many times in all (the first send and three retries).
pub const MAX_ATTEMPTS: i64 = 4;

/// Seconds to wait before retry `n` (after `n` failed attempts): 1, 2, 4 minutes.
pub fn backoff(failed_attempts: i64) -> i64 {
    60 << (failed_attempts - 1).clamp(0, 6)
}

/// What a push service's status means for the delivery.
#[derive(Debug, PartialEq, Eq)]
pub enum Outcome {
    Sent,
    /// 404/410: the subscription is gone for good; remove it.
    Gone,
    Retry,
}

pub fn outcome(status: u16) -> Outcome {
    match status {
        200..=299 => Outcome::Sent,
        404 | 410 => Outcome::Gone,
        _ => Outcome::Retry,
    }
}

#[cfg(target_arch = "wasm32")]
pub use wasm::*;

#[cfg(target_arch = "wasm32")]
mod wasm {
    use super::*;
    use crate::crypto::{hex, random};
    use crate::error::js_err;
    use crate::error::ApiError;
    use crate::http::{Answer, Body, Ctx};
    use crate::routes::ep;
    use serde::Deserialize;
    use tongban_shared::notify::{Event, NotifyPrefs, PushPayload, VapidKey};
    use tongban_shared::privacy::PushDevice;
    use tongban_shared::{ErrorCode, Lang};
    use wasm_bindgen::JsValue;
    use worker::{D1Database, Env, Headers, Method, Request, RequestInit};

    fn vapid_private(env: &Env) -> Option<[u8; 32]> {
        let s = env.secret("VAPID_PRIVATE").ok()?.to_string();
        let bytes: Vec<u8> = (0..s.len()).step_by(2).filter_map(|i| s.get(i..i + 2).and_then(|b| u8::from_str_radix(b, 16).ok())).collect();
        bytes.try_into().ok()
    }

    fn allow_loopback(env: &Env) -> bool {
        env.secret("PUSH_ALLOW_LOOPBACK").map(|v| v.to_string() == "1").unwrap_or(false)
    }

    pub async fn key(ctx: &Ctx) -> Answer<ep::GetVapidKey> {
        let private = vapid_private(&ctx.env).ok_or(ApiError::from(ErrorCode::PushUnavailable))?;
        let public_key = crate::webpush::vapid_public(&private).map_err(|_| ApiError::from(ErrorCode::PushUnavailable))?;
        ctx.reply(&VapidKey { public_key })
    }

    pub async fn subscribe(ctx: &Ctx, body: Body<ep::Subscribe>) -> Answer<ep::Subscribe> {
        let p = ctx.principal()?;
        let sub = body.read(ctx)?;
        sub.check(allow_loopback(&ctx.env))?;
        let id = hex(&random::<16>().map_err(js_err)?);
        let db = ctx.db()?;
        let lang = if ctx.lang == Lang::En { "en" } else { "zh" };
        let results = db
            .batch(vec![
                // One endpoint is one browser: re-subscribing (or another person signing in there) takes it over.
                // The account's other devices are counted in the same write, so parallel subscribes cannot pass
                // the cap together.
                db.prepare(
                    "INSERT INTO push_subscriptions (id, account_id, endpoint, p256dh, auth, created_at) SELECT ?1, ?2, ?3, ?4, ?5, ?6 \
                 WHERE (SELECT count(*) FROM push_subscriptions WHERE account_id = ?2 AND endpoint != ?3) < ?7 \
                 ON CONFLICT (endpoint) DO UPDATE SET account_id = excluded.account_id, p256dh = excluded.p256dh, auth = excluded.auth",
                )
                .bind(&[
                    JsValue::from_str(&id),
                    JsValue::from_str(&p.account_id),
                    JsValue::from_str(&sub.endpoint),
                    JsValue::from_str(&sub.keys.p256dh),
                    JsValue::from_str(&sub.keys.auth),
                    JsValue::from_f64(ctx.now as f64),
                    JsValue::from(tongban_shared::notify::MAX_SUBSCRIPTIONS_PER_ACCOUNT),
                ])?,
                db.prepare(
                    "INSERT INTO notify_prefs (account_id, prefs_json, lang) VALUES (?1, ?2, ?3) ON CONFLICT (account_id) DO UPDATE SET lang = excluded.lang",
                )
                .bind(&[
                    JsValue::from_str(&p.account_id),
                    JsValue::from_str(&serde_json::to_string(&NotifyPrefs::default())?),
                    JsValue::from_str(lang),
                ])?,
            ])
            .await?;
        if !results.first().is_some_and(crate::http::changed) {
            return Err(ErrorCode::TooManyDevices.into());
        }
        Ok(ctx.reply(&sub)?.with_status(201))
    }

    pub async fn unsubscribe(ctx: &Ctx) -> Answer<ep::Unsubscribe> {
        let p = ctx.principal()?;
        let endpoint = ctx
            .query_pairs()
            .into_iter()
            .find(|(k, _)| k == "endpoint")
            .map(|(_, v)| v)
            .filter(|v| v.chars().count() <= tongban_shared::notify::ENDPOINT_MAX)
            .ok_or_else(|| tongban_shared::FieldError::new(ErrorCode::InvalidSubscription, "endpoint"))?;
        ctx.db()?
            .prepare("DELETE FROM push_subscriptions WHERE endpoint = ?1 AND account_id = ?2")
            .bind(&[JsValue::from_str(&endpoint), JsValue::from_str(&p.account_id)])?
            .run()
            .await?;
        crate::http::Reply::no_content()
    }

    async fn prefs_of(db: &D1Database, account: &str) -> Result<(NotifyPrefs, Lang), ApiError> {
        #[derive(Deserialize)]
        struct P {
            prefs_json: String,
            lang: String,
        }
        let p: Option<P> =
            db.prepare("SELECT prefs_json, lang FROM notify_prefs WHERE account_id = ?1").bind(&[JsValue::from_str(account)])?.first(None).await?;
        Ok(match p {
            // Stored by `PutNotifyPrefs` from the shared type. What no longer reads back (a kind since removed)
            // is logged and pushes nothing until the person saves again: never the defaults, which would push
            // what they turned off.
            Some(p) => {
                let prefs = serde_json::from_str(&p.prefs_json).unwrap_or_else(|e| {
                    worker::console_error!("notify_prefs of {account} do not read: {e}");
                    NotifyPrefs { push: Default::default(), ..NotifyPrefs::default() }
                });
                (prefs, if p.lang == "en" { Lang::En } else { Lang::Zh })
            }
            None => (NotifyPrefs::default(), Lang::Zh),
        })
    }

    /// The account's devices (the push service's host only) and its stored preferences, for the export.
    pub async fn personal_data(db: &D1Database, account: &str) -> Result<(Vec<PushDevice>, Option<NotifyPrefs>), ApiError> {
        #[derive(Deserialize)]
        struct S {
            endpoint: String,
            created_at: i64,
        }
        let subs: Vec<S> = db
            .prepare("SELECT endpoint, created_at FROM push_subscriptions WHERE account_id = ?1 ORDER BY created_at")
            .bind(&[JsValue::from_str(account)])?
            .all()
            .await?
            .results()?;
        let devices = subs
            .into_iter()
            .map(|s| {
                let service = s.endpoint.split("://").nth(1).and_then(|r| r.split('/').next()).unwrap_or_default().to_string();
                PushDevice { service, subscribed_at: s.created_at }
            })
            .collect();
        let stored: Option<String> =
            db.prepare("SELECT prefs_json FROM notify_prefs WHERE account_id = ?1").bind(&[JsValue::from_str(account)])?.first(Some("prefs_json")).await?;
        Ok((devices, stored.and_then(|j| serde_json::from_str(&j).ok())))
    }

    pub async fn get_prefs(ctx: &Ctx) -> Answer<ep::GetNotifyPrefs> {
        let p = ctx.principal()?;
        ctx.reply(&prefs_of(&ctx.db()?, &p.account_id).await?.0)
    }

    pub async fn put_prefs(ctx: &Ctx, body: Body<ep::PutNotifyPrefs>) -> Answer<ep::PutNotifyPrefs> {
        let p = ctx.principal()?;
        let prefs = body.read(ctx)?;
        let ok_time = |s: &str| chrono::NaiveTime::parse_from_str(s, "%H:%M").is_ok() && s.len() == 5;
        if !ok_time(&prefs.quiet_from) || !ok_time(&prefs.quiet_until) {
            return Err(tongban_shared::FieldError::new(ErrorCode::InvalidParameter, "quiet_from").into());
        }
        let lang = if ctx.lang == Lang::En { "en" } else { "zh" };
        ctx.db()?
            .prepare("INSERT INTO notify_prefs (account_id, prefs_json, lang) VALUES (?1, ?2, ?3) ON CONFLICT (account_id) DO UPDATE SET prefs_json = excluded.prefs_json, lang = excluded.lang")
            .bind(&[JsValue::from_str(&p.account_id), JsValue::from_str(&serde_json::to_string(&prefs)?), JsValue::from_str(lang)])?
            .run()
            .await?;
        ctx.reply(&prefs)
    }

    #[derive(Deserialize)]
    struct Due {
        notification_id: String,
        subscription_id: String,
        attempts: i64,
    }

    #[derive(Deserialize)]
    struct Job {
        account_id: String,
        kind: String,
        body_json: String,
        endpoint: String,
        p256dh: String,
        auth: String,
    }

    /// Sends what is due, fairly: every account's oldest due delivery before anyone's second (`turn`), so
    /// one account's backlog never delays another's "your turn". Each delivery is claimed (`sending`, with a lease) by one UPDATE … RETURNING,
    /// so concurrent runs split the work instead of duplicating it; a run that dies mid-send leaves a
    /// lease that expires and is claimed again.
    pub async fn deliver_due(env: &Env, now: i64) -> Result<u32, ApiError> {
        let Some(private) = vapid_private(env) else { return Ok(0) };
        let db = env.d1("DB")?;
        let subject = env.secret("VAPID_SUBJECT").map(|s| s.to_string()).unwrap_or_else(|_| "mailto:ops@tongban.invalid".into());
        // Bounded by the invocation's subrequests (`crate::limits`): what is left waits for the next run.
        let budget = env.var("SUBREQUEST_BUDGET").ok().and_then(|v| v.to_string().parse().ok()).unwrap_or(crate::limits::SUBREQUESTS_PER_INVOCATION);
        let per_run = crate::limits::pushes_per_run(budget);
        let claimed: Vec<Due> = db
            .prepare(format!(
                "UPDATE push_deliveries SET state = 'sending', attempts = attempts + 1, next_at = ?1 + 120, updated_at = ?1 \
                 WHERE rowid IN (SELECT rid FROM (SELECT d.rowid AS rid, d.next_at, row_number() OVER (PARTITION BY n.account_id ORDER BY d.next_at) AS turn \
                 FROM push_deliveries d JOIN notifications n ON n.id = d.notification_id WHERE d.state IN ('pending', 'sending') AND d.next_at <= ?1) \
                 ORDER BY turn, next_at LIMIT {per_run}) \
                 RETURNING notification_id, subscription_id, attempts"
            ))
            .bind(&[JsValue::from_f64(now as f64)])?
            .all()
            .await?
            .results()?;
        let mut sent = 0;
        for d in claimed {
            let job: Option<Job> = db
                .prepare(
                    "SELECT n.account_id, n.kind, n.body_json, s.endpoint, s.p256dh, s.auth FROM notifications n, push_subscriptions s \
                     WHERE n.id = ?1 AND s.id = ?2",
                )
                .bind(&[JsValue::from_str(&d.notification_id), JsValue::from_str(&d.subscription_id)])?
                .first(None)
                .await?;
            let set = |state: &str, err: Option<String>, next: i64| -> Result<worker::D1PreparedStatement, ApiError> {
                Ok(db
                    .prepare("UPDATE push_deliveries SET state = ?3, last_error = ?4, next_at = ?5, updated_at = ?6 WHERE notification_id = ?1 AND subscription_id = ?2")
                    .bind(&[
                        JsValue::from_str(&d.notification_id),
                        JsValue::from_str(&d.subscription_id),
                        JsValue::from_str(state),
                        err.map_or(JsValue::NULL, |e| JsValue::from_str(&e)),
                        JsValue::from_f64(next as f64),
                        JsValue::from_f64(now as f64),
                    ])?)
            };
            let Some(job) = job else {
                // The subscription was removed meanwhile.
                set("gone", None, now)?.run().await?;
                continue;
            };
            let Some(event) = Event::from_row(&job.kind, &job.body_json) else {
                set("skipped", Some("unknown kind".into()), now)?.run().await?;
                continue;
            };
            let (prefs, lang) = prefs_of(&db, &job.account_id).await?;
            let local = tongban_shared::time::beijing(now).time();
            if !prefs.allows_push(event.kind(), local) {
                set("skipped", Some("preferences or quiet hours".into()), now)?.run().await?;
                continue;
            }
            let m = event.message(tongban_shared::time::clock);
            let payload = PushPayload { title: m.title.get(lang).to_string(), body: m.body.get(lang).to_string(), url: m.url, kind: event.kind() };
            let result = send(&job, &serde_json::to_vec(&payload)?, &private, &subject, now).await;
            let stmt = match result {
                Ok(status) => match outcome(status) {
                    Outcome::Sent => {
                        sent += 1;
                        set("sent", None, now)?
                    }
                    Outcome::Gone => {
                        db.batch(vec![
                            set("gone", Some(format!("push service answered {status}")), now)?,
                            db.prepare(
                                "UPDATE push_deliveries SET state = 'gone', updated_at = ?2 WHERE subscription_id = ?1 AND state IN ('pending', 'sending')",
                            )
                            .bind(&[JsValue::from_str(&d.subscription_id), JsValue::from_f64(now as f64)])?,
                            db.prepare("DELETE FROM push_subscriptions WHERE id = ?1").bind(&[JsValue::from_str(&d.subscription_id)])?,
                        ])
                        .await?;
                        continue;
                    }
                    Outcome::Retry => retry(&set, d.attempts, format!("push service answered {status}"), now)?,
                },
                Err(e) => retry(&set, d.attempts, e, now)?,
            };
            stmt.run().await?;
        }
        Ok(sent)
    }

    #[allow(clippy::type_complexity)]
    fn retry(
        set: &dyn Fn(&str, Option<String>, i64) -> Result<worker::D1PreparedStatement, ApiError>,
        attempts: i64,
        err: String,
        now: i64,
    ) -> Result<worker::D1PreparedStatement, ApiError> {
        if attempts >= MAX_ATTEMPTS {
            set("failed", Some(err), now)
        } else {
            set("pending", Some(err), now + backoff(attempts))
        }
    }

    async fn send(job: &Job, payload: &[u8], private: &[u8; 32], subject: &str, now: i64) -> Result<u16, String> {
        let as_secret = random::<32>().map_err(|_| "no randomness".to_string())?;
        let salt = random::<16>().map_err(|_| "no randomness".to_string())?;
        let body = crate::webpush::encrypt(&job.p256dh, &job.auth, payload, as_secret, salt).map_err(|e| format!("encrypt: {e:?}"))?;
        let auth = crate::webpush::vapid_authorization(private, &job.endpoint, now + 12 * 3600, subject).map_err(|e| format!("vapid: {e:?}"))?;
        let headers = Headers::new();
        let h = |k: &str, v: &str| headers.set(k, v).map_err(|e| e.to_string());
        h("Authorization", &auth)?;
        h("Content-Encoding", "aes128gcm")?;
        h("Content-Type", "application/octet-stream")?;
        h("TTL", "3600")?;
        h("Urgency", if job.kind == "your_turn" { "high" } else { "normal" })?;
        let arr = js_sys::Uint8Array::from(body.as_slice());
        let mut init = RequestInit::new();
        init.with_method(Method::Post).with_headers(headers).with_body(Some(arr.into()));
        let req = Request::new_with_init(&job.endpoint, &init).map_err(|e| e.to_string())?;
        let resp = worker::Fetch::Request(req).send().await.map_err(|e| format!("fetch: {e}"))?;
        Ok(resp.status_code())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn retries_back_off_and_gone_subscriptions_are_told_apart() {
        assert_eq!((backoff(1), backoff(2), backoff(3)), (60, 120, 240));
        assert_eq!(outcome(201), Outcome::Sent);
        assert_eq!(outcome(410), Outcome::Gone);
        assert_eq!(outcome(404), Outcome::Gone);
        assert_eq!(outcome(500), Outcome::Retry);
        assert_eq!(outcome(429), Outcome::Retry);
    }
}
