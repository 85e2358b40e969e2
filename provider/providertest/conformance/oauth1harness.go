package conformance

import (
	"errors"
	"net/http"

	"github.com/tetherauth/tether/provider"
)

// OAuth1Harness declares an OAuth 1.0a provider (RFC 5849) under test and
// the documented shapes of the provider it talks to, for [RunOAuth1]. Paths
// are relative to [OAuth1Server.URL].
type OAuth1Harness struct {
	// New returns the provider under test, configured with s's consumer
	// credentials and every endpoint pointed at s.URL. Required.
	New func(s OAuth1Server) (provider.OAuth1, error)

	// Strategy and Title are what Strategy() and Metadata() must return.
	// Required.
	Strategy string
	Title    string

	// RequestToken, Authorize and AccessToken are the paths of the
	// temporary credential request (POST), the authorization page the
	// browser is sent to (GET) and the token request (POST), RFC 5849
	// section 2. Required.
	RequestToken string
	Authorize    string
	AccessToken  string

	// Profile are the routes the provider reads the account from, each
	// requested signed with the token credentials; their Body gets no
	// scopes. At least one is required.
	Profile []Route
	// ErrorBody is what the profile routes answer with HTTP 401 when they
	// refuse a request. Default: {"error":"invalid_token"}.
	ErrorBody string

	// Revoke is set when RevokeCredentials invalidates token credentials
	// with a request signed with them; nil means RevokeCredentials must
	// wrap provider.ErrRevocationUnsupported and send nothing.
	Revoke *OAuth1Revoke

	// Lacks and Expect are as in [Harness].
	Lacks  Lacks
	Expect func(u User, want *provider.Identity)

	// Examples are profile responses the provider's documentation shows,
	// each served verbatim through a full flow and mapped to the identity
	// it names; they have Bodies and no Claims.
	Examples []Example
}

// OAuth1Revoke declares the request that invalidates token credentials.
type OAuth1Revoke struct {
	// Method defaults to POST. Path is required.
	Method string
	Path   string
}

// OAuth1Server is the fake OAuth 1.0a provider [RunOAuth1] started for one
// subtest, on 127.0.0.1.
type OAuth1Server struct {
	// URL is the base URL, without a trailing slash.
	URL string
	// Client trusts the server; a harness may pass it to the provider.
	Client *http.Client
	// ConsumerKey and ConsumerSecret are the client credentials (RFC 5849
	// section 1.1) the fake accepts.
	ConsumerKey    string
	ConsumerSecret string
}

// HTTP are the HTTP settings with Client, for a Config's HTTP field.
func (s OAuth1Server) HTTP() provider.HTTPSettings { return provider.HTTPSettings{Client: s.Client} }

// check reports a harness the suite cannot run.
func (h *OAuth1Harness) check() error {
	switch {
	case h.New == nil || h.Strategy == "" || h.Title == "":
		return errors.New("New, Strategy and Title are required")
	case h.RequestToken == "" || h.Authorize == "" || h.AccessToken == "":
		return errors.New("RequestToken, Authorize and AccessToken are required")
	case len(h.Profile) == 0:
		return errors.New("Profile needs a route")
	case h.Revoke != nil && h.Revoke.Path == "":
		return errors.New("Revoke.Path is required")
	}
	return checkRoutes(h.Profile, h.Examples, false)
}
