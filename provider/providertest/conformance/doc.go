// Package conformance is the provider conformance suite: one function,
// [Run] ([RunOAuth1] for OAuth 1.0a), that takes a provider.Provider through full flows against a fake
// of the provider it talks to, built from that provider's documented shapes,
// which a [Harness] declares. provider/oidc and provider/oauth2 run it, the
// catalogue runs it on every provider from one table of harnesses
// (provider/internal/catalog's TestConformance), and a host runs it on its
// own provider the same way.
//
// A provider's test is a harness plus one call:
//
//	func TestConformance(t *testing.T) {
//		conformance.Run(t, conformance.Harness{
//			New: func(s conformance.Server) (provider.Provider, error) {
//				return oauth2.New(oauth2.Config{
//					Strategy: verification.MustParseStrategy("oauth_custom_acme"), Title: "Acme",
//					ClientID: s.ClientID, ClientSecret: s.ClientSecret, HTTP: s.HTTP(),
//					Endpoint: oauth2.Endpoint{AuthURL: s.URL + "/authorize", TokenURL: s.URL + "/token", UserinfoURL: s.URL + "/me"},
//					AuthStyle: xoauth2.AuthStyleInParams, MapProfile: mapAcmeProfile,
//				})
//			},
//			Strategy: "oauth_custom_acme", Title: "Acme",
//			Authorize: conformance.Authorize{Path: "/authorize", PKCE: true},
//			Token:     conformance.Token{Path: "/token", Auth: conformance.AuthPost, ScopeSeparator: " "},
//			Profile: conformance.Profile{Routes: []conformance.Route{{Path: "/me",
//				Body: func(u conformance.User, _ []string) any {
//					return map[string]any{"id": u.NumericID(), "email": u.Email, ...}
//				}}}},
//			Lacks: conformance.Lacks{EmailVerified: true},
//		})
//	}
//
// Harness.New points every endpoint of the provider at [Server.URL], the
// fake's address on 127.0.0.1, and uses the fake's client credentials.
// Route bodies map a fixture [User] to the provider's JSON, so the suite
// runs the provider's own profile mapping; the harness declares what the
// provider cannot know ([Lacks]) or derives ([Harness.Expect]).
//
// # What runs
//
//   - Metadata: Strategy, Title, DefaultScopes, OpenID (true exactly when
//     the harness declares IDToken), the issuer.
//   - Capabilities: the provider implements provider.Refresher,
//     provider.Revoker and provider.IDTokenVerifier exactly when the harness
//     declares Refresh, Revoke and VerifiesIDTokens.
//   - AuthCodeURL: path, response_type, the client id (under
//     Harness.ClientIDParam), redirect_uri, state, scopes joined by the
//     declared separator (default scopes, added scopes), PKCE S256 present
//     or absent, nonce for OpenID Connect, the provider's own parameters;
//     with PKCE, no authorization URL without a code challenge and no
//     exchange without a verifier (nothing sent).
//   - Exchange, for each fixture (a complete user, no email, an unverified
//     email, no names, an id of 2^53+1 sent as a JSON number): the fake
//     issues a code, redirects (or posts a form_post page), checks the
//     token request (client authentication, redirect_uri, PKCE verifier),
//     answers with the declared token response (an ID token signed with
//     keys it publishes, or HS256 with the client secret), serves the
//     profile routes (or none, for an identity in the token response:
//     Profile.FromToken), and the suite compares the Identity and the
//     Token.
//   - Examples: each response the provider's documentation shows
//     (Harness.Examples), served verbatim through a full flow, must map to
//     the identity the example names.
//   - Error shapes: token endpoint HTTP 400 with an OAuth error, HTTP 200
//     with an "error" member, a non-JSON body, no access_token (each
//     verification.ErrTokenExchange, never a success, the first two
//     wrapping a *provider.OAuthError); a profile route answering HTTP 200
//     with an error body (verification.ErrFetchUser); an ID token with
//     another request's nonce (verification.ErrIDTokenInvalid), also for
//     providers whose ID tokens carry none.
//   - Refresh (with or without rotation and ID token), a refused refresh
//     token (invalid_grant), an HTTP 200 error, an empty refresh token.
//   - Revoke at the declared method, path and token placement, for each
//     token kind the provider can revoke; provider.ErrRevocationUnsupported
//     without a request for the others; an HTTP 503 is an error.
//   - VerifyIDToken of a native client's ID token, a forged one, a wrong
//     nonce.
//   - Secrets: no authorization code, PKCE verifier, state, nonce, access,
//     refresh or ID token, or client secret appears in any error (or an
//     error it wraps), in the provider or a Token printed with %v, %+v,
//     %#v or %s, or in the OpenTelemetry spans recorded under a traced
//     exchange or revocation (HubSpot puts tokens in URL paths). The fake's error bodies echo the code, as real providers'
//     error pages do.
//
// # OAuth 1.0a
//
// [RunOAuth1] is the suite's mode for provider.OAuth1 providers (RFC
// 5849, X's legacy oauth_twitter), declared by an [OAuth1Harness]: the
// temporary credential request, authorization page and token request
// paths, the profile Routes (signed with the token credentials, with
// their declared Query), the HTTP 401 ErrorBody, an optional
// [OAuth1Revoke], Lacks, Expect and Examples as above:
//
//	conformance.RunOAuth1(t, conformance.OAuth1Harness{
//		New: func(s conformance.OAuth1Server) (provider.OAuth1, error) {
//			return twitter.New(twitter.Config{Credentials: provider.Credentials{
//				ClientID: s.ConsumerKey, ClientSecret: s.ConsumerSecret}, BaseURL: s.URL, HTTP: s.HTTP()})
//		},
//		Strategy: "oauth_twitter", Title: "Twitter",
//		RequestToken: "/oauth/request_token", Authorize: "/oauth/authenticate", AccessToken: "/oauth/access_token",
//		Profile: []conformance.Route{{Path: "/1.1/account/verify_credentials.json", Body: ...}},
//		Revoke:  &conformance.OAuth1Revoke{Path: "/1.1/oauth/invalidate_token"},
//	})
//
// The fake checks every request's HMAC-SHA1 signature (consumer key,
// timestamp, a nonce never seen before, the secret of the credentials its
// oauth_token names) with providertest's own RFC 5849 code
// ([providertest.ParseOAuth1Request]), independent of the provider's
// signing library. What runs:
//
//   - Metadata: Strategy, Title, no OpenID Connect, issuer or default
//     scopes; no provider.Refresher, provider.Revoker or
//     provider.IDTokenVerifier; AuthCodeURL fails and sends nothing.
//   - StartOAuth1: one signed temporary credential request whose
//     oauth_callback is the redirect URI with state added and its own
//     query kept; the authorization page at the declared path with the
//     issued oauth_token; the returned TemporaryCredentials are the
//     issued ones.
//   - Exchange, for each fixture: the callback (oauth_token,
//     oauth_verifier, state) redeemed as the account Service does, the
//     Identity compared, the Token's AccessToken and TokenSecret the
//     issued token credentials, without refresh token, ID token, expiry
//     or scopes.
//   - Refusals before anything is sent: no verifier, no temporary
//     credentials or secret (verification.ErrTokenExchange), no oauth_token,
//     another flow's or a repeated one (verification.ErrCallbackInvalid);
//     the flow still completes afterwards.
//   - Error shapes: the token request refused with HTTP 401
//     (verification.ErrTokenExchange wrapping a *provider.OAuthError),
//     another flow's verifier or a spent one (verification.ErrTokenExchange),
//     the temporary credential request refused, a profile
//     route answering HTTP 401 or a non-JSON page
//     (verification.ErrFetchUser).
//   - RevokeCredentials signed with the token credentials at the declared
//     route, an HTTP 503 an error; without Revoke, an error wrapping
//     provider.ErrRevocationUnsupported and no request.
//   - Examples, served verbatim.
//   - Secrets: no consumer secret, temporary credentials, token
//     credentials, verifier or state in any error, printed provider,
//     Token or TemporaryCredentials, or span; the fake's error pages echo
//     the verifier and the token.
//
// The suite uses real HTTP (httptest) and never a mock of the provider. A
// check the fake makes on a request fails the subtest with a message that
// says which declared shape the request broke.
package conformance
