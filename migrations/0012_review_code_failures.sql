-- Failed review-code look-ups, per client (a keyed digest of its address), so guessing codes is throttled
-- (shared::review::CODE_FAILS_PER_CLIENT within THROTTLE_WINDOW_SECS). Uploads' bytes moved from KV to
-- R2 (sealed); the `uploads` rows are unchanged.
CREATE TABLE review_code_failures (
  client  TEXT NOT NULL,
  at      INTEGER NOT NULL
);
CREATE INDEX review_code_failures_client ON review_code_failures (client, at);
