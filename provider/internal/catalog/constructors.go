package catalog

import (
	"context"

	"github.com/tetherauth/tether/provider/internal/hooks"
	"github.com/tetherauth/tether/provider/oauth2"
	"github.com/tetherauth/tether/provider/oidc"
)

// The constructors of provider/oidc and provider/oauth2 that take hooks,
// asserted once (see provider/internal/hooks).
var (
	newOIDC   = hooks.NewOIDC.(func(context.Context, oidc.Config, hooks.OIDC) (*oidc.Provider, error))
	newOAuth2 = hooks.NewOAuth2.(func(oauth2.Config, hooks.OAuth2) (*oauth2.Provider, error))
)

// NewOIDC is oidc.New with a catalogue provider's hooks.
func NewOIDC(ctx context.Context, cfg oidc.Config, h hooks.OIDC) (*oidc.Provider, error) {
	return newOIDC(ctx, cfg, h)
}

// NewOAuth2 is oauth2.New with a catalogue provider's hooks.
func NewOAuth2(cfg oauth2.Config, h hooks.OAuth2) (*oauth2.Provider, error) {
	return newOAuth2(cfg, h)
}
