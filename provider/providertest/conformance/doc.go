// Package conformance is the provider conformance suite: one function,
// [Run], that takes a provider.Provider through full flows against a fake
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
// The suite uses real HTTP (httptest) and never a mock of the provider. A
// check the fake makes on a request fails the subtest with a message that
// says which declared shape the request broke.
package conformance
