-- Tether schema v1 for SQLite. STRICT tables; times are INTEGER Unix
-- milliseconds (UTC), NULL when unset; JSON is TEXT.

CREATE TABLE tether_external_accounts (
	id                        TEXT    NOT NULL PRIMARY KEY,
	user_id                   TEXT    NOT NULL,
	identification_id         TEXT    NOT NULL,
	provider                  TEXT    NOT NULL,
	-- NULL until the first verification binds the account to an identity.
	provider_user_id          TEXT,
	email_address             TEXT    NOT NULL DEFAULT '',
	email_address_verified    INTEGER,
	approved_scopes           TEXT,
	first_name                TEXT    NOT NULL DEFAULT '',
	last_name                 TEXT    NOT NULL DEFAULT '',
	avatar_url                TEXT    NOT NULL DEFAULT '',
	username                  TEXT    NOT NULL DEFAULT '',
	label                     TEXT    NOT NULL DEFAULT '',
	public_metadata           TEXT,
	verification_status       TEXT    NOT NULL,
	verification_strategy     TEXT    NOT NULL,
	verification_attempts     INTEGER NOT NULL DEFAULT 0,
	verification_expire_at    INTEGER,
	verification_error        TEXT,
	verification_redirect_url TEXT    NOT NULL DEFAULT '',
	verification_flow_key     TEXT    NOT NULL DEFAULT '',
	created_at                INTEGER NOT NULL,
	updated_at                INTEGER NOT NULL,
	version                   INTEGER NOT NULL
) STRICT;

-- One owner per identity: the index decides races between writers.
CREATE UNIQUE INDEX tether_external_accounts_identity_key
	ON tether_external_accounts (provider, provider_user_id)
	WHERE provider_user_id IS NOT NULL;

-- ListAccounts: one user's accounts in creation order, read from the index
-- order without a sort.
CREATE INDEX tether_external_accounts_user_created
	ON tether_external_accounts (user_id, created_at, id);

CREATE TABLE tether_external_account_tokens (
	account_id TEXT    NOT NULL PRIMARY KEY
		REFERENCES tether_external_accounts (id) ON DELETE CASCADE,
	sealed     BLOB    NOT NULL,
	version    INTEGER NOT NULL,
	updated_at INTEGER NOT NULL
) STRICT;

-- A flow lives for minutes and is only ever taken by its key or purged by
-- its expiry: those are columns, with the user and account for operators;
-- the rest of account.Flow is one JSON payload, so that a field added to
-- Flow needs no migration.
CREATE TABLE tether_flows (
	state_hash TEXT    NOT NULL PRIMARY KEY,
	user_id    TEXT    NOT NULL,
	account_id TEXT    NOT NULL,
	payload    TEXT    NOT NULL,
	created_at INTEGER NOT NULL,
	expires_at INTEGER NOT NULL
) STRICT;

-- DeleteExpired.
CREATE INDEX tether_flows_expires_at ON tether_flows (expires_at);
