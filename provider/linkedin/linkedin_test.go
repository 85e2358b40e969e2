package linkedin_test

import (
	"context"
	"strings"
	"testing"

	"github.com/tetherauth/tether/provider"
	"github.com/tetherauth/tether/provider/linkedin"
)

// TestPKCEOptIn: PKCE is sent only for apps LinkedIn enabled it for (the
// catalogue's conformance table runs the default, without PKCE).
func TestPKCEOptIn(t *testing.T) {
	p, err := linkedin.New(linkedin.Config{Credentials: provider.Credentials{ClientID: "i", ClientSecret: "s"}, PKCE: true})
	if err != nil {
		t.Fatal(err)
	}
	u, err := p.AuthCodeURL(context.Background(), provider.AuthRequest{
		State: "s", CodeChallenge: strings.Repeat("c", 43), Nonce: "n", RedirectURI: "https://app.example/callback",
	})
	if err != nil || !strings.Contains(u, "code_challenge_method=S256") || !strings.HasPrefix(u, "https://www.linkedin.com/oauth/v2/authorization?") {
		t.Errorf("URL %s, %v", u, err)
	}
}
