// Monolith is the Tether demo: a small web application with its own users
// and sessions that links them to accounts at OpenID Connect and OAuth 2.0
// providers. It is also the reference for how a host embeds Tether.
//
//	go run ./examples/monolith
//
// serves http://127.0.0.1:8080 with no services and no network. Sign in with
// any username (the user is created on first use), connect an account at
// the built-in "Dev" provider, approve or deny on its sign-in page, and the
// page shows what Tether stored: the provider, the identity, the email and
// whether the provider verified it, the approved scopes, the verification's
// status, attempts, expiry and error. Reauthorize for more scopes, retry a
// denied connection, disconnect.
//
// # What it wires
//
//   - The host part (session.go, page.go): POST /login signs a user in with
//     an HMAC-SHA256-signed cookie (HttpOnly, SameSite=Lax, Secure over
//     https); POST /logout signs out. The Tether user id of a username is
//     "user_" + the username, so accounts are found again after a restart.
//   - Tether (app.go): an account.Service on a store, and httpadapter's
//     handler mounted at /identity/ (/identity/me/external_accounts…, the
//     callback /identity/oauth_callback), told who is signed in by the
//     session. Redirects may go to the base URL's origin.
//   - Storage (store.go): a SQLite file by default, migrated on start, with
//     expired flows deleted every few minutes by the Service's sweep; or
//     PostgreSQL in a build with the tag "postgres" (store_postgres.go); or
//     Redis in a build with the tag "redis" (store_redis.go). Both are left
//     out by default because compiling their drivers would slow the first
//     run on a small machine. The page and the log show a store URL without
//     its secrets (redactURL).
//   - Token-sealing keys (keys.go): TETHER_KEYS, or a key file created with
//     mode 0600 next to the database on first run, so that tokens sealed
//     before a restart still open after it. A key file its group or others
//     may read stops the start. The log names the file, never the key.
//   - The "Dev" provider (devprovider.go): provider/providertest's OpenID
//     Connect provider mounted at /dev-oidc, issuer <base-url>/dev-oidc,
//     strategy oauth_custom_dev, with an interactive sign-in form (sub,
//     email, email_verified, name, picture; approve or deny). Browsers
//     reach it through the server; the server's back-channel requests to it
//     (discovery, token, userinfo, JWKS) are served in process by a
//     transport given to oidc.Config.HTTP.Client, so discovery needs neither
//     the network nor a listening server.
//   - Real providers from the environment (providers.go): Google, GitHub,
//     and any OpenID Connect provider.
//   - One log line per request (method, path without the query, status,
//     duration) with log/slog, and a clean shutdown on SIGINT or SIGTERM.
//
// The page is html/template with a little vanilla JavaScript
// (static/app.js) that calls Tether's routes with same-origin fetches:
// POST /identity/me/external_accounts to connect, PATCH …/{id}/reauthorize,
// DELETE …/{id}, then sends the browser to the returned
// verification.external_verification_redirect_url.
//
// # Flags
//
//	-addr      listen address (default 127.0.0.1:8080; port 0 picks a free port)
//	-base-url  the URL browsers use (default http:// + the address listened on);
//	           the OAuth callback is <base-url>/identity/oauth_callback
//	-db        the SQLite file (default tether-demo.db in the working
//	           directory, or TETHER_DB)
//	-store     a postgres://… or redis://… URL that replaces SQLite
//	           (or TETHER_STORE); PostgreSQL needs go run -tags postgres
//	           ./examples/monolith, Redis -tags redis
//
// # Environment
//
//	TETHER_DB, TETHER_STORE     as -db and -store (a flag wins)
//	TETHER_KEYS                 token-sealing keys, "id:base64[,older...]" (account.ParseKeyring);
//	                            default: the key file <db without extension>.keys
//	TETHER_SESSION_KEY          HMAC key of the session cookies, at least 32 characters;
//	                            default: random per start (sessions end on restart)
//	GOOGLE_CLIENT_ID, GOOGLE_CLIENT_SECRET   enable oauth_google
//	GITHUB_CLIENT_ID, GITHUB_CLIENT_SECRET   enable oauth_github
//	OIDC_ISSUER, OIDC_CLIENT_ID, OIDC_CLIENT_SECRET
//	                            enable an OpenID Connect provider, oauth_custom_<OIDC_SLUG>
//	OIDC_SLUG                   its slug (default "oidc")
//	OIDC_SCOPES                 its scopes, space-separated (default openid email profile)
//
// Register <base-url>/identity/oauth_callback as the redirect URI at each
// real provider. The dev provider is for local use only: anyone who reaches
// the server can sign in at it as anybody.
package main
