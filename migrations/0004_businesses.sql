-- Business accounts (法人) and their authorised agents (经办人), who are residents acting for the business.
-- The credit code and company name are public registry data; the legal representative's name and ID
-- number are personal data and sealed like any other.

CREATE TABLE businesses (
  account_id        TEXT PRIMARY KEY REFERENCES accounts(id),
  uscc              TEXT NOT NULL UNIQUE,
  company_name      TEXT NOT NULL,
  legal_rep_name_enc TEXT NOT NULL,
  legal_rep_id_enc  TEXT NOT NULL
);

CREATE TABLE business_agents (
  business_id  TEXT NOT NULL REFERENCES accounts(id),
  agent_id     TEXT NOT NULL REFERENCES accounts(id),
  added_at     INTEGER NOT NULL,
  PRIMARY KEY (business_id, agent_id)
);
CREATE INDEX business_agents_agent ON business_agents (agent_id);
