-- Holds, the waiting list, no-show bans, domain window classes, and the window's service steps.

-- A held booking keeps its seat until `hold_until` (epoch seconds); expired holds are given back by the
-- sweep that runs before every booking and every minute from the cron trigger.
ALTER TABLE bookings ADD COLUMN hold_until INTEGER;
-- Why the center cancelled a booking (configuration changes are never silent).
ALTER TABLE bookings ADD COLUMN cancel_reason TEXT;
CREATE INDEX bookings_holds ON bookings (state, hold_until);
CREATE INDEX bookings_day ON bookings (date, state);

-- 候补: a full slot's waiting list. When a seat frees up, the first entry is offered it as a hold.
CREATE TABLE waitlist (
  id          TEXT PRIMARY KEY,
  account_id  TEXT NOT NULL REFERENCES accounts(id),
  item_id     TEXT NOT NULL REFERENCES items(id),
  center_id   TEXT NOT NULL REFERENCES centers(id),
  slot_id     TEXT NOT NULL,
  date        TEXT NOT NULL,
  start       TEXT NOT NULL,
  state       TEXT NOT NULL CHECK (state IN ('waiting', 'offered', 'left', 'lapsed')),
  booking_id  TEXT,
  created_at  INTEGER NOT NULL,
  updated_at  INTEGER NOT NULL
);
CREATE UNIQUE INDEX waitlist_once ON waitlist (account_id, slot_id) WHERE state = 'waiting';
CREATE INDEX waitlist_slot ON waitlist (slot_id, state, created_at);

-- A user's notifications (the in-app inbox; channels come later). Written in the same batch as the
-- state change they report, so a notification exists exactly when its event happened.
CREATE TABLE notifications (
  id          TEXT PRIMARY KEY,
  account_id  TEXT NOT NULL REFERENCES accounts(id),
  kind        TEXT NOT NULL,
  ref_id      TEXT,
  body_json   TEXT NOT NULL,
  created_at  INTEGER NOT NULL,
  read_at     INTEGER
);
CREATE INDEX notifications_account ON notifications (account_id, created_at);

-- Staff lifting a no-show ban: no-shows before `lifted_at` no longer count.
CREATE TABLE ban_lifts (
  account_id  TEXT PRIMARY KEY REFERENCES accounts(id),
  lifted_at   INTEGER NOT NULL,
  lifted_by   TEXT NOT NULL,
  reason      TEXT NOT NULL
);

-- Window classes: 'any' (无差别) serves every item of the center; 'domain' (分领域) serves the items listed
-- in class_items. A window belongs to one class and calls that class's line.
ALTER TABLE window_classes ADD COLUMN kind TEXT NOT NULL DEFAULT 'any' CHECK (kind IN ('any', 'domain'));
CREATE TABLE class_items (
  class_id  TEXT NOT NULL REFERENCES window_classes(id),
  item_id   TEXT NOT NULL REFERENCES items(id),
  PRIMARY KEY (class_id, item_id)
);
ALTER TABLE windows ADD COLUMN class_id TEXT REFERENCES window_classes(id);
-- An admin's override of one slot's seats (NULL: computed from the configuration).
ALTER TABLE slots ADD COLUMN override INTEGER CHECK (override IS NULL OR override >= 0);

-- Service steps at the window, each timestamped: waiting time = called_at − created_at, handling time =
-- finished_at − started_at. A skipped ticket rejoins the line once the class has made `rejoin_after_call` calls.
ALTER TABLE tickets ADD COLUMN started_at INTEGER;
ALTER TABLE tickets ADD COLUMN finished_at INTEGER;
ALTER TABLE tickets ADD COLUMN outcome TEXT CHECK (outcome IS NULL OR outcome IN ('on_the_spot', 'back_office'));
ALTER TABLE tickets ADD COLUMN rejoin_after_call INTEGER;
ALTER TABLE tickets ADD COLUMN recalls INTEGER NOT NULL DEFAULT 0;
ALTER TABLE tickets ADD COLUMN class_calls INTEGER;          -- the class's call counter when this ticket was called
ALTER TABLE tickets ADD COLUMN transferred_from TEXT;

-- Per-class call counters of the day (for "rejoin after N calls").
ALTER TABLE ticket_counters ADD COLUMN calls INTEGER NOT NULL DEFAULT 0;

-- The day's figures per center, class and window, stored by the nightly job for the load dashboards.
CREATE TABLE daily_stats (
  day            TEXT NOT NULL,
  center_id      TEXT NOT NULL,
  class_id       TEXT NOT NULL,
  window_no      INTEGER NOT NULL,          -- 0: the class as a whole
  tickets        INTEGER NOT NULL,
  served         INTEGER NOT NULL,
  on_the_spot    INTEGER NOT NULL,
  avg_wait_secs  INTEGER,
  avg_handle_secs INTEGER,
  no_shows       INTEGER NOT NULL,
  PRIMARY KEY (day, class_id, window_no)
);
