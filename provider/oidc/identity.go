package oidc

import (
	"strings"

	"github.com/tetherauth/tether/provider"
)

// identityFromClaims maps standard claims (OpenID Connect Core section
// 5.1) to an Identity. Claims keeps all of them.
func identityFromClaims(c map[string]any) *provider.Identity {
	id := &provider.Identity{
		ProviderUserID: stringClaim(c, "sub"),
		EmailAddress:   stringClaim(c, "email"),
		EmailVerified:  boolClaim(c, "email_verified"),
		FirstName:      stringClaim(c, "given_name"),
		LastName:       stringClaim(c, "family_name"),
		AvatarURL:      stringClaim(c, "picture"),
		Username:       stringClaim(c, "preferred_username"),
		Claims:         c,
	}
	if id.FirstName == "" && id.LastName == "" {
		id.FirstName, id.LastName = splitName(stringClaim(c, "name"))
	}
	return id
}

// stringClaim returns claim k when it is a string, else "".
func stringClaim(c map[string]any, k string) string {
	s, _ := c[k].(string)
	return strings.TrimSpace(s)
}

// boolClaim returns claim k when it is a boolean or the string "true" or
// "false", which some providers send; nil otherwise.
func boolClaim(c map[string]any, k string) *bool {
	switch v := c[k].(type) {
	case bool:
		return &v
	case string:
		switch strings.ToLower(strings.TrimSpace(v)) {
		case "true":
			return new(true)
		case "false":
			return new(false)
		}
	}
	return nil
}

// splitName splits a full name at its first space: "Ada King Lovelace" is
// "Ada" and "King Lovelace". It is the fallback for providers that send
// "name" without given_name and family_name.
func splitName(name string) (first, last string) {
	first, last, _ = strings.Cut(strings.TrimSpace(name), " ")
	return first, strings.TrimSpace(last)
}
