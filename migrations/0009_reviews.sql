-- 好差评: one review per service event, the rectification work order a bad review opens, and its history.
-- The review keeps who and what it is about (center, department, window, item, staff) as of the service,
-- so the public appraisal groups reviews without joining back to tickets, and a later re-organisation
-- does not rewrite history.

-- The one-time review code printed on a ticket (walk-ins without an account review with it), and the item
-- handled when staff record one for a walk-in (a booking's ticket takes its booking's item).
ALTER TABLE tickets ADD COLUMN review_code TEXT;
ALTER TABLE tickets ADD COLUMN item_id TEXT REFERENCES items(id);
CREATE UNIQUE INDEX tickets_review_code ON tickets (review_code);
CREATE INDEX tickets_finished ON tickets (state, finished_at);

CREATE TABLE reviews (
  id            TEXT PRIMARY KEY,
  event_kind    TEXT NOT NULL CHECK (event_kind IN ('ticket', 'case')),
  event_id      TEXT NOT NULL,
  -- The signed-in reviewer (their own list, callbacks); NULL for a code-only review. Never public.
  account_id    TEXT REFERENCES accounts(id),
  anonymous     INTEGER NOT NULL CHECK (anonymous IN (0, 1)),
  level         INTEGER NOT NULL CHECK (level BETWEEN 1 AND 5),
  s_efficiency  INTEGER CHECK (s_efficiency BETWEEN 1 AND 5),
  s_competence  INTEGER CHECK (s_competence BETWEEN 1 AND 5),
  s_attitude    INTEGER CHECK (s_attitude BETWEEN 1 AND 5),
  s_guide       INTEGER CHECK (s_guide BETWEEN 1 AND 5),
  s_convenience INTEGER CHECK (s_convenience BETWEEN 1 AND 5),
  s_ease        INTEGER CHECK (s_ease BETWEEN 1 AND 5),
  reason        TEXT,
  text          TEXT NOT NULL DEFAULT '',
  channel       TEXT NOT NULL CHECK (channel IN ('window_qr', 'web', 'mobile', 'kiosk')),
  client        TEXT NOT NULL,                 -- digest of the client address, for rate limits only
  center_id     TEXT NOT NULL,
  dept_id       TEXT,
  window_id     TEXT,
  item_id       TEXT,
  staff_id      TEXT,
  month         TEXT NOT NULL,                 -- YYYY-MM of the service (Beijing time)
  finished_at   INTEGER NOT NULL,
  created_at    INTEGER NOT NULL,
  UNIQUE (event_kind, event_id)                -- 一次一评 / 一事一评: a second review is a 409
);
CREATE INDEX reviews_month ON reviews (month, center_id);
CREATE INDEX reviews_account ON reviews (account_id, created_at);
CREATE INDEX reviews_client ON reviews (client, created_at);

CREATE TABLE work_orders (
  id              TEXT PRIMARY KEY,
  review_id       TEXT NOT NULL UNIQUE REFERENCES reviews(id),
  center_id       TEXT NOT NULL,
  dept_id         TEXT,                        -- NULL: the center itself is responsible
  window_id       TEXT,
  staff_id        TEXT,
  state           TEXT NOT NULL CHECK (state IN ('verifying', 'invalid_pending', 'invalid', 'appealed', 'rectifying', 'extension_pending', 'rectified', 'closed')),
  real_name       INTEGER NOT NULL CHECK (real_name IN (0, 1)),
  valid           INTEGER CHECK (valid IN (0, 1)),
  deadline        TEXT NOT NULL,
  extension_days  INTEGER,
  extended        INTEGER NOT NULL DEFAULT 0,
  appealed        INTEGER NOT NULL DEFAULT 0,
  reopened        INTEGER NOT NULL DEFAULT 0,
  outcome         TEXT CHECK (outcome IS NULL OR outcome IN ('fixed', 'not_fixed', 'invalid')),
  rectification   TEXT,
  version         INTEGER NOT NULL DEFAULT 0,  -- every transition is conditional on the version it read
  created_at      INTEGER NOT NULL,
  updated_at      INTEGER NOT NULL
);
CREATE INDEX work_orders_dept ON work_orders (dept_id, state);
CREATE INDEX work_orders_center ON work_orders (center_id, state);

-- Who did what, when, with which note: append-only like the audit log.
CREATE TABLE work_order_events (
  id          INTEGER PRIMARY KEY AUTOINCREMENT,
  order_id    TEXT NOT NULL REFERENCES work_orders(id),
  at          INTEGER NOT NULL,
  actor_id    TEXT,
  capacity    TEXT NOT NULL,
  action      TEXT NOT NULL,
  from_state  TEXT,
  to_state    TEXT NOT NULL,
  note        TEXT NOT NULL DEFAULT ''
);
CREATE INDEX work_order_events_order ON work_order_events (order_id, id);
CREATE TRIGGER work_order_events_append_only_update BEFORE UPDATE ON work_order_events
BEGIN SELECT RAISE(ABORT, 'work_order_events is append-only'); END;
CREATE TRIGGER work_order_events_append_only_delete BEFORE DELETE ON work_order_events
BEGIN SELECT RAISE(ABORT, 'work_order_events is append-only'); END;

-- Bumped in the same batch as every review or work-order change: the dashboard's cache keys carry it,
-- so a change is visible at once while unchanged data is served from KV.
CREATE TABLE stats_gen (name TEXT PRIMARY KEY, n INTEGER NOT NULL);
INSERT INTO stats_gen (name, n) VALUES ('reviews', 0);
