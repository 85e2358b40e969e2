-- Tether schema v1 for PostgreSQL. Ids sort bytewise (COLLATE "C"), as the
-- store contract orders ties by id; JSON is jsonb; times are timestamptz.
-- Accounts and tokens leave 10% of each page free (fillfactor 90) so that
-- the row rewrite of every callback can be a HOT update, which touches no
-- index.

CREATE TABLE tether_external_accounts (
	id                        text COLLATE "C" NOT NULL,
	user_id                   text COLLATE "C" NOT NULL,
	identification_id         text        NOT NULL,
	provider                  text COLLATE "C" NOT NULL,
	-- NULL until the first verification binds the account to an identity.
	provider_user_id          text COLLATE "C",
	email_address             text        NOT NULL DEFAULT '',
	email_address_verified    boolean,
	approved_scopes           jsonb,
	first_name                text        NOT NULL DEFAULT '',
	last_name                 text        NOT NULL DEFAULT '',
	avatar_url                text        NOT NULL DEFAULT '',
	username                  text        NOT NULL DEFAULT '',
	label                     text        NOT NULL DEFAULT '',
	public_metadata           jsonb,
	verification_status       text        NOT NULL,
	verification_strategy     text        NOT NULL,
	verification_attempts     integer     NOT NULL DEFAULT 0,
	verification_expire_at    timestamptz,
	verification_error        jsonb,
	verification_redirect_url text        NOT NULL DEFAULT '',
	verification_flow_key     text        NOT NULL DEFAULT '',
	created_at                timestamptz NOT NULL,
	updated_at                timestamptz NOT NULL,
	version                   bigint      NOT NULL,
	CONSTRAINT tether_external_accounts_pkey PRIMARY KEY (id)
) WITH (fillfactor = 90);

-- One owner per identity: the index decides races between writers.
CREATE UNIQUE INDEX tether_external_accounts_identity_key
	ON tether_external_accounts (provider, provider_user_id)
	WHERE provider_user_id IS NOT NULL;

-- ListAccounts: one user's accounts in creation order, read from the index
-- order without a sort.
CREATE INDEX tether_external_accounts_user_created
	ON tether_external_accounts (user_id, created_at, id);

CREATE TABLE tether_external_account_tokens (
	account_id text COLLATE "C" NOT NULL,
	sealed     bytea       NOT NULL,
	version    bigint      NOT NULL,
	updated_at timestamptz NOT NULL,
	CONSTRAINT tether_external_account_tokens_pkey PRIMARY KEY (account_id),
	CONSTRAINT tether_external_account_tokens_account_fkey FOREIGN KEY (account_id)
		REFERENCES tether_external_accounts (id) ON DELETE CASCADE
) WITH (fillfactor = 90);

-- A flow lives for minutes and is only ever taken by its key or purged by
-- its expiry: those are columns, with the user and account for operators;
-- the rest of account.Flow is one JSON payload, so that a field added to
-- Flow needs no migration.
CREATE TABLE tether_flows (
	state_hash text COLLATE "C" NOT NULL,
	user_id    text        NOT NULL,
	account_id text        NOT NULL,
	payload    jsonb       NOT NULL,
	created_at timestamptz NOT NULL,
	expires_at timestamptz NOT NULL,
	CONSTRAINT tether_flows_pkey PRIMARY KEY (state_hash)
);

-- DeleteExpired.
CREATE INDEX tether_flows_expires_at ON tether_flows (expires_at);
