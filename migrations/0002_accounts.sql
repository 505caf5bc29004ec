-- Accounts and sessions. Personal data is sealed (AES-256-GCM, `<key id>.<base64>`); lookups use keyed
-- HMAC digests, so neither an ID number nor a mobile number is ever stored in clear.

CREATE TABLE accounts (
  id                   TEXT PRIMARY KEY,
  role                 TEXT NOT NULL CHECK (role IN ('resident', 'business', 'window_staff', 'approver', 'center_admin', 'district_admin')),
  login_lookup         TEXT NOT NULL UNIQUE,   -- HMAC of the ID number, credit code or staff login
  name_enc             TEXT NOT NULL,
  id_enc               TEXT,
  mobile_enc           TEXT,
  mobile_lookup        TEXT,
  password             TEXT NOT NULL,          -- pbkdf2-sha256$iterations$salt$hash
  created_at           INTEGER NOT NULL,
  password_changed_at  INTEGER NOT NULL
);

CREATE TABLE sessions (
  token_digest  TEXT PRIMARY KEY,              -- SHA-256 of the cookie token; the token itself is never stored
  account_id    TEXT NOT NULL REFERENCES accounts(id),
  created_at    INTEGER NOT NULL,
  expires_at    INTEGER NOT NULL,
  idle_secs     INTEGER NOT NULL               -- > 0: sliding expiry (staff); 0: fixed
);
CREATE INDEX sessions_account ON sessions (account_id);

CREATE TABLE login_failures (
  id            INTEGER PRIMARY KEY AUTOINCREMENT,
  login_lookup  TEXT NOT NULL,
  client        TEXT NOT NULL,
  at            INTEGER NOT NULL
);
CREATE INDEX login_failures_login ON login_failures (login_lookup, at);
CREATE INDEX login_failures_client ON login_failures (client, at);
