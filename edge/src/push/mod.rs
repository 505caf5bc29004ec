//! `/api/v1/push…` and `/api/v1/notify/prefs`: browsers' push subscriptions, the VAPID key, the
//! person's preferences — and delivery. Every notification row queues one delivery per subscription
//! (a D1 trigger, same transaction); [`deliver_due`] claims due deliveries with one conditional UPDATE
//! (so overlapping runs never send twice), encrypts (RFC 8291) and signs (RFC 8292) each push, and
//! records the outcome. It runs after every state-changing request (`wait_until`, never delaying the
//! answer) and every minute from the cron trigger, which also retries failures with backoff. The
//! statements are built in [`store`].

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

pub mod store;

#[cfg(target_arch = "wasm32")]
pub use wasm::*;

#[cfg(target_arch = "wasm32")]
mod wasm {
    use super::store::{self, DueRow, JobRow, NewSubscription, PrefsRow, Settled, SubscriptionRow};
    use super::*;
    use crate::crypto::{hex, random};
    use crate::error::js_err;
    use crate::error::ApiError;
    use crate::http::{Answer, Body, Ctx};
    use crate::routes::ep;
    use tongban_shared::notify::{Event, NotifyPrefs, PushPayload, VapidKey};
    use tongban_shared::privacy::PushDevice;
    use tongban_shared::{ErrorCode, Lang};
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
        let new = NewSubscription { id: &id, account_id: &p.account_id, endpoint: &sub.endpoint, p256dh: &sub.keys.p256dh, auth: &sub.keys.auth, now: ctx.now };
        let defaults = serde_json::to_string(&NotifyPrefs::default())?;
        let results = db.batch(vec![store::subscribe(&new).prepare(&db)?, store::set_lang(&p.account_id, &defaults, lang).prepare(&db)?]).await?;
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
        store::unsubscribe(&endpoint, &p.account_id).prepare(&ctx.db()?)?.run().await?;
        crate::http::Reply::no_content()
    }

    async fn prefs_of(db: &D1Database, account: &str) -> Result<(NotifyPrefs, Lang), ApiError> {
        let p: Option<PrefsRow> = store::prefs(account).prepare(db)?.first(None).await?;
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
        let subs: Vec<SubscriptionRow> = store::subscriptions_of(account).prepare(db)?.all().await?.results()?;
        let devices = subs
            .into_iter()
            .map(|s| {
                let service = s.endpoint.split("://").nth(1).and_then(|r| r.split('/').next()).unwrap_or_default().to_string();
                PushDevice { service, subscribed_at: s.created_at }
            })
            .collect();
        let stored: Option<String> = store::stored_prefs(account).prepare(db)?.first(Some("prefs_json")).await?;
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
        store::save_prefs(&p.account_id, &serde_json::to_string(&prefs)?, lang).prepare(&ctx.db()?)?.run().await?;
        ctx.reply(&prefs)
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
        let claimed: Vec<DueRow> = store::claim_due(now, per_run).prepare(&db)?.all().await?.results()?;
        let mut sent = 0;
        for d in claimed {
            let job: Option<JobRow> = store::job(&d.notification_id, &d.subscription_id).prepare(&db)?.first(None).await?;
            let set = |state: &str, err: Option<String>, next: i64| -> Result<worker::D1PreparedStatement, ApiError> {
                store::settle(&Settled {
                    notification_id: &d.notification_id,
                    subscription_id: &d.subscription_id,
                    state,
                    last_error: err.as_deref(),
                    next_at: next,
                    now,
                })
                .prepare(&db)
            };
            let Some(job) = job else {
                // The subscription was removed meanwhile, or its browser is someone else's now.
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
                        let [others, remove] = store::drop_subscription(&d.subscription_id, now);
                        db.batch(vec![set("gone", Some(format!("push service answered {status}")), now)?, others.prepare(&db)?, remove.prepare(&db)?]).await?;
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

    async fn send(job: &JobRow, payload: &[u8], private: &[u8; 32], subject: &str, now: i64) -> Result<u16, String> {
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
