-- The hall queue. Tickets are numbered per window class and day (A001…); `ticket_counters` hands out
-- the numbers. Calling the next ticket is one UPDATE choosing the head of the service order
-- (checked-in bookings by slot, then walk-ins by number), so two windows can never get the same ticket.

CREATE TABLE ticket_counters (
  class_id  TEXT NOT NULL REFERENCES window_classes(id),
  day       TEXT NOT NULL,
  last      INTEGER NOT NULL DEFAULT 0,
  PRIMARY KEY (class_id, day)
);

CREATE TABLE tickets (
  id          TEXT PRIMARY KEY,                -- random; also what the holder's phone polls with
  center_id   TEXT NOT NULL REFERENCES centers(id),
  class_id    TEXT NOT NULL REFERENCES window_classes(id),
  day         TEXT NOT NULL,
  seq         INTEGER NOT NULL,
  number      TEXT NOT NULL,
  origin      TEXT NOT NULL CHECK (origin IN ('booking', 'walk_in')),
  booking_id  TEXT UNIQUE REFERENCES bookings(id),
  slot_start  TEXT,
  state       TEXT NOT NULL CHECK (state IN ('waiting', 'called', 'serving', 'skipped', 'done', 'transferred')),
  window_no   INTEGER,
  called_by   TEXT,
  created_at  INTEGER NOT NULL,
  called_at   INTEGER,
  call_no     INTEGER,                         -- order of calls in the center's day (the display's order)
  UNIQUE (class_id, day, seq)
);
CREATE INDEX tickets_waiting ON tickets (class_id, day, state);
CREATE INDEX tickets_called ON tickets (center_id, day, call_no);
