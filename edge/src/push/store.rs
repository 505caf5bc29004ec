//! The push statements — subscriptions, the person's preferences, claiming and settling deliveries — one
//! builder each, with named values (`sql::Stmt::named`), pure, so the host SQL stage runs every one on
//! SQLite.

use crate::sql::{Arg, Stmt};
use serde::Deserialize;
use tongban_shared::notify::MAX_SUBSCRIPTIONS_PER_ACCOUNT;

/// The stored preferences and the language pushes are written in. `lang` is `zh` or `en` as stored, not
/// `Lang`'s own spelling (`zh-CN`).
#[derive(Deserialize)]
pub struct PrefsRow {
    pub prefs_json: String,
    pub lang: String,
}

/// A device of the account, for the export.
#[derive(Deserialize)]
pub struct SubscriptionRow {
    pub endpoint: String,
    pub created_at: i64,
}

/// A delivery just claimed; `attempts` counts this one.
#[derive(Deserialize)]
pub struct DueRow {
    pub notification_id: String,
    pub subscription_id: String,
    pub attempts: i64,
}

/// What a claimed delivery sends, and where. `kind` stays text: a kind this build does not know is
/// settled as skipped, not an error that stops the run.
#[derive(Deserialize)]
pub struct JobRow {
    pub account_id: String,
    pub kind: String,
    pub body_json: String,
    pub endpoint: String,
    pub p256dh: String,
    pub auth: String,
}

/// A browser's push subscription as it subscribes.
pub struct NewSubscription<'a> {
    pub id: &'a str,
    pub account_id: &'a str,
    pub endpoint: &'a str,
    pub p256dh: &'a str,
    pub auth: &'a str,
    pub now: i64,
}

/// One endpoint is one browser: re-subscribing (or another person signing in there) takes it over. The
/// account's other devices are counted in the same write, so parallel subscribes cannot pass the cap
/// together: over it, nothing changes.
pub fn subscribe(s: &NewSubscription) -> Stmt {
    Stmt::named(
        "INSERT INTO push_subscriptions (id, account_id, endpoint, p256dh, auth, created_at) SELECT :id, :account, :endpoint, :p256dh, :auth, :now \
         WHERE (SELECT count(*) FROM push_subscriptions WHERE account_id = :account AND endpoint != :endpoint) < :cap \
         ON CONFLICT (endpoint) DO UPDATE SET account_id = excluded.account_id, p256dh = excluded.p256dh, auth = excluded.auth",
        vec![
            ("id", s.id.into()),
            ("account", s.account_id.into()),
            ("endpoint", s.endpoint.into()),
            ("p256dh", s.p256dh.into()),
            ("auth", s.auth.into()),
            ("now", s.now.into()),
            ("cap", i64::from(MAX_SUBSCRIPTIONS_PER_ACCOUNT).into()),
        ],
    )
}

/// The language pushes are written in (`zh` or `en`); preferences already stored stay, an account
/// without any gets `defaults_json`.
pub fn set_lang(account: &str, defaults_json: &str, lang: &str) -> Stmt {
    Stmt::named(
        "INSERT INTO notify_prefs (account_id, prefs_json, lang) VALUES (:account, :prefs, :lang) ON CONFLICT (account_id) DO UPDATE SET lang = excluded.lang",
        vec![("account", account.into()), ("prefs", defaults_json.into()), ("lang", lang.into())],
    )
}

/// Preferences and language as the person saves them.
pub fn save_prefs(account: &str, prefs_json: &str, lang: &str) -> Stmt {
    Stmt::named(
        "INSERT INTO notify_prefs (account_id, prefs_json, lang) VALUES (:account, :prefs, :lang) \
         ON CONFLICT (account_id) DO UPDATE SET prefs_json = excluded.prefs_json, lang = excluded.lang",
        vec![("account", account.into()), ("prefs", prefs_json.into()), ("lang", lang.into())],
    )
}

/// Only the account's own subscription of that endpoint.
pub fn unsubscribe(endpoint: &str, account: &str) -> Stmt {
    Stmt::named(
        "DELETE FROM push_subscriptions WHERE endpoint = :endpoint AND account_id = :account",
        vec![("endpoint", endpoint.into()), ("account", account.into())],
    )
}

/// Decodes into `PrefsRow`.
pub fn prefs(account: &str) -> Stmt {
    Stmt::named("SELECT prefs_json, lang FROM notify_prefs WHERE account_id = :account", vec![("account", account.into())])
}

/// The stored preferences alone (column `prefs_json`), for the export.
pub fn stored_prefs(account: &str) -> Stmt {
    Stmt::named("SELECT prefs_json FROM notify_prefs WHERE account_id = :account", vec![("account", account.into())])
}

/// The account's devices, oldest first. Decodes into `SubscriptionRow`.
pub fn subscriptions_of(account: &str) -> Stmt {
    Stmt::named("SELECT endpoint, created_at FROM push_subscriptions WHERE account_id = :account ORDER BY created_at", vec![("account", account.into())])
}

/// Claims up to `per_run` due deliveries (`sending`, with a two-minute lease), every account's oldest
/// before anyone's second (`turn`). One UPDATE … RETURNING, so concurrent runs split the work instead of
/// duplicating it. Decodes into `DueRow`.
pub fn claim_due(now: i64, per_run: u32) -> Stmt {
    Stmt::named(
        &format!(
            "UPDATE push_deliveries SET state = 'sending', attempts = attempts + 1, next_at = :now + 120, updated_at = :now \
             WHERE rowid IN (SELECT rid FROM (SELECT d.rowid AS rid, d.next_at, row_number() OVER (PARTITION BY n.account_id ORDER BY d.next_at) AS turn \
             FROM push_deliveries d JOIN notifications n ON n.id = d.notification_id WHERE d.state IN ('pending', 'sending') AND d.next_at <= :now) \
             ORDER BY turn, next_at LIMIT {per_run}) \
             RETURNING notification_id, subscription_id, attempts"
        ),
        vec![("now", now.into())],
    )
}

/// The notification and the subscription of a delivery; none once the subscription is removed, or once
/// its browser belongs to someone else (another person subscribed there since: what was queued for the
/// one before is never shown to the next). Decodes into `JobRow`.
pub fn job(notification: &str, subscription: &str) -> Stmt {
    Stmt::named(
        "SELECT n.account_id, n.kind, n.body_json, s.endpoint, s.p256dh, s.auth FROM notifications n, push_subscriptions s \
         WHERE n.id = :notification AND s.id = :subscription AND s.account_id = n.account_id",
        vec![("notification", notification.into()), ("subscription", subscription.into())],
    )
}

/// A delivery's outcome: its state, why (none when sent), and when it is next due.
pub struct Settled<'a> {
    pub notification_id: &'a str,
    pub subscription_id: &'a str,
    /// `sent`, `pending` (a retry), `failed`, `skipped` or `gone`.
    pub state: &'a str,
    pub last_error: Option<&'a str>,
    pub next_at: i64,
    pub now: i64,
}

pub fn settle(s: &Settled) -> Stmt {
    Stmt::named(
        "UPDATE push_deliveries SET state = :state, last_error = :error, next_at = :next, updated_at = :now \
         WHERE notification_id = :notification AND subscription_id = :subscription",
        vec![
            ("notification", s.notification_id.into()),
            ("subscription", s.subscription_id.into()),
            ("state", s.state.into()),
            ("error", s.last_error.map_or(Arg::Null, Arg::from)),
            ("next", s.next_at.into()),
            ("now", s.now.into()),
        ],
    )
}

/// A subscription the push service says is gone for good: its deliveries not settled yet are gone too,
/// then the subscription is removed.
pub fn drop_subscription(subscription: &str, now: i64) -> [Stmt; 2] {
    [
        Stmt::named(
            "UPDATE push_deliveries SET state = 'gone', updated_at = :now WHERE subscription_id = :subscription AND state IN ('pending', 'sending')",
            vec![("subscription", subscription.into()), ("now", now.into())],
        ),
        Stmt::named("DELETE FROM push_subscriptions WHERE id = :subscription", vec![("subscription", subscription.into())]),
    ]
}

#[cfg(all(test, not(target_arch = "wasm32")))]
mod tests {
    /// The push store on SQLite: a subscription's values land in their columns, its endpoint moves to
    /// whoever subscribes there next, and past the cap a new device changes nothing while a known one is
    /// still taken over; the language update keeps stored preferences; deliveries are claimed fairly (each
    /// account's oldest first), once until their lease runs out, and settle and drop with every value in
    /// its column; every select reads as its row type.
    #[test]
    fn the_push_store_runs_on_sqlite_and_answers_its_row_types() {
        use super::*;
        use crate::sql::host::{decode, migrated};
        let conn = migrated();
        conn.execute_batch("PRAGMA foreign_keys = OFF;").unwrap();
        let one = |sql: &str| conn.query_row(sql, [], |r| r.get::<_, String>(0)).unwrap_or_else(|e| panic!("{e}: {sql}"));
        let sub = |id: &str, account: &str, endpoint: &str, key: &str, now: i64| {
            subscribe(&NewSubscription { id, account_id: account, endpoint, p256dh: key, auth: key, now }).execute(&conn).unwrap()
        };
        assert_eq!(sub("s1", "acc", "https://push.example/1", "k1", 10), 1);
        assert_eq!(one("SELECT id || account_id || endpoint || p256dh || auth || created_at FROM push_subscriptions"), "s1acchttps://push.example/1k1k110");
        assert_eq!(sub("s1b", "acc2", "https://push.example/1", "k2", 11), 1, "another person signing in there");
        assert_eq!(one("SELECT id || account_id || endpoint || p256dh || auth || created_at FROM push_subscriptions"), "s1acc2https://push.example/1k2k210");
        let cap = i64::from(MAX_SUBSCRIPTIONS_PER_ACCOUNT);
        for i in 2..2 + cap {
            assert_eq!(sub(&format!("s{i}"), "acc", &format!("https://push.example/{i}"), "k", 20 + i), 1);
        }
        assert_eq!(sub("sx", "acc", "https://push.example/x", "k", 30), 0, "a device over the cap");
        assert_eq!(sub("sy", "acc", "https://push.example/2", "k3", 30), 1, "a known device at the cap");
        assert_eq!(one("SELECT count(*) || '/' || group_concat(p256dh) FROM push_subscriptions WHERE id = 's2' OR id = 'sx'"), "1/k3");
        let devices: Vec<SubscriptionRow> = decode(&conn, &subscriptions_of("acc"));
        assert_eq!(devices.len() as i64, cap);
        assert_eq!((devices[0].endpoint.as_str(), devices[0].created_at), ("https://push.example/2", 22));

        assert_eq!(set_lang("acc", r#"{"d":1}"#, "en").execute(&conn).unwrap(), 1);
        assert_eq!(one("SELECT account_id || prefs_json || lang FROM notify_prefs"), r#"acc{"d":1}en"#);
        assert_eq!(set_lang("acc", r#"{"d":2}"#, "zh").execute(&conn).unwrap(), 1);
        assert_eq!(one("SELECT account_id || prefs_json || lang FROM notify_prefs"), r#"acc{"d":1}zh"#, "stored preferences stay");
        assert_eq!(save_prefs("acc", r#"{"p":3}"#, "en").execute(&conn).unwrap(), 1);
        assert_eq!(save_prefs("acc3", r#"{"p":4}"#, "zh").execute(&conn).unwrap(), 1);
        let p: Vec<PrefsRow> = decode(&conn, &prefs("acc"));
        assert_eq!((p[0].prefs_json.as_str(), p[0].lang.as_str()), (r#"{"p":3}"#, "en"));
        let stored = stored_prefs("acc3").query_rows(&conn, &["prefs_json"]).unwrap();
        assert_eq!(stored, [vec![rusqlite::types::Value::Text(r#"{"p":4}"#.into())]]);
        assert!(decode::<PrefsRow>(&conn, &prefs("nobody")).is_empty());

        // Each notification queues one delivery per device of its account (the trigger), due at once.
        conn.execute_batch(
            "INSERT INTO notifications (id, account_id, kind, ref_id, body_json, created_at) VALUES
               ('n1', 'acc', 'your_turn', 't1', '{}', 100), ('n2', 'acc2', 'skipped', 't2', '{}', 100);",
        )
        .unwrap();
        assert_eq!(one("SELECT count(*) || '' FROM push_deliveries"), format!("{}", cap + 1));
        let claimed = |now: i64, per_run: u32| {
            let mut d: Vec<DueRow> = decode(&conn, &claim_due(now, per_run));
            d.sort_by(|a, b| (&a.notification_id, &a.subscription_id).cmp(&(&b.notification_id, &b.subscription_id)));
            d
        };
        let first = claimed(100, 2);
        assert_eq!(first.iter().map(|d| (d.notification_id.as_str(), d.attempts)).collect::<Vec<_>>(), [("n1", 1), ("n2", 1)], "each account's oldest first");
        assert_eq!(one("SELECT state || attempts || next_at || updated_at FROM push_deliveries WHERE notification_id = 'n2'"), "sending1220100");
        assert_eq!(claimed(100, 100).len() as i64, cap - 1, "the rest; none claimed twice");
        assert!(claimed(219, 100).is_empty(), "all leased");
        // A run claims at most what its subrequest budget sends (`limits::pushes_per_run`).
        let per_run = crate::limits::pushes_per_run(crate::limits::SUBREQUESTS_PER_INVOCATION);
        assert!(claim_due(0, per_run).sql.ends_with(&format!("ORDER BY turn, next_at LIMIT {per_run}) RETURNING notification_id, subscription_id, attempts")));
        let again = claimed(220, 100);
        assert_eq!((again.len() as i64, again[0].attempts), (cap + 1, 2), "a lapsed lease is claimed again");

        let jobs: Vec<JobRow> = decode(&conn, &job("n1", "s2"));
        let j = &jobs[0];
        assert_eq!(
            [&j.account_id, &j.kind, &j.body_json, &j.endpoint, &j.p256dh, &j.auth].map(|s| s.as_str()),
            ["acc", "your_turn", "{}", "https://push.example/2", "k3", "k3"]
        );
        assert!(decode::<JobRow>(&conn, &job("n1", "s0")).is_empty(), "the subscription was removed");
        // The browser of s1 changes hands: the delivery queued for acc2 there is not shown to acc3.
        assert_eq!(decode::<JobRow>(&conn, &job("n2", "s1")).len(), 1);
        assert_eq!(sub("s1c", "acc3", "https://push.example/1", "k4", 40), 1);
        assert!(decode::<JobRow>(&conn, &job("n2", "s1")).is_empty(), "queued for the one before");

        let settled = |state: &'static str, last_error: Option<&'static str>, next_at: i64| Settled {
            notification_id: "n1",
            subscription_id: "s2",
            state,
            last_error,
            next_at,
            now: 300,
        };
        assert_eq!(settle(&settled("pending", Some("push service answered 500"), 360)).execute(&conn).unwrap(), 1);
        assert_eq!(
            one("SELECT state || last_error || next_at || updated_at FROM push_deliveries WHERE notification_id = 'n1' AND subscription_id = 's2'"),
            "pendingpush service answered 500360300"
        );
        assert_eq!(settle(&settled("sent", None, 300)).execute(&conn).unwrap(), 1);
        assert_eq!(
            one("SELECT state || coalesce(last_error, '-') || next_at || updated_at FROM push_deliveries WHERE notification_id = 'n1' AND subscription_id = 's2'"),
            "sent-300300"
        );

        // A second notification for s2, so dropping it has a sent and an unsettled delivery.
        conn.execute_batch("INSERT INTO notifications (id, account_id, kind, ref_id, body_json, created_at) VALUES ('n3', 'acc', 'no_show', 'b', '{}', 400);")
            .unwrap();
        let gone = |conn: &rusqlite::Connection| drop_subscription("s2", 500).map(|s| s.execute(conn).unwrap());
        assert_eq!(gone(&conn), [1, 1]);
        assert_eq!(
            one("SELECT group_concat(notification_id || state || updated_at, ',') FROM (SELECT * FROM push_deliveries WHERE subscription_id = 's2' ORDER BY notification_id)"),
            "n1sent300,n3gone500",
            "a sent delivery stays sent"
        );
        assert_eq!(gone(&conn), [0, 0], "gone already");
        assert_eq!(one("SELECT count(*) || '' FROM push_subscriptions WHERE id = 's2'"), "0");

        assert_eq!(unsubscribe("https://push.example/3", "acc2").execute(&conn).unwrap(), 0, "not the account's device");
        assert_eq!(unsubscribe("https://push.example/3", "acc").execute(&conn).unwrap(), 1);
        assert_eq!(one("SELECT group_concat(id, ',') FROM (SELECT id FROM push_subscriptions ORDER BY id)"), "s1,s4,s5,s6");
    }
}
