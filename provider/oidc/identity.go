package oidc

import (
	"github.com/tetherauth/tether/provider"
	"github.com/tetherauth/tether/provider/internal/claims"
)

// identityFromClaims maps standard claims (OpenID Connect Core section
// 5.1) to an Identity. Claims keeps all of them.
func identityFromClaims(c map[string]any) *provider.Identity {
	id := &provider.Identity{
		ProviderUserID: claims.String(c, "sub"),
		EmailAddress:   claims.String(c, "email"),
		EmailVerified:  claims.Bool(c, "email_verified"),
		FirstName:      claims.String(c, "given_name"),
		LastName:       claims.String(c, "family_name"),
		AvatarURL:      claims.String(c, "picture"),
		Username:       claims.String(c, "preferred_username"),
		Claims:         c,
	}
	if id.FirstName == "" && id.LastName == "" {
		id.FirstName, id.LastName = claims.SplitName(claims.String(c, "name"))
	}
	return id
}
