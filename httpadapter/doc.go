// Package httpadapter exposes an account.Service over HTTP: the Clerk-style
// Frontend API routes of external accounts and the OAuth callback, as one
// http.Handler that a host mounts under any prefix of its own mux.
//
//	GET    /me/external_accounts                   the signed-in user's accounts, a JSON array, oldest first (?limit, ?after; Link rel="next")
//	POST   /me/external_accounts                   connect: strategy, redirect_url, additional_scope, label, oidc_prompt, oidc_login_hint
//	GET    /me/external_accounts/{id}              one account
//	PATCH  /me/external_accounts/{id}/reauthorize  additional_scope, redirect_url, oidc_prompt, oidc_login_hint
//	DELETE /me/external_accounts/{id}              {"object":"external_account","id":"…","deleted":true}
//	DELETE /me/external_accounts/{id}/tokens       revoke at the provider, keep the account
//	POST   /sign_ins                               strategy, redirect_url (or oauth_token_<provider> with token); or transfer=true
//	POST   /sign_ups                               strategy, redirect_url; or transfer=true
//	GET    /client                                 this browser's current sign-in and sign-up
//	GET    /oauth_callback                         where the provider sends the browser back
//	POST   /oauth_callback                         the same, for response_mode=form_post
//
// The sign-in routes exist when Options.SignIn sets the host's hooks to
// start sessions and create users. NewAdmin serves the back office's routes
// behind the host's authorization, and WriteError answers a host's own
// handlers with the same error envelope.
//
// # Mounting
//
// The host says who is signed in; Tether never owns sessions:
//
//	h, err := httpadapter.New(svc, httpadapter.Options{
//		CallbackURL: "https://app.example.com/tether/oauth_callback", // as in account.Config
//		UserID: func(r *http.Request) (string, error) {
//			s, err := sessions.Get(r) // the host's own session
//			if err != nil {
//				return "", err
//			}
//			return s.UserID, nil
//		},
//	})
//	if err != nil { ... }
//	mux.Handle("/tether/", http.StripPrefix("/tether", h))
//
// or, without http.StripPrefix, with Options.Prefix set to "/tether":
//
//	mux.Handle("/tether/", h)
//
// The callback URL registered at the providers is then
// https://app.example.com/tether/oauth_callback.
//
// # Requests and responses
//
// Connect and reauthorize take application/x-www-form-urlencoded bodies, as
// Clerk's clients send them (additional_scope repeated; unknown fields are
// ignored), or application/json with additional_scopes as an array (strict:
// unknown or repeated fields and data after the object are
// form_param_invalid). Bodies are limited to Options.MaxBodyBytes (413);
// other media types are 415. Success is 200 with Clerk's external_account
// object (the account's MarshalJSON); the list is a bare JSON array, as
// Clerk's Frontend API answers it.
//
// After connect or reauthorize the front end sends the browser to the
// account's verification.external_verification_redirect_url. The provider
// sends it back to the callback, which answers 303 See Other to the
// redirect_url given at connect (stored with the flow, never taken from the
// callback), whatever the outcome: the front end reads the outcome from the
// account. A callback whose state is unknown, used, expired or not this
// browser's is 400 with the error envelope and no redirect.
//
// # Errors
//
// Every error is answered as {"errors":[{"code","message","long_message",
// "meta"}]}, with the status of its code from one table, [HTTPStatus]:
// 400 form_param_invalid, form_param_missing (meta.param_name names the
// parameter), verification_strategy_invalid, redirect_url_not_allowed,
// oauth_callback_invalid, external_account_exists; 401
// authentication_invalid; 403 origin_invalid, oauth_access_denied; 404
// external_account_not_found and unknown routes (resource_not_found); 405
// method_not_allowed with an Allow header; 409 conflict; 413
// request_body_too_large; 415 unsupported_media_type; 422
// oauth_provider_not_enabled and verification states; 502 provider
// failures (token exchange, profile, ID token); 503 store_unavailable; 500 internal_error and anything unknown.
// Every response carries Cache-Control: no-store and X-Content-Type-Options:
// nosniff.
//
// # Security
//
// Connect, reauthorize and destroy are refused to cross-origin browsers
// (403 origin_invalid) by net/http.CrossOriginProtection; Options.TrustedOrigins
// admits a front end on another origin. The POST callback is exempt: a
// form_post callback is a cross-site navigation by design.
//
// Every flow is bound to the browser that started it. A browser holds one
// binding: a random 256-bit value in an HttpOnly cookie ("__Host-" and
// Secure when the callback URL is https), created by the first flow it
// starts and reused by every later one (connect, reauthorize, sign-in and
// sign-up, in any number of tabs), and the Service stores only its hash
// with each flow. The callback passes the cookie's value and the signed-in
// user (if any) to Service.Complete, which rejects a callback from another
// browser or another user (login CSRF). Starting a flow and every callback
// renew the cookie with the same value, so it outlives every flow it binds
// (Service.FlowLifetime); flows in flight never replace each other's
// binding, and a browser accumulates one cookie however many it starts.
// See [CookieOptions] for SameSite and form_post.
//
// A redirect_url is a path on the host ("/settings") or an absolute URL on
// an allowed origin (Options.AllowedRedirectOrigins, plus the callback
// URL's origin). Syntax errors ("//evil.com", "/\evil.com", "https:evil.com",
// "javascript:…", "/%2F%2Fevil.com", control characters, userinfo) are
// form_param_invalid; a well-formed URL on another origin is
// redirect_url_not_allowed.
//
// Repeated state, code, iss or error parameters on the callback are
// oauth_callback_invalid; token parameters (access_token, id_token, ...) on
// it are ignored. An OAuth 1.0a provider (oauth_twitter) calls back with
// state, oauth_token and oauth_verifier instead of a code (X adds denied
// when the user refuses); the route and its answers are the same. Nothing
// the handler logs or answers contains a code, a
// state, a verifier, a binding value or a token: logs name the route
// pattern, the status and the error code.
package httpadapter
