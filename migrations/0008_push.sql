-- Web Push: subscriptions, per-user notification preferences, and one delivery row per notification and
-- subscription. The trigger queues deliveries in the same transaction that writes the notification, so
-- every notification — from any handler or job — is offered to every device of its owner exactly once.

CREATE TABLE push_subscriptions (
  id          TEXT PRIMARY KEY,
  account_id  TEXT NOT NULL REFERENCES accounts(id),
  endpoint    TEXT NOT NULL UNIQUE,
  p256dh      TEXT NOT NULL,
  auth        TEXT NOT NULL,
  created_at  INTEGER NOT NULL
);
CREATE INDEX push_subscriptions_account ON push_subscriptions (account_id);

-- shared::notify::NotifyPrefs as JSON, plus the language pushes are written in.
CREATE TABLE notify_prefs (
  account_id  TEXT PRIMARY KEY REFERENCES accounts(id),
  prefs_json  TEXT NOT NULL,
  lang        TEXT NOT NULL DEFAULT 'zh'
);

CREATE TABLE push_deliveries (
  notification_id  TEXT NOT NULL,
  subscription_id  TEXT NOT NULL,
  -- pending → sending → sent | pending again (retry, with backoff) | failed (after 4 attempts) |
  -- skipped (preferences or quiet hours) | gone (the push service said 404/410: subscription removed)
  state            TEXT NOT NULL CHECK (state IN ('pending', 'sending', 'sent', 'failed', 'skipped', 'gone')),
  attempts         INTEGER NOT NULL DEFAULT 0,
  next_at          INTEGER NOT NULL,
  last_error       TEXT,
  updated_at       INTEGER NOT NULL,
  PRIMARY KEY (notification_id, subscription_id)
);
CREATE INDEX push_deliveries_due ON push_deliveries (state, next_at);

CREATE TRIGGER notifications_queue_push AFTER INSERT ON notifications
BEGIN
  INSERT INTO push_deliveries (notification_id, subscription_id, state, next_at, updated_at)
  SELECT NEW.id, s.id, 'pending', NEW.created_at, NEW.created_at FROM push_subscriptions s WHERE s.account_id = NEW.account_id;
END;

-- A reminder is written once per booking and kind, however often or concurrently the job runs.
CREATE UNIQUE INDEX notifications_reminder_once ON notifications (ref_id, kind) WHERE kind IN ('reminder_day_before', 'reminder_hour_before');
