package catalog_test

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"path"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/tetherauth/tether/provider"
	"github.com/tetherauth/tether/provider/apple"
	"github.com/tetherauth/tether/provider/atlassian"
	"github.com/tetherauth/tether/provider/bitbucket"
	"github.com/tetherauth/tether/provider/box"
	"github.com/tetherauth/tether/provider/coinbase"
	"github.com/tetherauth/tether/provider/discord"
	"github.com/tetherauth/tether/provider/dropbox"
	"github.com/tetherauth/tether/provider/facebook"
	"github.com/tetherauth/tether/provider/github"
	"github.com/tetherauth/tether/provider/gitlab"
	"github.com/tetherauth/tether/provider/google"
	"github.com/tetherauth/tether/provider/hubspot"
	"github.com/tetherauth/tether/provider/huggingface"
	"github.com/tetherauth/tether/provider/instagram"
	"github.com/tetherauth/tether/provider/line"
	"github.com/tetherauth/tether/provider/linear"
	"github.com/tetherauth/tether/provider/linkedin"
	"github.com/tetherauth/tether/provider/microsoft"
	"github.com/tetherauth/tether/provider/notion"
	c "github.com/tetherauth/tether/provider/providertest/conformance"
	"github.com/tetherauth/tether/provider/slack"
	"github.com/tetherauth/tether/provider/spotify"
	"github.com/tetherauth/tether/provider/tiktok"
	"github.com/tetherauth/tether/provider/twitch"
	"github.com/tetherauth/tether/provider/twitter"
	"github.com/tetherauth/tether/provider/vercel"
	"github.com/tetherauth/tether/provider/x"
	"github.com/tetherauth/tether/provider/xero"
)

// TestConformance runs the provider conformance suite on every catalogue
// provider, each against a fake built from the shapes its harness declares
// (its package documentation names the sources): the OAuth 2.0 and OpenID
// Connect ones with Run, the OAuth 1.0a ones with RunOAuth1. A catalogue
// strategy without a harness fails.
func TestConformance(t *testing.T) {
	for _, s := range provider.Catalogue() {
		h, ok := harnesses[s.Slug()]
		h1, ok1 := oauth1Harnesses[s.Slug()]
		switch {
		case ok == ok1:
			t.Errorf("%s has no conformance harness, or one of each kind", s)
			continue
		case ok1:
			t.Run(s.Slug(), func(t *testing.T) {
				t.Parallel()
				c.RunOAuth1(t, h1)
			})
			continue
		}
		t.Run(s.Slug(), func(t *testing.T) {
			t.Parallel()
			c.Run(t, h)
		})
		for name, v := range variants[s.Slug()] {
			t.Run(s.Slug()+"/"+name, func(t *testing.T) {
				t.Parallel()
				c.Run(t, v)
			})
		}
	}
}

// Values the harnesses share with their expectations.
const (
	discordAvatarHash = "8342729096ea3675442027381ff50dfe"
	msTenant          = "72f988bf-86f1-41af-91ab-2d7cd011db47"
)

// doc returns a response a provider's documentation shows, kept in
// testdata/<slug>/name.
func doc(slug, name string) string {
	b, err := os.ReadFile(filepath.Join("testdata", slug, name))
	if err != nil {
		panic(err)
	}
	return string(b)
}

// claimsDoc returns the ID token claims a provider's documentation shows,
// kept in testdata/<slug>/name.
func claimsDoc(slug, name string) map[string]any {
	var m map[string]any
	if err := json.Unmarshal([]byte(doc(slug, name)), &m); err != nil {
		panic(err)
	}
	return m
}

func ptr[T any](v T) *T { return &v }

// fbGraph is the Graph API version prefix of Facebook's paths.
var fbGraph = "/" + facebook.DefaultGraphVersion

// variants are further configurations of a provider, each run as a whole,
// by slug and name.
var variants = map[string]map[string]c.Harness{
	"tiktok": {"user.info.basic": tiktokHarness(tiktok.DefaultScopes)},
	"notion": {"users/me": notionHarness(false)},
}

// oauth1Harnesses are the documented shapes of the OAuth 1.0a catalogue
// providers, by strategy slug.
var oauth1Harnesses = map[string]c.OAuth1Harness{
	// X's legacy OAuth 1.0a integration: request token, authenticate page
	// and access token under /oauth, the profile from v1.1
	// verify_credentials (id_str, a name to split, an email address only
	// when verified), errors in X's {"errors":[{"code":...}]} shape,
	// invalidate_token signed with the token credentials.
	"twitter": {
		New: func(s c.OAuth1Server) (provider.OAuth1, error) {
			return twitter.New(twitter.Config{Credentials: provider.Credentials{ClientID: s.ConsumerKey, ClientSecret: s.ConsumerSecret}, BaseURL: s.URL, HTTP: s.HTTP()})
		},
		Strategy: "oauth_twitter", Title: "Twitter",
		RequestToken: "/oauth/request_token", Authorize: "/oauth/authenticate", AccessToken: "/oauth/access_token",
		Profile: []c.Route{{Path: "/1.1/account/verify_credentials.json",
			Query: url.Values{"include_email": {"true"}, "skip_status": {"true"}, "include_entities": {"false"}},
			Body: func(u c.User, _ []string) any {
				m := map[string]any{"id": u.NumericID(), "id_str": u.ID, "name": u.Name(), "screen_name": u.Username,
					"protected": false, "verified": false, "profile_image_url_https": u.AvatarURL}
				if u.Verified() { // X returns verified addresses only
					m["email"] = u.Email
				}
				return m
			}}},
		ErrorBody: `{"errors":[{"code":89,"message":"Invalid or expired token."}]}`,
		Revoke:    &c.OAuth1Revoke{Path: "/1.1/oauth/invalidate_token"},
		Expect: func(u c.User, w *provider.Identity) {
			if !u.Verified() {
				w.EmailAddress, w.EmailVerified = "", nil
			}
		},
		Examples: []c.Example{{Name: "Documented", Bodies: map[string]string{"/1.1/account/verify_credentials.json": doc("twitter", "verify_credentials.json")},
			Want: provider.Identity{
				ProviderUserID: "6253282", EmailAddress: "dev@example.com", EmailVerified: ptr(true), FirstName: "X", LastName: "Developers",
				Username: "XDevelopers", AvatarURL: "https://pbs.twimg.com/profile_images/880136122604507136/xHrnqf1T_normal.jpg",
			}}},
	},
}

// harnesses are the documented shapes of each OAuth 2.0 and OpenID Connect
// catalogue provider, by strategy slug.
var harnesses = map[string]c.Harness{
	// Sign in with
	// Apple's documented shapes: response_mode=form_post with the "user"
	// parameter carrying the names, a client secret that is an ES256 JWT
	// (client_secret_post), email_verified as a string, no scope in the token
	// response, refresh with a new ID token and no rotation, revocation at
	// /auth/revoke.
	"apple": {
		New: func(s c.Server) (provider.Provider, error) {
			return apple.New(apple.Config{ClientID: s.ClientID, TeamID: "TEAM123456", KeyID: "KEY1234567", PrivateKey: []byte(appleKey), BaseURL: s.URL, HTTP: s.HTTP()})
		},
		Strategy: "oauth_apple", Title: "Apple", DefaultScopes: []string{"openid", "name", "email"}, AnyClientSecret: true,
		Authorize: c.Authorize{Path: "/auth/authorize", PKCE: true, Params: url.Values{"response_mode": {"form_post"}},
			CallbackParams: func(u c.User) url.Values {
				if u.Name() == "" {
					return nil
				}
				b, _ := json.Marshal(map[string]any{"name": map[string]string{"firstName": u.FirstName, "lastName": u.LastName}, "email": u.Email})
				return url.Values{"user": {string(b)}}
			}},
		Token: c.Token{Path: "/auth/token", Auth: c.AuthPost, RefreshToken: true},
		IDToken: &c.IDToken{JWKSPath: "/auth/keys", Claims: func(u c.User) map[string]any {
			if u.Email == "" {
				return nil
			}
			return map[string]any{"email": u.Email, "email_verified": strconv.FormatBool(u.Verified()), "is_private_email": "false"}
		}},
		Lacks:   c.Lacks{Username: true, Avatar: true},
		Refresh: &c.Refresh{IDToken: true},
		Revoke:  &c.Revoke{Path: "/auth/revoke", ClientAuth: c.AuthPost},

		VerifiesIDTokens: true,
	},
	// Discord's
	// documented shapes: GET /users/@me with a snowflake id, "verified" for the
	// email address, the display name in global_name, an avatar hash; refresh
	// with rotation and RFC 7009 revocation.
	"discord": {
		New: func(s c.Server) (provider.Provider, error) {
			return discord.New(discord.Config{Credentials: s.Credentials(), BaseURL: s.URL, HTTP: s.HTTP()})
		},
		Strategy: "oauth_discord", Title: "Discord", DefaultScopes: discord.DefaultScopes,
		Authorize: c.Authorize{Path: "/oauth2/authorize", PKCE: true},
		Token:     c.Token{Path: "/api/oauth2/token", Auth: c.AuthBasic, ScopeSeparator: " ", RefreshToken: true},
		Profile: c.Profile{Routes: []c.Route{{Path: "/api/users/@me", Body: func(u c.User, _ []string) any {
			return map[string]any{"id": u.ID, "username": u.Username, "discriminator": "0", "global_name": c.OrNil(u.Name()),
				"avatar": discordAvatarHash, "email": c.OrNil(u.Email), "verified": u.Verified()}
		}}}},
		Expect: func(u c.User, want *provider.Identity) {
			want.AvatarURL = discord.DefaultCDNURL + "/avatars/" + u.ID + "/" + discordAvatarHash + ".png"
		},
		Refresh: &c.Refresh{Rotates: true},
		Revoke:  &c.Revoke{Path: "/api/oauth2/token/revoke", ClientAuth: c.AuthBasic},
		Examples: []c.Example{
			{Name: "Documented", Bodies: map[string]string{"/api/users/@me": doc("discord", "user.json")}, Want: provider.Identity{
				ProviderUserID: "80351110224678912", EmailAddress: "nelly@discord.com", EmailVerified: ptr(true),
				FirstName: "Nelly", LastName: "Furtado", Username: "nelly",
				AvatarURL: "https://cdn.discordapp.com/avatars/80351110224678912/8342729096ea3675442027381ff50dfe.png",
			}},
			// No email scope and no avatar: the default avatar of a migrated user.
			{Name: "NoEmailNoAvatar", Bodies: map[string]string{"/api/users/@me": doc("discord", "user_no_email_no_avatar.json")}, Want: provider.Identity{
				ProviderUserID: "1234567890123456789", Username: "quiet", AvatarURL: "https://cdn.discordapp.com/embed/avatars/1.png",
			}},
			// An id past 2^64-1 as a JSON number, an animated avatar, a legacy
			// discriminator, an unverified email.
			{Name: "UnverifiedLegacy", Bodies: map[string]string{"/api/users/@me": doc("discord", "user_unverified_legacy.json")}, Want: provider.Identity{
				ProviderUserID: "18446744073709551615", EmailAddress: "legacy@example.com", EmailVerified: ptr(false),
				FirstName: "Legacy", Username: "Legacy#1337",
				AvatarURL: "https://cdn.discordapp.com/avatars/18446744073709551615/a_d5efa99b3eeaa7dd43acca82f5692432.gif",
			}},
		},
	},
	// Dropbox's
	// documented shapes: PKCE, HTTP Basic, token_access_type=offline on every
	// authorization, the get_current_account RPC (a POST) with a structured
	// name and email_verified, refresh without rotation, and revocation of the
	// access token sent as the bearer token.
	"dropbox": {
		New: func(s c.Server) (provider.Provider, error) {
			return dropbox.New(dropbox.Config{Credentials: s.Credentials(), BaseURL: s.URL, APIURL: s.URL, HTTP: s.HTTP()})
		},
		Strategy: "oauth_dropbox", Title: "Dropbox", DefaultScopes: dropbox.DefaultScopes,
		Authorize: c.Authorize{Path: "/oauth2/authorize", PKCE: true, Params: url.Values{"token_access_type": {"offline"}}},
		Token:     c.Token{Path: "/oauth2/token", Auth: c.AuthBasic, ScopeSeparator: " ", RefreshToken: true},
		Profile: c.Profile{ErrorBody: `{"error_summary": "invalid_access_token/...", "error": {".tag": "invalid_access_token"}}`,
			Routes: []c.Route{{Method: "POST", Path: "/2/users/get_current_account", Body: func(u c.User, _ []string) any {
				return map[string]any{"account_id": "dbid:" + u.ID, "email": c.OrNil(u.Email), "email_verified": u.Verified(),
					"name":              map[string]any{"given_name": u.FirstName, "surname": u.LastName, "display_name": u.Name()},
					"profile_photo_url": u.AvatarURL, "account_type": map[string]any{".tag": "basic"}}
			}}}},
		Lacks: c.Lacks{Username: true},
		Expect: func(u c.User, want *provider.Identity) {
			want.ProviderUserID = "dbid:" + u.ID
		},
		Refresh: &c.Refresh{},
		Revoke:  &c.Revoke{Path: "/2/auth/token/revoke", TokenIn: c.InBearer, Hints: []string{"access_token"}, Response: "null"},
		Examples: []c.Example{
			{Name: "Documented", Bodies: map[string]string{"/2/users/get_current_account": doc("dropbox", "account.json")}, Want: provider.Identity{
				ProviderUserID: "dbid:AAH4f99T0taONIb-OurWxbNQ6ywGRopQngc", EmailAddress: "franz@dropbox.com", EmailVerified: ptr(true),
				FirstName: "Franz", LastName: "Ferdinand",
				AvatarURL: "https://dl-web.dropbox.com/account_photo/get/dbaphid%3AAAHWGmIXV3sUuOmBfTz0wPsiqHUpBWvv3ZA?vers=1556069330102&size=128x128",
			}},
			{Name: "UnverifiedNameless", Bodies: map[string]string{"/2/users/get_current_account": doc("dropbox", "account_unverified.json")}, Want: provider.Identity{
				ProviderUserID: "dbid:AAB0tw9Gq6yFz1XoLR3dKkQ0XqnVHo8dfBY", EmailAddress: "new-user@example.com", EmailVerified: ptr(false),
			}},
		},
	},
	// Facebook's
	// documented shapes: comma-separated permissions, a token response without
	// scope or refresh token, the me node with fields and appsecret_proof (the
	// granted permissions come from it), Graph API errors, and DELETE
	// /me/permissions.
	"facebook": {
		New: func(s c.Server) (provider.Provider, error) {
			return facebook.New(facebook.Config{Credentials: s.Credentials(), BaseURL: s.URL, GraphURL: s.URL, HTTP: s.HTTP()})
		},
		Strategy: "oauth_facebook", Title: "Facebook", DefaultScopes: facebook.DefaultScopes,
		Authorize: c.Authorize{Path: fbGraph + "/dialog/oauth", ScopeSeparator: ",", PKCE: true},
		Token:     c.Token{Path: fbGraph + "/oauth/access_token", Auth: c.AuthPost, TokenType: "bearer"},
		Profile: c.Profile{ReportsScopes: true, ErrorBody: `{"error":{"message":"Invalid OAuth access token.","type":"OAuthException","code":190}}`,
			Routes: []c.Route{{Path: fbGraph + "/me", Query: map[string][]string{"fields": nil, "appsecret_proof": nil}, Body: facebookMe}}},
		Lacks:  c.Lacks{EmailVerified: true, Username: true},
		Revoke: &c.Revoke{Method: "DELETE", Path: fbGraph + "/me/permissions", TokenIn: c.InBearer, Hints: []string{"access_token"}, Response: `{"success":true}`},
	},
	// GitHub's
	// documented shapes: a GitHub App's expiring user tokens (refresh with
	// rotation), comma-separated scopes, GET /user with a numeric id and GET
	// /user/emails with the primary address's verified flag, and revocation by
	// DELETE /applications/{client_id}/grant.
	"github": {
		New: func(s c.Server) (provider.Provider, error) {
			return github.New(github.Config{Credentials: s.Credentials(), BaseURL: s.URL, APIURL: s.URL + "/api", HTTP: s.HTTP()})
		},
		Strategy: "oauth_github", Title: "GitHub", DefaultScopes: github.DefaultScopes,
		Authorize: c.Authorize{Path: "/login/oauth/authorize", PKCE: true},
		Token: c.Token{Path: "/login/oauth/access_token", Auth: c.AuthPost, TokenType: "bearer", ScopeSeparator: ",", RefreshToken: true,
			Extra: func(c.User) map[string]any { return map[string]any{"refresh_token_expires_in": 15897600} }},
		Profile: c.Profile{Routes: []c.Route{
			{Path: "/api/user", Body: func(u c.User, _ []string) any {
				return map[string]any{"id": u.NumericID(), "login": u.Username, "name": c.OrNil(u.Name()), "email": nil, "avatar_url": u.AvatarURL}
			}},
			{Path: "/api/user/emails", Body: func(u c.User, _ []string) any {
				if u.Email == "" {
					return []any{}
				}
				return []any{map[string]any{"email": u.Email, "primary": true, "verified": u.Verified(), "visibility": "private"}}
			}},
		}},
		Refresh: &c.Refresh{Rotates: true},
		Revoke: &c.Revoke{Method: "DELETE", Path: "/api/applications/{client_id}/grant", TokenIn: c.InJSON, JSONMember: "access_token",
			ClientAuth: c.AuthBasic, Hints: []string{"access_token"}, Status: 204},
	},
	// GitLab's
	// documented shapes: an ID token whose sub is the numeric user id and whose
	// nickname is the username, refresh with rotation, RFC 7009 revocation.
	"gitlab": {
		// A self-managed instance under the relative URL root /gitlab: the
		// root is part of every endpoint and of the issuer.
		New: func(s c.Server) (provider.Provider, error) {
			return gitlab.New(gitlab.Config{Credentials: s.Credentials(), BaseURL: s.URL + "/gitlab/", HTTP: s.HTTP()})
		},
		Strategy: "oauth_gitlab", Title: "GitLab", DefaultScopes: gitlab.DefaultScopes,
		Authorize: c.Authorize{Path: "/gitlab/oauth/authorize", PKCE: true},
		Token:     c.Token{Path: "/gitlab/oauth/token", Auth: c.AuthPost, ScopeSeparator: " ", RefreshToken: true},
		IDToken: &c.IDToken{IssuerPath: "/gitlab", JWKSPath: "/gitlab/oauth/discovery/keys", Claims: func(u c.User) map[string]any {
			m := c.StandardClaims(u)
			delete(m, "given_name")
			delete(m, "family_name")
			m["nickname"] = u.Username
			return m
		}},
		Refresh: &c.Refresh{Rotates: true, IDToken: true},
		Revoke:  &c.Revoke{Path: "/gitlab/oauth/revoke", ClientAuth: c.AuthPost},
		Examples: []c.Example{
			{Name: "Documented", Claims: claimsDoc("gitlab", "id_token.json"), Want: provider.Identity{
				ProviderUserID: "1", EmailAddress: "admin@example.com", EmailVerified: ptr(true), FirstName: "Administrator",
				AvatarURL: "https://gitlab.example.com/uploads/-/system/user/avatar/1/avatar.png", Username: "root",
			}},
			// No name, an unconfirmed address, the username only as nickname.
			{Name: "Unconfirmed", Claims: claimsDoc("gitlab", "id_token_unconfirmed.json"), Want: provider.Identity{
				ProviderUserID: "4815162342", EmailAddress: "newcomer@example.org", EmailVerified: ptr(false),
				AvatarURL: "https://secure.gravatar.com/avatar/0123456789abcdef?s=80&d=identicon", Username: "newcomer",
			}},
		},
	},
	// Google's
	// documented shapes: access_type=offline with prompt=consent for a refresh
	// token, client_secret_post, the identity from the ID token alone (no
	// username), refresh without rotation with a new ID token, RFC 7009
	// revocation, and ID tokens of native clients.
	"google": {
		New: func(s c.Server) (provider.Provider, error) {
			return google.New(google.Config{Credentials: s.Credentials(), BaseURL: s.URL, HTTP: s.HTTP()})
		},
		Strategy: "oauth_google", Title: "Google", DefaultScopes: google.DefaultScopes,
		Authorize: c.Authorize{Path: "/o/oauth2/v2/auth", PKCE: true, OfflineParams: url.Values{"access_type": {"offline"}, "prompt": {"consent"}}},
		Token:     c.Token{Path: "/token", Auth: c.AuthPost, ScopeSeparator: " ", RefreshToken: true},
		IDToken:   &c.IDToken{JWKSPath: "/oauth2/v3/certs", Claims: c.StandardClaims},
		Lacks:     c.Lacks{Username: true},
		Refresh:   &c.Refresh{IDToken: true},
		Revoke:    &c.Revoke{Path: "/revoke", ClientAuth: c.AuthPost},

		VerifiesIDTokens: true,
		Examples: []c.Example{
			{Name: "Gmail", Claims: claimsDoc("google", "id_token_gmail.json"), Want: provider.Identity{
				ProviderUserID: "110169484474386276334", EmailAddress: "ada.lovelace@gmail.com", EmailVerified: ptr(true),
				FirstName: "Ada", LastName: "Lovelace", AvatarURL: "https://lh3.googleusercontent.com/a/ACg8ocK-ada=s96-c",
			}},
			// Google's documented example: a Workspace account, email_verified
			// as a string.
			{Name: "Workspace", Claims: claimsDoc("google", "id_token_workspace.json"), Want: provider.Identity{
				ProviderUserID: "10769150350006150715113082367", EmailAddress: "jsmith@example.com", EmailVerified: ptr(true),
				FirstName: "John", LastName: "Smith", AvatarURL: "https://lh3.googleusercontent.com/a/ACg8ocJ-jsmith=s96-c",
			}},
			// Unverified, without the profile scope's claims.
			{Name: "UnverifiedNoProfile", Claims: claimsDoc("google", "id_token_unverified_no_profile.json"), Want: provider.Identity{
				ProviderUserID: "117340912353491123456", EmailAddress: "someone@example.org", EmailVerified: ptr(false),
			}},
		},
	},
	// Linear's
	// documented shapes: PKCE, comma-separated scopes, client credentials in
	// the form, the GraphQL viewer query (a POST, whose errors come with HTTP
	// 200), refresh, and revocation of the access token sent as the bearer
	// token.
	"linear": {
		New: func(s c.Server) (provider.Provider, error) {
			return linear.New(linear.Config{Credentials: s.Credentials(), BaseURL: s.URL, APIURL: s.URL, HTTP: s.HTTP()})
		},
		Strategy: "oauth_linear", Title: "Linear", DefaultScopes: linear.DefaultScopes,
		Authorize: c.Authorize{Path: "/oauth/authorize", ScopeSeparator: ",", PKCE: true},
		Token:     c.Token{Path: "/oauth/token", Auth: c.AuthPost, ScopeSeparator: " ", RefreshToken: true},
		Profile: c.Profile{ErrorBody: doc("linear", "errors.json"),
			Routes: []c.Route{{Method: "POST", Path: "/graphql", Body: func(u c.User, _ []string) any {
				return map[string]any{"data": map[string]any{"viewer": map[string]any{"id": u.ID, "name": c.OrNil(u.Name()),
					"displayName": u.Username, "email": c.OrNil(u.Email), "avatarUrl": c.OrNil(u.AvatarURL)}}}
			}}}},
		Lacks:   c.Lacks{EmailVerified: true},
		Refresh: &c.Refresh{Rotates: true},
		Revoke:  &c.Revoke{Path: "/oauth/revoke", TokenIn: c.InBearer, Hints: []string{"access_token"}},
		Examples: []c.Example{
			{Name: "Documented", Bodies: map[string]string{"/graphql": doc("linear", "viewer.json")}, Want: provider.Identity{
				ProviderUserID: "2c3bd4d2-6a8b-4a6e-9f0e-4c9f7a6b1d25", EmailAddress: "ada@example.com", FirstName: "Ada", LastName: "Lovelace",
				AvatarURL: "https://public.linear.app/avatars/2c3bd4d2.png", Username: "ada",
			}},
			{Name: "Minimal", Bodies: map[string]string{"/graphql": doc("linear", "viewer_minimal.json")}, Want: provider.Identity{
				ProviderUserID: "0f8e9c1a-27b4-4c41-8a53-93bd7f1b9d0e", Username: "mononym",
			}},
		},
	},
	// LinkedIn's
	// documented shapes (Sign In with LinkedIn using OpenID Connect): no PKCE
	// by default, issuer /oauth, ID tokens without a nonce, comma-separated
	// scopes in the token response, refresh tokens for partners (not rotated),
	// revocation at /oauth/v2/revoke.
	"linkedin_oidc": {
		New: func(s c.Server) (provider.Provider, error) {
			return linkedin.New(linkedin.Config{Credentials: s.Credentials(), BaseURL: s.URL, HTTP: s.HTTP()})
		},
		Strategy: "oauth_linkedin_oidc", Title: "LinkedIn", DefaultScopes: linkedin.DefaultScopes,
		Authorize: c.Authorize{Path: "/oauth/v2/authorization"},
		Token:     c.Token{Path: "/oauth/v2/accessToken", Auth: c.AuthPost, ScopeSeparator: ",", RefreshToken: true},
		IDToken:   &c.IDToken{IssuerPath: "/oauth", JWKSPath: "/oauth/openid/jwks", Claims: c.StandardClaims, OmitNonce: true},
		Lacks:     c.Lacks{Username: true},
		Refresh:   &c.Refresh{},
		Revoke:    &c.Revoke{Path: "/oauth/v2/revoke", ClientAuth: c.AuthPost},
		Examples: []c.Example{
			{Name: "Documented", Claims: claimsDoc("linkedin_oidc", "id_token.json"), Want: provider.Identity{
				ProviderUserID: "782bbtaQ", EmailAddress: "doe@email.com", EmailVerified: ptr(true), FirstName: "John", LastName: "Doe",
				AvatarURL: "https://media.licdn-ei.com/dms/image/C5F03AQHqK8v7tB1HCQ/profile-displayphoto-shrink_100_100/0/",
			}},
			// No email scope, a locale object, an empty family name.
			{Name: "NoEmail", Claims: claimsDoc("linkedin_oidc", "id_token_no_email.json"), Want: provider.Identity{
				ProviderUserID: "yrZCpj2Z12", FirstName: "Solo",
			}},
		},
	},
	// the retired "Sign In with
	// LinkedIn" (oauth_linkedin): no PKCE, client credentials in the form, a
	// token response without scope, the lite profile with a decorated
	// picture, and the email address from a second request.
	"linkedin": {
		New: func(s c.Server) (provider.Provider, error) {
			return linkedin.NewLegacy(linkedin.LegacyConfig{Credentials: s.Credentials(), BaseURL: s.URL, APIURL: s.URL, HTTP: s.HTTP()})
		},
		Strategy: "oauth_linkedin", Title: "LinkedIn (legacy)", DefaultScopes: linkedin.LegacyScopes,
		Authorize: c.Authorize{Path: "/oauth/v2/authorization"},
		Token:     c.Token{Path: "/oauth/v2/accessToken", Auth: c.AuthPost, RefreshToken: true},
		Profile: c.Profile{ErrorBody: `{"serviceErrorCode": 65600, "message": "Invalid access token", "status": 401}`, Routes: []c.Route{
			{Path: "/v2/me", Query: url.Values{"projection": {"(id,localizedFirstName,localizedLastName,profilePicture(displayImage~:playableStreams))"}},
				Body: func(u c.User, _ []string) any {
					small := map[string]any{"identifiers": []any{map[string]any{"identifier": u.AvatarURL + "?size=100", "identifierType": "EXTERNAL_URL"}}}
					large := map[string]any{"identifiers": []any{map[string]any{"identifier": u.AvatarURL, "identifierType": "EXTERNAL_URL"}}}
					return map[string]any{"id": u.ID, "localizedFirstName": c.OrNil(u.FirstName), "localizedLastName": c.OrNil(u.LastName),
						"profilePicture": map[string]any{"displayImage": "urn:li:digitalmediaAsset:C4D00AQ", "displayImage~": map[string]any{"elements": []any{small, large}}}}
				}},
			{Path: "/v2/emailAddress", Query: url.Values{"q": {"members"}, "projection": {"(elements*(handle~))"}},
				Body: func(u c.User, _ []string) any {
					if u.Email == "" {
						return map[string]any{"elements": []any{}}
					}
					return map[string]any{"elements": []any{map[string]any{"handle": "urn:li:emailAddress:3775708763", "handle~": map[string]any{"emailAddress": u.Email}}}}
				}},
		}},
		Lacks:   c.Lacks{EmailVerified: true, Username: true},
		Refresh: &c.Refresh{},
		Revoke:  &c.Revoke{Path: "/oauth/v2/revoke", ClientAuth: c.AuthPost},
	},
	// the Microsoft
	// identity platform's documented shapes for the common tenant: an issuer
	// per tenant (tid), preferred_username, the email verified only through
	// xms_edov, no picture in the ID token, refresh with rotation and a new ID
	// token, and no revocation endpoint.
	"microsoft": {
		New: func(s c.Server) (provider.Provider, error) {
			return microsoft.New(microsoft.Config{Credentials: s.Credentials(), BaseURL: s.URL, HTTP: s.HTTP()})
		},
		Strategy: "oauth_microsoft", Title: "Microsoft", DefaultScopes: microsoft.DefaultScopes,
		Authorize: c.Authorize{Path: "/common/oauth2/v2.0/authorize", PKCE: true},
		Token:     c.Token{Path: "/common/oauth2/v2.0/token", Auth: c.AuthPost, ScopeSeparator: " ", RefreshToken: true},
		IDToken: &c.IDToken{IssuerPath: "/" + msTenant + "/v2.0", IssuerTemplate: true, JWKSPath: "/common/discovery/v2.0/keys",
			Claims: func(u c.User) map[string]any {
				m := c.StandardClaims(u)
				delete(m, "picture")
				delete(m, "email_verified")
				m["tid"], m["preferred_username"], m["xms_edov"] = msTenant, u.Username, u.Verified()
				return m
			}},
		Lacks: c.Lacks{Avatar: true},
		Expect: func(u c.User, want *provider.Identity) {
			if !u.Verified() {
				want.EmailVerified = nil // xms_edov says verified or nothing
			}
		},
		Refresh: &c.Refresh{Rotates: true, IDToken: true},
	},
	// Sign in with
	// Slack's documented shapes: openid.connect.token with "ok" and no scope,
	// an ID token with the team and user ids and no username, refresh with
	// token rotation, and auth.revoke, which revokes the access token it is
	// called with.
	"slack": {
		New: func(s c.Server) (provider.Provider, error) {
			return slack.New(slack.Config{Credentials: s.Credentials(), BaseURL: s.URL, HTTP: s.HTTP()})
		},
		Strategy: "oauth_slack", Title: "Slack", DefaultScopes: slack.DefaultScopes,
		Authorize: c.Authorize{Path: "/openid/connect/authorize", PKCE: true},
		Token: c.Token{Path: "/api/openid.connect.token", Auth: c.AuthPost, RefreshToken: true,
			Extra: func(c.User) map[string]any { return map[string]any{"ok": true} }},
		IDToken: &c.IDToken{JWKSPath: "/openid/connect/keys", Claims: func(u c.User) map[string]any {
			m := c.StandardClaims(u)
			m[slack.TeamIDClaim], m["https://slack.com/user_id"] = "T0R7GR", "U"+u.ID
			return m
		}},
		Lacks:   c.Lacks{Username: true},
		Refresh: &c.Refresh{Rotates: true},
		Revoke: &c.Revoke{Path: "/api/auth.revoke", TokenIn: c.InBearer, Hints: []string{"access_token"},
			Response: `{"ok":true,"revoked":true}`},
	},
	// Spotify's
	// documented shapes: PKCE, HTTP Basic, GET /v1/me with account_id as the
	// immutable id, the Spotify user id as username, display_name, images and
	// an email Spotify calls unverified; refresh that may rotate; no
	// revocation endpoint.
	"spotify": {
		New: func(s c.Server) (provider.Provider, error) {
			return spotify.New(spotify.Config{Credentials: s.Credentials(), BaseURL: s.URL, APIURL: s.URL, HTTP: s.HTTP()})
		},
		Strategy: "oauth_spotify", Title: "Spotify", DefaultScopes: spotify.DefaultScopes,
		Authorize: c.Authorize{Path: "/authorize", PKCE: true},
		Token:     c.Token{Path: "/api/token", Auth: c.AuthBasic, ScopeSeparator: " ", RefreshToken: true},
		Profile: c.Profile{Routes: []c.Route{{Path: "/v1/me", Body: func(u c.User, _ []string) any {
			return map[string]any{"account_id": u.ID, "id": u.Username, "display_name": c.OrNil(u.Name()),
				"email": c.OrNil(u.Email), "images": []any{map[string]any{"url": u.AvatarURL, "height": 300, "width": 300}},
				"product": "premium", "type": "user"}
		}}}},
		Lacks:   c.Lacks{EmailVerified: true},
		Refresh: &c.Refresh{Rotates: true},
		Examples: []c.Example{
			{Name: "Documented", Bodies: map[string]string{"/v1/me": doc("spotify", "me.json")}, Want: provider.Identity{
				ProviderUserID: "aB3dE5fG7h", EmailAddress: "email@example.com", FirstName: "JM", LastName: "Wizzler",
				AvatarURL: "https://i.scdn.co/image/ab67616d00001e02ff9ca10b55ce82ae553c8228", Username: "wizzler",
			}},
			// No account_id: the Spotify user id is the id.
			{Name: "Minimal", Bodies: map[string]string{"/v1/me": doc("spotify", "me_minimal.json")}, Want: provider.Identity{
				ProviderUserID: "31l77y2al5lnn7mxfrmd4bpfhqke", Username: "31l77y2al5lnn7mxfrmd4bpfhqke",
			}},
		},
	},
	// X's documented
	// shapes: PKCE, HTTP Basic for a confidential client, GET /2/users/me with
	// {"data": {...}} and no email address, refresh with rotation, RFC 7009
	// revocation.
	"x": {
		New: func(s c.Server) (provider.Provider, error) {
			return x.New(x.Config{Credentials: s.Credentials(), BaseURL: s.URL, APIURL: s.URL, HTTP: s.HTTP()})
		},
		Strategy: "oauth_x", Title: "X", DefaultScopes: x.DefaultScopes,
		Authorize: c.Authorize{Path: "/i/oauth2/authorize", PKCE: true},
		Token:     c.Token{Path: "/2/oauth2/token", Auth: c.AuthBasic, ScopeSeparator: " ", RefreshToken: true},
		Profile: c.Profile{ErrorBody: doc("x", "users_me_error.json"), Routes: []c.Route{{Path: "/2/users/me", Query: map[string][]string{"user.fields": {"profile_image_url"}},
			Body: func(u c.User, _ []string) any {
				return map[string]any{"data": map[string]any{"id": u.ID, "name": u.Name(), "username": u.Username, "profile_image_url": u.AvatarURL}}
			}}}},
		Lacks:   c.Lacks{Email: true},
		Refresh: &c.Refresh{Rotates: true},
		Revoke:  &c.Revoke{Path: "/2/oauth2/revoke", ClientAuth: c.AuthBasic},
		Examples: []c.Example{
			{Name: "Documented", Bodies: map[string]string{"/2/users/me": doc("x", "users_me.json")}, Want: provider.Identity{
				ProviderUserID: "2244994945", FirstName: "X", LastName: "Dev", Username: "TwitterDev",
				AvatarURL: "https://pbs.twimg.com/profile_images/1445764922474827784/W2zEPN7U_normal.jpg",
			}},
			{Name: "Minimal", Bodies: map[string]string{"/2/users/me": doc("x", "users_me_minimal.json")}, Want: provider.Identity{
				ProviderUserID: "1460299593467867136", Username: "no_avatar_yet",
			}},
		},
	},
	// Hugging Face's
	// documented shapes: PKCE, HTTP Basic at the token endpoint, an ID token
	// with the subject only and the profile from /oauth/userinfo (one "name",
	// preferred_username, picture, email with email_verified, isPro and
	// orgs), no refresh token and no revocation.
	"huggingface": {
		New: func(s c.Server) (provider.Provider, error) {
			return huggingface.New(huggingface.Config{Credentials: s.Credentials(), BaseURL: s.URL, HTTP: s.HTTP()})
		},
		Strategy: "oauth_huggingface", Title: "Hugging Face", DefaultScopes: huggingface.DefaultScopes,
		Authorize: c.Authorize{Path: "/oauth/authorize", PKCE: true},
		Token:     c.Token{Path: "/oauth/token", Auth: c.AuthBasic, ScopeSeparator: " "},
		IDToken:   &c.IDToken{JWKSPath: "/oauth/jwks"},
		Profile:   c.Profile{Routes: []c.Route{{Path: "/oauth/userinfo", Body: huggingfaceUserinfo}}},
	},
	// Sign in with
	// Vercel's documented shapes: PKCE, HTTP Basic at the token and revocation
	// endpoints (on the API host), an ID token with name, preferred_username,
	// picture and email but no email_verified, refresh with rotation, RFC 7009
	// revocation.
	"vercel": {
		New: func(s c.Server) (provider.Provider, error) {
			return vercel.New(vercel.Config{Credentials: s.Credentials(), BaseURL: s.URL, APIURL: s.URL, HTTP: s.HTTP()})
		},
		Strategy: "oauth_vercel", Title: "Vercel", DefaultScopes: vercel.DefaultScopes,
		Authorize: c.Authorize{Path: "/oauth/authorize", PKCE: true, IssuerParameter: true},
		Token:     c.Token{Path: "/login/oauth/token", Auth: c.AuthBasic, ScopeSeparator: " ", RefreshToken: true},
		IDToken: &c.IDToken{JWKSPath: "/.well-known/jwks", Claims: func(u c.User) map[string]any {
			m := map[string]any{"preferred_username": u.Username, "picture": u.AvatarURL, "jti": "50e67781-c8b6-4391-98d1-89d755bb095a"}
			if u.Name() != "" {
				m["name"] = u.Name()
			}
			if u.Email != "" {
				m["email"] = u.Email
			}
			return m
		}},
		Lacks:   c.Lacks{EmailVerified: true},
		Refresh: &c.Refresh{Rotates: true},
		Revoke:  &c.Revoke{Path: "/login/oauth/token/revoke", ClientAuth: c.AuthBasic},
		// The ID token payload of https://vercel.com/docs/sign-in-with-vercel/tokens.
		Examples: []c.Example{{Name: "Documented", Claims: map[string]any{
			"sub": "345e869043f1e55f8bdc837c", "nbf": 1519945200, "jti": "50e67781-c8b6-4391-98d1-89d755bb095a",
			"name": "John Doe", "preferred_username": "john-doe", "email": "user@example.com",
			"picture": "https://api.vercel.com/www/avatar/00159aa4c88348dedc91a456b457d1baa48df6d",
		}, Want: provider.Identity{
			ProviderUserID: "345e869043f1e55f8bdc837c", EmailAddress: "user@example.com", FirstName: "John", LastName: "Doe",
			Username: "john-doe", AvatarURL: "https://api.vercel.com/www/avatar/00159aa4c88348dedc91a456b457d1baa48df6d",
		}}},
	},
	// Sign in with
	// Xero's documented shapes: authorization on the login site, tokens and
	// keys on the identity service with HTTP Basic, PKCE, an ID token with
	// xero_userid (a GUID besides "sub"), given and family names, the email
	// address as preferred_username and no picture or email_verified, refresh
	// with rotation, and RFC 7009 revocation of refresh tokens only.
	"xero": {
		New: func(s c.Server) (provider.Provider, error) {
			return xero.New(xero.Config{Credentials: s.Credentials(), BaseURL: s.URL, APIURL: s.URL, HTTP: s.HTTP()})
		},
		Strategy: "oauth_xero", Title: "Xero", DefaultScopes: xero.DefaultScopes,
		Authorize: c.Authorize{Path: "/identity/connect/authorize", PKCE: true},
		Token:     c.Token{Path: "/connect/token", Auth: c.AuthBasic, ScopeSeparator: " ", RefreshToken: true},
		IDToken: &c.IDToken{JWKSPath: "/.well-known/openid-configuration/jwks", Claims: func(u c.User) map[string]any {
			m := map[string]any{"xero_userid": xeroUserID(u), "global_session_id": "c6f3b1a2e8d94f0b", "preferred_username": u.Email}
			if u.Email != "" {
				m["email"] = u.Email
			}
			if u.Name() != "" {
				m["given_name"], m["family_name"] = u.FirstName, u.LastName
			}
			return m
		}},
		Lacks:   c.Lacks{EmailVerified: true, Username: true, Avatar: true},
		Expect:  func(u c.User, want *provider.Identity) { want.ProviderUserID = xeroUserID(u) },
		Refresh: &c.Refresh{Rotates: true},
		Revoke:  &c.Revoke{Path: "/connect/revocation", ClientAuth: c.AuthBasic, Hints: []string{"refresh_token"}},
	},
	// Twitch's
	// documented shapes: the claims parameter on every authorization,
	// client_secret_post, a token response with token_type "bearer" and the
	// scopes as a JSON array, an ID token with email, email_verified, picture
	// and preferred_username but no names, refresh with a new refresh token,
	// and revocation of access tokens with the client id in the form.
	"twitch": {
		New: func(s c.Server) (provider.Provider, error) {
			return twitch.New(twitch.Config{Credentials: s.Credentials(), BaseURL: s.URL, HTTP: s.HTTP()})
		},
		Strategy: "oauth_twitch", Title: "Twitch", DefaultScopes: twitch.DefaultScopes,
		Authorize: c.Authorize{Path: "/oauth2/authorize", PKCE: true, Params: url.Values{"claims": {
			`{"id_token":{"email":null,"email_verified":null,"picture":null,"preferred_username":null},` +
				`"userinfo":{"email":null,"email_verified":null,"picture":null,"preferred_username":null}}`}}},
		Token: c.Token{Path: "/oauth2/token", Auth: c.AuthPost, TokenType: "bearer", ScopeSeparator: " ", RefreshToken: true,
			// Twitch sends the granted scopes (the suite's are the
			// defaults) as a JSON array.
			Extra: func(c.User) map[string]any { return map[string]any{"scope": twitch.DefaultScopes} }},
		IDToken: &c.IDToken{IssuerPath: "/oauth2", JWKSPath: "/oauth2/keys", Claims: func(u c.User) map[string]any {
			m := map[string]any{"preferred_username": u.Username, "picture": u.AvatarURL}
			if u.Email != "" {
				m["email"], m["email_verified"] = u.Email, u.Verified()
			}
			return m
		}},
		Lacks:   c.Lacks{Names: true},
		Refresh: &c.Refresh{Rotates: true},
		Revoke:  &c.Revoke{Path: "/oauth2/revoke", ClientAuth: c.AuthNone, Hints: []string{"access_token"}},
	},
	// LINE Login's documented shapes: PKCE, the channel's credentials in
	// the token form, ID tokens signed with HS256 keyed with the channel
	// secret (sub, name, picture, email with the email scope, no
	// email_verified), refresh with a new refresh token, and revocation of
	// access tokens with the channel's credentials and the token in
	// "access_token".
	"line": {
		New: func(s c.Server) (provider.Provider, error) {
			return line.New(line.Config{Credentials: s.Credentials(), BaseURL: s.URL, APIURL: s.URL, Scopes: []string{"openid", "profile", "email"}, HTTP: s.HTTP()})
		},
		Strategy: "oauth_line", Title: "LINE", DefaultScopes: []string{"openid", "profile", "email"},
		Authorize: c.Authorize{Path: "/oauth2/v2.1/authorize", PKCE: true},
		Token:     c.Token{Path: "/oauth2/v2.1/token", Auth: c.AuthPost, ScopeSeparator: " ", RefreshToken: true},
		IDToken: &c.IDToken{ClientSecretHS256: true, Claims: func(u c.User) map[string]any {
			m := map[string]any{"name": c.OrNil(u.Name()), "picture": u.AvatarURL, "amr": []string{"linesso"}}
			if u.Email != "" {
				m["email"] = u.Email
			}
			return m
		}},
		Lacks:   c.Lacks{EmailVerified: true, Username: true},
		Refresh: &c.Refresh{Rotates: true},
		Revoke: &c.Revoke{Path: "/oauth2/v2.1/revoke", TokenIn: c.InFormParam, FormParam: "access_token", ClientAuth: c.AuthPost,
			Hints: []string{"access_token"}},
		// The ID token payload of LINE's "Verify ID token" page.
		Examples: []c.Example{{Name: "Documented", Claims: map[string]any{
			"sub": "U1234567890abcdef1234567890abcdef", "amr": []string{"pwd"}, "name": "Taro Line",
			"picture": "https://sample_line.me/aBcdEfGhiJKlMnOpQrs", "email": "taro.line@example.com",
		}, Want: provider.Identity{
			ProviderUserID: "U1234567890abcdef1234567890abcdef", EmailAddress: "taro.line@example.com",
			FirstName: "Taro", LastName: "Line", AvatarURL: "https://sample_line.me/aBcdEfGhiJKlMnOpQrs",
		}}},
	},

	// Atlassian's
	// documented shapes: audience and prompt=consent on every authorization,
	// no PKCE, client credentials in the body, GET /me with a string
	// account_id and no email verification flag, refresh with rotation, no
	// revocation; and the documented /me example.
	"atlassian": {
		New: func(s c.Server) (provider.Provider, error) {
			return atlassian.New(atlassian.Config{Credentials: s.Credentials(), BaseURL: s.URL, APIURL: s.URL + "/gateway", HTTP: s.HTTP()})
		},
		Strategy: "oauth_atlassian", Title: "Atlassian", DefaultScopes: atlassian.DefaultScopes,
		Authorize: c.Authorize{Path: "/authorize", Params: map[string][]string{"audience": {"api.atlassian.com"}, "prompt": {"consent"}}},
		Token:     c.Token{Path: "/oauth/token", Auth: c.AuthPost, ScopeSeparator: " ", RefreshToken: true},
		Profile: c.Profile{ErrorBody: `{"code":401,"message":"Unauthorized"}`, Routes: []c.Route{{Path: "/gateway/me",
			Body: func(u c.User, _ []string) any {
				return map[string]any{"account_type": "atlassian", "account_id": u.ID, "email": u.Email, "name": u.Name(),
					"nickname": u.Username, "picture": u.AvatarURL, "account_status": "active", "locale": "en-US"}
			}}}},
		Lacks:   c.Lacks{EmailVerified: true},
		Refresh: &c.Refresh{Rotates: true},
		Examples: []c.Example{{Name: "Documented", Bodies: map[string]string{"/gateway/me": doc("atlassian", "me.json")}, Want: provider.Identity{
			ProviderUserID: "112233aa-bb11-cc22-33dd-445566abcabc", EmailAddress: "mia@example.com", FirstName: "Mia", LastName: "Krystof",
			Username: "mkrystof", AvatarURL: "https://avatar-management--avatars.us-west-2.prod.public.atl-paas.net/112233aa-bb11-cc22-33dd-445566abcabc/1234abcd-9876-54aa-33aa-1234dcba/128",
		}}},
	},
	// Bitbucket
	// Cloud's documented shapes: HTTP Basic, no PKCE, a token response with
	// "scopes" (no "scope") and token_type "bearer", GET /2.0/user with a
	// braced uuid and GET /2.0/user/emails with is_primary and is_confirmed,
	// refresh without rotation, no revocation; and the documented responses
	//, whose primary address is unconfirmed.
	"bitbucket": {
		New: func(s c.Server) (provider.Provider, error) {
			return bitbucket.New(bitbucket.Config{Credentials: s.Credentials(), BaseURL: s.URL, APIURL: s.URL + "/api", HTTP: s.HTTP()})
		},
		Strategy: "oauth_bitbucket", Title: "Bitbucket", DefaultScopes: bitbucket.DefaultScopes,
		Authorize: c.Authorize{Path: "/site/oauth2/authorize"},
		Token: c.Token{Path: "/site/oauth2/access_token", Auth: c.AuthBasic, TokenType: "bearer", RefreshToken: true,
			ScopeSeparator: " ", ScopeMember: "scopes",
			Extra: func(c.User) map[string]any { return map[string]any{"state": "authorization_code"} }},
		Profile: c.Profile{ErrorBody: `{"type":"error","error":{"message":"Access token expired."}}`, Routes: []c.Route{
			{Path: "/api/2.0/user", Body: func(u c.User, _ []string) any {
				return map[string]any{"type": "user", "uuid": "{" + u.ID + "}", "account_id": "557058:" + u.ID, "nickname": u.Username,
					"display_name": u.Name(), "links": map[string]any{"avatar": map[string]any{"href": u.AvatarURL}}}
			}},
			{Path: "/api/2.0/user/emails", Body: func(u c.User, _ []string) any {
				values := []any{map[string]any{"type": "email", "email": "other-" + u.ID + "@example.com", "is_primary": false, "is_confirmed": true}}
				if u.Email != "" {
					values = append(values, map[string]any{"type": "email", "email": u.Email, "is_primary": true, "is_confirmed": u.Verified()})
				}
				return map[string]any{"pagelen": 10, "page": 1, "size": len(values), "values": values}
			}},
		}},
		Expect:  func(u c.User, want *provider.Identity) { want.ProviderUserID = "{" + u.ID + "}" },
		Refresh: &c.Refresh{},
		Examples: []c.Example{{Name: "Documented", Bodies: map[string]string{"/api/2.0/user": doc("bitbucket", "user.json"), "/api/2.0/user/emails": doc("bitbucket", "emails.json")},
			Want: provider.Identity{
				ProviderUserID: "{d301aafa-d676-4ee0-88be-962be7417567}", EmailAddress: "erik@example.com", EmailVerified: ptr(false),
				FirstName: "Erik", LastName: "van Zijst", Username: "evzijst",
				AvatarURL: "https://secure.gravatar.com/avatar/59bc6cdd5ab8b0e8b7d5e5e7c4c6e4e9?d=https%3A%2F%2Favatar-management--avatars.us-west-2.prod.public.atl-paas.net%2Finitials%2FEV-4.png",
			}}},
	},
	// Box's documented
	// shapes: no PKCE, client credentials in the form, a token response with
	// token_type "bearer", restricted_to and no scope, GET /2.0/users/me with
	// a string id and the sign-in address as "login" (not said to be
	// verified), single-use refresh tokens, revocation with the client
	// credentials in the form; and the documented user.
	"box": {
		New: func(s c.Server) (provider.Provider, error) {
			return box.New(box.Config{Credentials: s.Credentials(), BaseURL: s.URL + "/account", APIURL: s.URL, HTTP: s.HTTP()})
		},
		Strategy: "oauth_box", Title: "Box", DefaultScopes: box.DefaultScopes,
		Authorize: c.Authorize{Path: "/account/api/oauth2/authorize"},
		Token: c.Token{Path: "/oauth2/token", Auth: c.AuthPost, TokenType: "bearer", RefreshToken: true,
			Extra: func(c.User) map[string]any { return map[string]any{"restricted_to": []any{}} }},
		Profile: c.Profile{ErrorBody: `{"type":"error","status":401,"code":"unauthorized","message":"Unauthorized","request_id":"abcdef123456"}`,
			Routes: []c.Route{{Path: "/2.0/users/me", Body: func(u c.User, _ []string) any {
				return map[string]any{"type": "user", "id": u.ID, "name": u.Name(), "login": u.Email, "avatar_url": u.AvatarURL, "status": "active"}
			}}}},
		Lacks:   c.Lacks{EmailVerified: true, Username: true},
		Refresh: &c.Refresh{Rotates: true},
		Revoke:  &c.Revoke{Path: "/oauth2/revoke", ClientAuth: c.AuthPost},
		Examples: []c.Example{{Name: "Documented", Bodies: map[string]string{"/2.0/users/me": doc("box", "users_me.json")}, Want: provider.Identity{
			ProviderUserID: "11446498", EmailAddress: "ceo@example.com", FirstName: "Aaron", LastName: "Levie",
			AvatarURL: "https://www.box.com/api/avatar/large/181216415",
		}}},
	},
	// Coinbase's
	// documented shapes: PKCE S256, space-separated scopes, client
	// credentials in the form, token_type "bearer" (Ory Hydra), GET /v2/user
	// with the user in "data" and API errors as {"errors": [...]}, single-use
	// refresh tokens, RFC 7009 revocation with the client credentials in the
	// form; and the documented user.
	"coinbase": {
		New: func(s c.Server) (provider.Provider, error) {
			return coinbase.New(coinbase.Config{Credentials: s.Credentials(), BaseURL: s.URL + "/login", APIURL: s.URL, HTTP: s.HTTP()})
		},
		Strategy: "oauth_coinbase", Title: "Coinbase", DefaultScopes: coinbase.DefaultScopes,
		Authorize: c.Authorize{Path: "/login/oauth2/auth", PKCE: true},
		Token:     c.Token{Path: "/login/oauth2/token", Auth: c.AuthPost, TokenType: "bearer", ScopeSeparator: " ", RefreshToken: true},
		Profile: c.Profile{ErrorBody: `{"errors":[{"id":"invalid_token","message":"The access token is invalid"}]}`,
			Routes: []c.Route{{Path: "/v2/user", Body: func(u c.User, _ []string) any {
				return map[string]any{"data": map[string]any{"id": u.ID, "name": c.OrNil(u.Name()), "username": c.OrNil(u.Username),
					"avatar_url": u.AvatarURL, "email": u.Email, "resource": "user", "resource_path": "/v2/user"}}
			}}}},
		Lacks:   c.Lacks{EmailVerified: true},
		Refresh: &c.Refresh{Rotates: true},
		Revoke:  &c.Revoke{Path: "/login/oauth2/revoke", ClientAuth: c.AuthPost},
		Examples: []c.Example{{Name: "Documented", Bodies: map[string]string{"/v2/user": doc("coinbase", "user.json")}, Want: provider.Identity{
			ProviderUserID: "9da7a204-544e-5fd1-9a12-61176c5d4cd8", EmailAddress: "user1@example.com", FirstName: "User", LastName: "One",
			Username: "user1", AvatarURL: "https://images.coinbase.com/avatar?h=vR%2FY8igBoPwuwGren5JMwvDNGpURAY%2F0nRIOgH%2FY2Qh%2BQ6nomR3qusA%2Bh6o2%0Af9rH&s=128",
		}}},
	},
	// Notion's documented shapes: owner=user and no scope parameter, no
	// PKCE, HTTP Basic and a JSON token request body, a token response with
	// "bearer", no expires_in, the workspace and the owner (the user to
	// link), rotating refresh tokens, Notion's error object, and JSON
	// revocation of access tokens; the variant "users/me" has no owner in
	// the token response and reads GET /v1/users/me.
	//
	// The suite's fake reads token requests as forms: the client the
	// harness gives the provider checks that each is JSON and hands the
	// fake the same members as a form (notionFormForFake).
	"notion": notionHarness(true),
	// HubSpot's
	// documented shapes: the "oauth" scope, no PKCE, client credentials in the
	// form, a token response with lowercase "bearer" and no scope, refresh
	// without rotation, the access token's metadata as the profile (numeric
	// user_id and hub_id, the email address in "user", the granted scopes),
	// and DELETE of refresh tokens (HTTP 204).
	//
	// HubSpot puts the token in the path of the metadata and revocation
	// endpoints, which the suite cannot state (its routes have fixed paths and
	// read Bearer tokens): the client the harness gives the provider checks
	// that each such request has the token as its last path segment and no
	// Authorization header, and hands the fake the fixed path with the token as
	// a Bearer token (hubspotBearerForFake).
	"hubspot": {
		New: func(s c.Server) (provider.Provider, error) {
			hc := &http.Client{Transport: hubspotBearerForFake{s.Client.Transport}}
			return hubspot.New(hubspot.Config{Credentials: s.Credentials(), BaseURL: s.URL, APIURL: s.URL, HTTP: provider.HTTPSettings{Client: hc}})
		},
		Strategy: "oauth_hubspot", Title: "HubSpot", DefaultScopes: hubspot.DefaultScopes,
		Authorize: c.Authorize{Path: "/oauth/authorize"},
		Token:     c.Token{Path: "/oauth/v1/token", Auth: c.AuthPost, TokenType: "bearer", RefreshToken: true},
		Profile: c.Profile{ReportsScopes: true, ErrorBody: `{"status": "error", "message": "Token not found", "correlationId": "6f7e2c1a-0b1d-4c8e-9a2f-3d4b5c6e7f80"}`,
			Routes: []c.Route{{Path: "/oauth/v1/access-tokens", Body: func(u c.User, scopes []string) any {
				return map[string]any{"token": "not-the-access-token", "user": c.OrNil(u.Email), "hub_domain": "demo.hubapi.com", "scopes": scopes,
					"hub_id": 62515, "app_id": 456789, "expires_in": 1754, "user_id": u.NumericID(), "token_type": "access"}
			}}}},
		Lacks:   c.Lacks{EmailVerified: true, Names: true, Username: true, Avatar: true},
		Refresh: &c.Refresh{},
		Revoke:  &c.Revoke{Method: "DELETE", Path: "/oauth/v1/refresh-tokens", TokenIn: c.InBearer, Hints: []string{"refresh_token"}, Status: http.StatusNoContent},
		// https://developers.hubspot.com/docs/api-reference/legacy/authentication/oauth-tokens/v1/get-oauth-token-hubspotMetadata
		Examples: []c.Example{{Name: "Documented", Bodies: map[string]string{"/oauth/v1/access-tokens": hubspotMetadata},
			Want: provider.Identity{ProviderUserID: "123456", EmailAddress: "test@hubspot.com"}}},
	},
	// Instagram's
	// documented shapes: comma-separated scopes, no PKCE, client credentials in
	// the form, a token response without token_type (null here: the suite
	// always sends one), expires_in or refresh token, with user_id as a JSON
	// number and the granted permissions (read as the scope), the me node of
	// the Graph API with fields, Graph API errors, no email address, no
	// refresh, no revocation. The "data"-wrapped token response is
	// TestNormalize's.
	"instagram": {
		New: func(s c.Server) (provider.Provider, error) {
			return instagram.New(instagram.Config{Credentials: s.Credentials(), BaseURL: s.URL, APIURL: s.URL, HTTP: s.HTTP()})
		},
		Strategy: "oauth_instagram", Title: "Instagram", DefaultScopes: instagram.DefaultScopes,
		Authorize: c.Authorize{Path: "/oauth/authorize", ScopeSeparator: ","},
		Token: c.Token{Path: "/oauth/access_token", Auth: c.AuthPost, NoExpiry: true, ScopeSeparator: ",", ScopeMember: "permissions", Extra: func(u c.User) map[string]any {
			var userID any = u.NumericID()
			if strings.Trim(u.ID, "0123456789") != "" { // the examples' user
				userID = u.ID
			}
			return map[string]any{"token_type": nil, "user_id": userID}
		}},
		Profile: c.Profile{
			ErrorBody: `{"error": {"message": "Invalid OAuth access token - Cannot parse access token", "type": "OAuthException", "code": 190, "fbtrace_id": "AbCdEfGhIjK"}}`,
			Routes: []c.Route{{Path: "/" + instagram.GraphVersion + "/me", Query: url.Values{"fields": {"user_id,username,name,account_type,profile_picture_url"}},
				Body: func(u c.User, _ []string) any {
					return map[string]any{"id": "app-scoped-" + u.ID, "user_id": u.ID, "username": u.Username, "name": c.OrNil(u.Name()),
						"account_type": "BUSINESS", "profile_picture_url": u.AvatarURL}
				}}}},
		Lacks: c.Lacks{Email: true},
		// https://developers.facebook.com/docs/instagram-platform/instagram-api-with-instagram-login/get-started
		Examples: []c.Example{{Name: "Documented", Bodies: map[string]string{"/" + instagram.GraphVersion + "/me": instagramMe}, Want: provider.Identity{
			ProviderUserID: "17841400008460056", FirstName: "Jay", LastName: "Posiris", Username: "jayposiris",
			AvatarURL: "https://scontent.cdninstagram.com/v/t51.2885-19/profile.jpg",
		}}},
	},
	// TikTok's documented shapes with user.info.profile (variants runs the
	// default scope): client_key in place of client_id (authorization,
	// token and revocation requests), comma-separated scopes, no PKCE for
	// web apps, the client secret in the form, a token response with
	// open_id and refresh_expires_in, rotating refresh tokens, user/info
	// with the fields parameter and an "error" object whose code is "ok" on
	// success (and not "ok", with HTTP 200, on failure), no email address,
	// and revocation of access tokens.
	"tiktok": tiktokHarness([]string{"user.info.basic", "user.info.profile"}),
}

// facebookMe is GET /me with fields and permissions for u.
func facebookMe(u c.User, scopes []string) any {
	perms := []any{}
	for _, s := range scopes {
		perms = append(perms, map[string]any{"permission": s, "status": "granted"})
	}
	m := map[string]any{"id": u.ID, "picture": map[string]any{"data": map[string]any{"url": u.AvatarURL, "is_silhouette": false}},
		"permissions": map[string]any{"data": perms}}
	if u.Email != "" {
		m["email"] = u.Email
	}
	if u.Name() != "" {
		m["name"], m["first_name"], m["last_name"] = u.Name(), u.FirstName, u.LastName
	}
	return m
}

// huggingfaceUserinfo is GET /oauth/userinfo for the openid, profile and email scopes.
func huggingfaceUserinfo(u c.User, _ []string) any {
	m := map[string]any{"sub": u.ID, "name": c.OrNil(u.Name()), "preferred_username": u.Username,
		"profile": "https://huggingface.co/" + u.Username, "picture": u.AvatarURL, "isPro": false, "orgs": []any{}}
	if u.Email != "" {
		m["email"], m["email_verified"] = u.Email, u.Verified()
	}
	return m
}

// xeroUserID is u's xero_userid, a GUID made of its id.
func xeroUserID(u c.User) string {
	var n uint64
	fmt.Sscan(u.ID, &n)
	return fmt.Sprintf("1945e5a3-6a9f-4f4c-9a3f-%012x", n)
}

// notionBotUser is the documented response of GET /v1/users/me.
const notionBotUser = `{"object": "user", "id": "16d84278-ab0e-484c-9bdd-b35da3bd8905", "name": "pied piper", "avatar_url": null, "type": "bot",
  "bot": {"owner": {"type": "user", "user": {"object": "user", "id": "5389a034-eb5c-47b5-8a9e-f79c99ef166c",
    "name": "christine makenotion", "avatar_url": null, "type": "person", "person": {"email": "christine@makenotion.com"}}}}}`

// person is u as a Notion person user.
func notionPerson(u c.User) map[string]any {
	p := map[string]any{"object": "user", "id": u.ID, "type": "person", "name": c.OrNil(u.Name()), "avatar_url": u.AvatarURL, "person": map[string]any{}}
	if u.Email != "" {
		p["person"] = map[string]any{"email": u.Email}
	}
	return p
}

// notionFormForFake refuses a token request that is not the JSON body (with
// Notion-Version) Notion documents, and re-encodes it as the form the
// suite's fake reads.
type notionFormForFake struct{ base http.RoundTripper }

func (f notionFormForFake) RoundTrip(r *http.Request) (*http.Response, error) {
	if r.URL.Path != "/v1/oauth/token" {
		return f.base.RoundTrip(r)
	}
	var members map[string]string
	if r.Header.Get("Content-Type") != "application/json" || r.Header.Get("Notion-Version") != notion.APIVersion ||
		json.NewDecoder(r.Body).Decode(&members) != nil {
		return nil, errors.New("the token request is not Notion's JSON body")
	}
	form := url.Values{}
	for k, v := range members {
		form.Set(k, v)
	}
	r = r.Clone(r.Context())
	r.Body = io.NopCloser(strings.NewReader(form.Encode()))
	r.ContentLength = int64(len(form.Encode()))
	r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	return f.base.RoundTrip(r)
}

// hubspotMetadata is the documented response of GET /oauth/v1/access-tokens/{token}.
const hubspotMetadata = `{"token": "CNye4dqFMBICAAEYhOKlAyCNrw4oj_ctMhkA", "user": "test@hubspot.com", "hub_domain": "demo.hubapi.com",
  "scopes": ["oauth", "crm.objects.contacts.read"], "scope_to_scope_group_pks": [25, 31], "trial_scopes": [],
  "trial_scope_to_scope_group_pks": [], "hub_id": 62515, "app_id": 456789, "expires_in": 1754, "user_id": 123456, "token_type": "access"}`

// hubspotBearerForFake refuses a request to a token-in-path endpoint that is not
// as HubSpot documents it, and hands the fake the endpoint's fixed path
// with the token as a Bearer token.
type hubspotBearerForFake struct{ base http.RoundTripper }

func (b hubspotBearerForFake) RoundTrip(r *http.Request) (*http.Response, error) {
	dir, token := path.Split(r.URL.Path)
	if dir != "/oauth/v1/access-tokens/" && dir != "/oauth/v1/refresh-tokens/" {
		return b.base.RoundTrip(r)
	}
	if token == "" || r.Header.Get("Authorization") != "" {
		return nil, errors.New("not HubSpot's token-in-path request")
	}
	r = r.Clone(r.Context())
	r.URL.Path, r.URL.RawPath = path.Clean(dir), ""
	r.Header.Set("Authorization", "Bearer "+token)
	return b.base.RoundTrip(r)
}

// instagramMe is the documented response of GET /me (the picture URL shortened).
const instagramMe = `{"id": "7590649647655446", "user_id": "17841400008460056", "username": "jayposiris", "name": "Jay Posiris",
  "account_type": "BUSINESS", "profile_picture_url": "https://scontent.cdninstagram.com/v/t51.2885-19/profile.jpg"}`

// tiktokHarness is TikTok's for an app that requests scopes.
func tiktokHarness(scopes []string) c.Harness {
	fields, profile := "open_id,union_id,avatar_url,display_name", slices.Contains(scopes, "user.info.profile")
	if profile {
		fields += ",username"
	}
	return c.Harness{
		New: func(s c.Server) (provider.Provider, error) {
			return tiktok.New(tiktok.Config{Credentials: s.Credentials(), Scopes: scopes, BaseURL: s.URL, APIURL: s.URL, HTTP: s.HTTP()})
		},
		Strategy: "oauth_tiktok", Title: "TikTok", DefaultScopes: scopes, ClientIDParam: "client_key",
		Authorize: c.Authorize{Path: "/v2/auth/authorize/", ScopeSeparator: ","},
		Token: c.Token{Path: "/v2/oauth/token/", Auth: c.AuthPost, ScopeSeparator: ",", RefreshToken: true,
			Extra: func(u c.User) map[string]any { return map[string]any{"open_id": u.ID, "refresh_expires_in": 15552000} }},
		Profile: c.Profile{
			ErrorBody: `{"data": {}, "error": {"code": "access_token_invalid", "message": "The access token is invalid or not found in the request.", "log_id": "20220829194722CBE87ED59D524E727021"}}`,
			Routes: []c.Route{{Path: "/v2/user/info/", Query: url.Values{"fields": {fields}}, Body: func(u c.User, _ []string) any {
				user := map[string]any{"open_id": u.ID, "union_id": "union-" + u.ID, "avatar_url": u.AvatarURL, "display_name": u.Name()}
				if profile {
					user["username"] = u.Username
				}
				return map[string]any{"data": map[string]any{"user": user}, "error": map[string]any{"code": "ok", "message": "", "log_id": "20220829194722CBE87ED59D524E727021"}}
			}}}},
		Lacks:   c.Lacks{Email: true, Username: !profile},
		Refresh: &c.Refresh{Rotates: true},
		Revoke:  &c.Revoke{Path: "/v2/oauth/revoke/", TokenIn: c.InFormParam, FormParam: "token", ClientAuth: c.AuthPost, Hints: []string{"access_token"}},
		// https://developers.tiktok.com/doc/tiktok-api-v2-get-user-info
		Examples: []c.Example{{Name: "Documented", Bodies: map[string]string{"/v2/user/info/": tiktokUserInfo}, Want: provider.Identity{
			ProviderUserID: "723f24d7-e717-40f8-a2b6-cb8464cd23b4", FirstName: "Tik", LastName: "Toker", Username: "tiktoker",
			AvatarURL: "https://p19-sign.tiktokcdn-us.com/tos-useast5-avt-0068-tx/b17f0e4b3a4f4a50993cf72cda8b88b8~c5_168x168.jpeg",
		}}},
	}
}

// tiktokUserInfo is the documented response of GET /v2/user/info/.
const tiktokUserInfo = `{"data": {"user": {"avatar_url": "https://p19-sign.tiktokcdn-us.com/tos-useast5-avt-0068-tx/b17f0e4b3a4f4a50993cf72cda8b88b8~c5_168x168.jpeg",
  "open_id": "723f24d7-e717-40f8-a2b6-cb8464cd23b4", "union_id": "c9c60f44-a68e-4f5d-84dd-ce22faeb0ba1",
  "display_name": "Tik Toker", "username": "tiktoker"}},
 "error": {"code": "ok", "message": "", "log_id": "20220829194722CBE87ED59D524E727021"}}`

// notionHarness is Notion's: the user from the token response's owner,
// or, for a token response without one, from GET /v1/users/me.
func notionHarness(ownerInToken bool) c.Harness {
	h := c.Harness{
		New: func(s c.Server) (provider.Provider, error) {
			hc := &http.Client{Transport: notionFormForFake{s.Client.Transport}}
			return notion.New(notion.Config{Credentials: s.Credentials(), BaseURL: s.URL, HTTP: provider.HTTPSettings{Client: hc}})
		},
		Strategy: "oauth_notion", Title: "Notion", DefaultScopes: notion.DefaultScopes,
		Authorize: c.Authorize{Path: "/v1/oauth/authorize", Params: url.Values{"owner": {"user"}}},
		Token: c.Token{Path: "/v1/oauth/token", Auth: c.AuthBasic, TokenType: "bearer", RefreshToken: true, NoExpiry: true,
			Extra: func(u c.User) map[string]any {
				m := map[string]any{"bot_id": "bot-" + u.ID, "workspace_id": "ws-1", "workspace_name": "Ada's Notion Workspace",
					"workspace_icon": nil, "duplicated_template_id": nil}
				if ownerInToken {
					m["owner"] = map[string]any{"type": "user", "user": notionPerson(u)}
				}
				return m
			}},
		Profile: c.Profile{FromToken: ownerInToken, ErrorBody: `{"object":"error","status":401,"code":"unauthorized","message":"API token is invalid."}`,
			Routes: []c.Route{{Path: "/v1/users/me", Body: func(u c.User, _ []string) any {
				return map[string]any{"object": "user", "id": "bot-" + u.ID, "type": "bot", "name": "Tether", "avatar_url": nil,
					"bot": map[string]any{"owner": map[string]any{"type": "user", "user": notionPerson(u)}, "workspace_name": "Ada's Notion Workspace"}}
			}}}},
		Lacks:   c.Lacks{EmailVerified: true, Username: true},
		Refresh: &c.Refresh{Rotates: true},
		Revoke: &c.Revoke{Path: "/v1/oauth/revoke", TokenIn: c.InJSON, JSONMember: "token", ClientAuth: c.AuthBasic,
			Hints: []string{"access_token"}, Response: `{"request_id":"3c90c3cc-0d44-4b50-8888-8dd25736052a"}`},
		// https://developers.notion.com/changelog/retrieve-information-about-your-token
		Examples: []c.Example{{Name: "Documented", Bodies: map[string]string{"/v1/users/me": notionBotUser}, Want: provider.Identity{
			ProviderUserID: "5389a034-eb5c-47b5-8a9e-f79c99ef166c", EmailAddress: "christine@makenotion.com",
			FirstName: "christine", LastName: "makenotion",
		}}},
	}
	if ownerInToken {
		h.Profile.Routes, h.Examples = nil, nil
	}
	return h
}
