-- Separation of duties (issue 15 §2): a staff post's duties in a department's chain (`handle,review,decide`;
-- NULL for an older post: every duty, and the different-person rule still applies), and the chain step each
-- case event was taken at, so the edge knows who did which step (shared::application::check_separation).
ALTER TABLE staff ADD COLUMN duties TEXT;
ALTER TABLE case_events ADD COLUMN step TEXT;
-- 岗位AB角: the away post a backup acted for, when the step's duty was that post's and not their own.
ALTER TABLE case_events ADD COLUMN for_id TEXT;
