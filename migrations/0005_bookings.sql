-- Appointments. A slot row is made the first time someone books it; `booked` counts seats taken, and the
-- CHECK makes overbooking impossible even if a statement were wrong: capacity is enforced by the
-- conditional UPDATE in the booking transaction and, behind it, by the database.

CREATE TABLE window_classes (
  id            TEXT PRIMARY KEY,
  center_id     TEXT NOT NULL REFERENCES centers(id),
  prefix        TEXT NOT NULL,
  name_zh       TEXT NOT NULL,
  name_en       TEXT NOT NULL,
  open_windows  INTEGER NOT NULL CHECK (open_windows >= 0),
  avg_minutes   INTEGER NOT NULL CHECK (avg_minutes > 0),
  UNIQUE (center_id, prefix)
);

-- Per-center booking rules (shared::booking::BookingRules as JSON); a center without a row uses defaults.
CREATE TABLE booking_rules (
  center_id   TEXT PRIMARY KEY REFERENCES centers(id),
  rules_json  TEXT NOT NULL
);

-- District calendar: holidays and weekend working days (调休).
CREATE TABLE calendar_days (
  day   TEXT PRIMARY KEY,
  kind  TEXT NOT NULL CHECK (kind IN ('holiday', 'workday'))
);

CREATE TABLE slots (
  id        TEXT PRIMARY KEY,               -- class id, date and start: `<class>@<YYYY-MM-DD>T<HH:MM>`
  class_id  TEXT NOT NULL REFERENCES window_classes(id),
  date      TEXT NOT NULL,
  start     TEXT NOT NULL,
  capacity  INTEGER NOT NULL CHECK (capacity >= 0),
  booked    INTEGER NOT NULL DEFAULT 0,
  CHECK (booked >= 0 AND booked <= capacity)
);
CREATE INDEX slots_class_date ON slots (class_id, date);

CREATE TABLE bookings (
  id          TEXT PRIMARY KEY,
  code        TEXT NOT NULL UNIQUE,
  account_id  TEXT NOT NULL REFERENCES accounts(id),
  item_id     TEXT NOT NULL REFERENCES items(id),
  center_id   TEXT NOT NULL REFERENCES centers(id),
  slot_id     TEXT NOT NULL REFERENCES slots(id),
  date        TEXT NOT NULL,
  start       TEXT NOT NULL,
  state       TEXT NOT NULL CHECK (state IN ('held', 'confirmed', 'checked_in', 'cancelled', 'expired', 'no_show', 'done')),
  idem_key    TEXT NOT NULL,
  created_at  INTEGER NOT NULL,
  updated_at  INTEGER NOT NULL,
  UNIQUE (account_id, idem_key)
);
CREATE INDEX bookings_account ON bookings (account_id, state);
CREATE INDEX bookings_slot ON bookings (slot_id, state);
