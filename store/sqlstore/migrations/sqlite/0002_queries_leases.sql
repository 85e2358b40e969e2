-- Tether schema v2 for SQLite: back-office listings, the sweep of
-- abandoned accounts, and refresh leases.

-- ListAccounts across users: creation order straight from the index.
CREATE INDEX tether_external_accounts_created
	ON tether_external_accounts (created_at, id);

-- ListAccounts of one provider across users.
CREATE INDEX tether_external_accounts_provider_created
	ON tether_external_accounts (provider, created_at, id);

-- DeleteAbandoned: only never-verified accounts are in this index.
CREATE INDEX tether_external_accounts_abandoned
	ON tether_external_accounts (verification_expire_at)
	WHERE provider_user_id IS NULL;

-- One refresh at a time per account, across processes.
ALTER TABLE tether_external_account_tokens ADD COLUMN lease_holder TEXT;
ALTER TABLE tether_external_account_tokens ADD COLUMN lease_until INTEGER;
