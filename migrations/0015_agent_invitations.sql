-- 经办人 only with the resident's consent (issue 15 §4): a business invites by ID number; the link exists
-- only once the resident accepts. The invited number is kept as its keyed digest (like login_lookup) and
-- masked for the business's list, so the business learns nothing about whether it is registered.
CREATE TABLE agent_invitations (
  id            TEXT PRIMARY KEY,
  business_id   TEXT NOT NULL REFERENCES accounts(id),
  agent_lookup  TEXT NOT NULL,
  id_masked     TEXT NOT NULL,
  state         TEXT NOT NULL CHECK (state IN ('pending', 'accepted', 'declined')),
  created_at    INTEGER NOT NULL,
  decided_at    INTEGER
);
CREATE UNIQUE INDEX agent_invitations_pending ON agent_invitations (business_id, agent_lookup) WHERE state = 'pending';
CREATE INDEX agent_invitations_agent ON agent_invitations (agent_lookup, state);
CREATE INDEX agent_invitations_business ON agent_invitations (business_id, created_at);
