package linkedin

import (
	"context"
	"slices"
	"strings"

	"github.com/tetherauth/tether/provider"
	"github.com/tetherauth/tether/provider/internal/catalog"
	"github.com/tetherauth/tether/verification"
)

// LegacyStrategy is Clerk's oauth_linkedin: LinkedIn's retired "Sign In
// with LinkedIn" product (OAuth 2.0, the lite profile and the email
// address from the v2 API), served by NewLegacy for apps LinkedIn still
// grants it to.
var LegacyStrategy = verification.MustParseStrategy("oauth_linkedin")

// DefaultAPIURL is LinkedIn's REST API, where the legacy product reads the
// profile.
const DefaultAPIURL = "https://api.linkedin.com"

// LegacyScopes are the legacy product's scopes: the lite profile (id,
// names, picture) and the email address.
var LegacyScopes = []string{"r_liteprofile", "r_emailaddress"}

// The legacy product's profile requests, from
// https://learn.microsoft.com/linkedin/consumer/integrations/self-serve/sign-in-with-linkedin
// (the projection decorates the picture with its image URLs).
const (
	legacyMePath    = "/v2/me?projection=(id,localizedFirstName,localizedLastName,profilePicture(displayImage~:playableStreams))"
	legacyEmailPath = "/v2/emailAddress?q=members&projection=(elements*(handle~))"
)

// LegacyConfig configures the legacy provider. ClientID and ClientSecret
// are required; every other zero field has a default.
type LegacyConfig struct {
	// Credentials are the LinkedIn app's client id and secret.
	provider.Credentials
	// Scopes are requested on every authorization. Default: LegacyScopes.
	Scopes []string
	// BaseURL (the OAuth endpoints) and APIURL (the profile) replace
	// DefaultBaseURL and DefaultAPIURL when set, for tests against a fake.
	BaseURL, APIURL string
	// HTTP is as in Config.
	HTTP provider.HTTPSettings
}

// LegacyProvider is the legacy "Sign In with LinkedIn" provider: refresh
// for LinkedIn's approved partners, revocation. It is safe for concurrent
// use.
type LegacyProvider struct {
	provider.Provider
	provider.Refresher
	provider.Revoker
}

// NewLegacy returns the provider of Clerk's oauth_linkedin, LinkedIn's
// retired "Sign In with LinkedIn" (see the package documentation). It does
// no I/O and fails when ClientID or ClientSecret is missing or a URL is
// invalid.
func NewLegacy(cfg LegacyConfig) (*LegacyProvider, error) {
	return catalog.NewOAuth2[LegacyProvider](catalog.OAuth2{
		Spec: catalog.Spec{
			Strategy: LegacyStrategy, Title: "LinkedIn (legacy)", DefaultScopes: LegacyScopes,
			BaseURL: DefaultBaseURL, APIURL: DefaultAPIURL, AuthStyle: catalog.ClientSecretPost, DisablePKCE: true,
			Endpoint: catalog.Endpoint{
				AuthURL: endpoint.AuthURL, TokenURL: endpoint.TokenURL, RevocationURL: endpoint.RevocationURL,
				UserinfoURL: DefaultAPIURL + legacyMePath,
			},
		},
		OAuth2: catalog.OAuth2Hooks{Profile: legacyProfile},
	}, catalog.Host{Credentials: cfg.Credentials, Scopes: cfg.Scopes, HTTP: cfg.HTTP, BaseURL: cfg.BaseURL, APIURL: cfg.APIURL})
}

// legacyProfile reads the lite profile and, when r_emailaddress may have
// been granted, the primary email address (see the package documentation).
func legacyProfile(ctx context.Context, api *catalog.API, tok *provider.Token) (*provider.Identity, error) {
	var me map[string]any
	if err := api.GetJSON(ctx, api.UserinfoURL(), &me); err != nil {
		return nil, err
	}
	id := &provider.Identity{
		ProviderUserID: catalog.ID(me, "id"),
		FirstName:      catalog.String(me, "localizedFirstName"),
		LastName:       catalog.String(me, "localizedLastName"),
		AvatarURL:      largestPicture(me),
		Claims:         me,
	}
	if len(tok.Scopes) > 0 && !slices.Contains(tok.Scopes, "r_emailaddress") {
		return id, nil
	}
	var emails struct {
		Elements []struct {
			Handle struct {
				EmailAddress string `json:"emailAddress"`
			} `json:"handle~"`
		} `json:"elements"`
	}
	apiURL := strings.TrimSuffix(api.UserinfoURL(), legacyMePath)
	if err := api.GetJSON(ctx, apiURL+legacyEmailPath, &emails); err != nil {
		return nil, err
	}
	if len(emails.Elements) > 0 {
		id.EmailAddress = emails.Elements[0].Handle.EmailAddress
	}
	return id, nil
}

// largestPicture returns the URL of the last (largest) image of the
// profile picture's decorated display image, or "".
func largestPicture(me map[string]any) string {
	pic, _ := me["profilePicture"].(map[string]any)
	img, _ := pic["displayImage~"].(map[string]any)
	elems, _ := img["elements"].([]any)
	for i := len(elems) - 1; i >= 0; i-- {
		e, _ := elems[i].(map[string]any)
		ids, _ := e["identifiers"].([]any)
		for _, x := range ids {
			ident, _ := x.(map[string]any)
			if u := catalog.String(ident, "identifier"); u != "" {
				return u
			}
		}
	}
	return ""
}
