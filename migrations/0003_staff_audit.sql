-- Staff posts (created by admins, never self-registered), their AB backups (岗位AB角), and the audit log of
-- staff access to personal data. The log is append-only at the database too: no route edits it, and
-- these triggers refuse UPDATE and DELETE whatever code tries.

CREATE TABLE staff (
  account_id  TEXT PRIMARY KEY REFERENCES accounts(id),
  login       TEXT NOT NULL UNIQUE,
  center_id   TEXT REFERENCES centers(id),
  dept_id     TEXT REFERENCES departments(id),
  backup_id   TEXT REFERENCES staff(account_id),
  away        INTEGER NOT NULL DEFAULT 0 CHECK (away IN (0, 1)),
  created_by  TEXT NOT NULL,
  created_at  INTEGER NOT NULL
);
CREATE INDEX staff_center ON staff (center_id);

CREATE TABLE audit_log (
  id            INTEGER PRIMARY KEY AUTOINCREMENT,
  at            INTEGER NOT NULL,
  actor_id      TEXT NOT NULL,
  actor_center  TEXT,
  action        TEXT NOT NULL,
  subject_id    TEXT NOT NULL,
  reason        TEXT NOT NULL
);
CREATE INDEX audit_log_center ON audit_log (actor_center, at);

CREATE TRIGGER audit_log_append_only_update BEFORE UPDATE ON audit_log
BEGIN SELECT RAISE(ABORT, 'audit_log is append-only'); END;
CREATE TRIGGER audit_log_append_only_delete BEFORE DELETE ON audit_log
BEGIN SELECT RAISE(ABORT, 'audit_log is append-only'); END;
