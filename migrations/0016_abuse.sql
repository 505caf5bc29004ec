-- Sign-in pacing per client address (shared::account::PACE_MS): the end of the last reserved check slot,
-- in milliseconds. An address past its failure limit queues for one check per slot instead of being
-- refused, so one stranger cannot lock a whole hall out.
CREATE TABLE login_pace (
  client   TEXT PRIMARY KEY,
  next_at  INTEGER NOT NULL
);
