-- 一表申请: item forms (versioned data), saved profiles and drafts, the e-licence library, uploads,
-- applications with one case per item, and every step of each on record. Answers and profiles hold
-- personal data: they are sealed (AES-GCM) like the accounts' columns.

CREATE TABLE item_forms (
  item_id     TEXT NOT NULL REFERENCES items(id),
  version     INTEGER NOT NULL,
  form_json   TEXT NOT NULL,                 -- shared::form::ItemForm
  PRIMARY KEY (item_id, version)
);

-- 一次收齐、反复使用: what the person agreed to keep for pre-filling (profile keys → values), sealed.
CREATE TABLE profiles (
  account_id  TEXT PRIMARY KEY REFERENCES accounts(id),
  values_enc  TEXT NOT NULL,
  updated_at  INTEGER NOT NULL
);

CREATE TABLE drafts (
  account_id  TEXT NOT NULL REFERENCES accounts(id),
  bundle_id   TEXT NOT NULL REFERENCES bundles(id),
  values_enc  TEXT NOT NULL,
  updated_at  INTEGER NOT NULL,
  PRIMARY KEY (account_id, bundle_id)
);

-- 电子证照: licences issued to a person or a business; `fields_json` are the fields a department may
-- read (shown to the holder before they consent to share them).
CREATE TABLE e_licences (
  id           TEXT PRIMARY KEY,
  holder_id    TEXT NOT NULL REFERENCES accounts(id),
  licence      TEXT NOT NULL,                -- type: business_licence, id_card, food_licence …
  name_zh      TEXT NOT NULL,
  name_en      TEXT NOT NULL,
  number       TEXT NOT NULL,
  issuer_zh    TEXT NOT NULL,
  issuer_en    TEXT NOT NULL,
  issued_on    TEXT NOT NULL,
  fields_json  TEXT NOT NULL,
  case_id      TEXT,                         -- the case that issued it (统一窗口出件), if any
  created_at   INTEGER NOT NULL
);
CREATE INDEX e_licences_holder ON e_licences (holder_id, licence);

CREATE TABLE applications (
  id            TEXT PRIMARY KEY,
  number        TEXT NOT NULL UNIQUE,        -- 办件编号
  bundle_id     TEXT NOT NULL REFERENCES bundles(id),
  account_id    TEXT NOT NULL REFERENCES accounts(id),
  center_id     TEXT NOT NULL REFERENCES centers(id),
  state         TEXT NOT NULL CHECK (state IN ('submitted', 'correction', 'accepted', 'rejected', 'withdrawn', 'ready', 'collected')),
  values_enc    TEXT NOT NULL,
  forms_json    TEXT NOT NULL,               -- [[item, version], …] the answers were checked against
  consent_json  TEXT NOT NULL,               -- e-licence ids the applicant agreed to share
  correction_json TEXT,                      -- field → note, while a correction is asked
  note          TEXT,                        -- reject reason
  idem_key      TEXT NOT NULL,
  created_at    INTEGER NOT NULL,
  updated_at    INTEGER NOT NULL,
  UNIQUE (account_id, idem_key)              -- a double-clicked or retried submit makes one application
);
CREATE INDEX applications_account ON applications (account_id, created_at);
CREATE INDEX applications_center ON applications (center_id, state);

CREATE TABLE cases (
  id              TEXT PRIMARY KEY,
  application_id  TEXT NOT NULL REFERENCES applications(id),
  number          TEXT NOT NULL UNIQUE,
  item_id         TEXT NOT NULL REFERENCES items(id),
  dept_id         TEXT NOT NULL REFERENCES departments(id),
  state           TEXT NOT NULL CHECK (state IN ('waiting', 'handling', 'approved', 'refused', 'withdrawn')),
  step            INTEGER NOT NULL DEFAULT 0,   -- index in the item's approval chain
  due             TEXT,                         -- working-day deadline from acceptance
  version         INTEGER NOT NULL DEFAULT 0,
  decided_at      INTEGER,
  updated_at      INTEGER NOT NULL
);
CREATE INDEX cases_dept ON cases (dept_id, state);
CREATE INDEX cases_application ON cases (application_id);

CREATE TABLE case_events (
  id              INTEGER PRIMARY KEY AUTOINCREMENT,
  application_id  TEXT NOT NULL,
  case_id         TEXT,
  at              INTEGER NOT NULL,
  actor_id        TEXT,
  action          TEXT NOT NULL,
  note            TEXT NOT NULL DEFAULT ''
);
CREATE INDEX case_events_application ON case_events (application_id, id);
CREATE TRIGGER case_events_append_only_update BEFORE UPDATE ON case_events
BEGIN SELECT RAISE(ABORT, 'case_events is append-only'); END;
CREATE TRIGGER case_events_append_only_delete BEFORE DELETE ON case_events
BEGIN SELECT RAISE(ABORT, 'case_events is append-only'); END;

-- Uploaded materials: the bytes in KV (`upload:<id>`), what they are here. PDF, JPEG or PNG only, by
-- their first bytes, never by the name or the declared type.
CREATE TABLE uploads (
  id          TEXT PRIMARY KEY,
  account_id  TEXT NOT NULL REFERENCES accounts(id),
  name        TEXT NOT NULL,
  media_type  TEXT NOT NULL CHECK (media_type IN ('application/pdf', 'image/jpeg', 'image/png')),
  size        INTEGER NOT NULL CHECK (size > 0 AND size <= 5242880),
  created_at  INTEGER NOT NULL
);
CREATE INDEX uploads_account ON uploads (account_id);
