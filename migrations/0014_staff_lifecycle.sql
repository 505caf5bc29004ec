-- Staff accounts end (issue 15 §3): a disabled account signs in nowhere and its sessions are gone; an
-- account whose password an admin reset must change it before anything else.
ALTER TABLE accounts ADD COLUMN disabled INTEGER NOT NULL DEFAULT 0;
ALTER TABLE accounts ADD COLUMN must_change_password INTEGER NOT NULL DEFAULT 0;
