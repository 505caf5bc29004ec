-- Sign-in pacing per client address (shared::account::PACE_MS): the end of the last reserved check slot,
-- in milliseconds. An address past its failure limit queues for one check per slot instead of being
-- refused, so one stranger cannot lock a whole hall out.
CREATE TABLE login_pace (
  client   TEXT PRIMARY KEY,
  next_at  INTEGER NOT NULL
);

-- Object-store keys whose bytes must go (a deleted account's uploads). Written in the same transaction
-- that deletes their rows; the request deletes the objects and these rows after it commits, and the cron
-- finishes whatever a failed request left.
CREATE TABLE erasures (
  object_key  TEXT PRIMARY KEY,
  since       INTEGER NOT NULL
);

-- E-licence numbers and fields are sealed like every other personal value (issue 16 §4). Rows written
-- before are plaintext (sealed = 0) until the cron seals them.
ALTER TABLE e_licences ADD COLUMN sealed INTEGER NOT NULL DEFAULT 0;

-- Registered kiosks (自助终端, issue 16 §2): a center admin issues a key, the machine sends it, and its
-- tickets and check-ins count against the kiosk's own rate limit. Only the key's digest is stored.
CREATE TABLE kiosks (
  id          TEXT PRIMARY KEY,
  center_id   TEXT NOT NULL REFERENCES centers(id),
  label       TEXT NOT NULL,
  key_digest  TEXT NOT NULL UNIQUE,
  created_by  TEXT NOT NULL,
  created_at  INTEGER NOT NULL,
  revoked_at  INTEGER
);
CREATE INDEX kiosks_center ON kiosks (center_id, created_at);
