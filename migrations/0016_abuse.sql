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
