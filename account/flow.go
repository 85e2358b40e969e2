package account

import (
	"context"
	"encoding/json"
	"errors"
	"time"

	"github.com/tetherauth/tether/provider"
	"github.com/tetherauth/tether/verification"
)

// flowRequest is what startFlow needs to begin one authorization.
type flowRequest struct {
	kind FlowKind
	// userID, subjectID and strategy say whose flow it is: the account's
	// user, id and provider, or for sign-ins and sign-ups no user and the
	// attempt's id.
	userID      string
	subjectID   string
	strategy    verification.Strategy
	scopes      []string
	redirectURL string
	prompt      string
	loginHint   string
	bindingHash string
	offline     bool
}

type startedFlow struct {
	url string // the provider's authorization URL
	key string // the flow's key: the hash of its state
}

// startFlow makes a fresh state, PKCE verifier and (for OpenID Connect)
// nonce, saves the flow and returns the authorization URL.
func (s *Service) startFlow(ctx context.Context, prov provider.Provider, fr flowRequest, now time.Time) (startedFlow, error) {
	md := prov.Metadata()
	state, verifier := randomToken(), randomToken()
	var nonce string
	if md.OpenID {
		nonce = randomToken()
	}
	authURL, err := prov.AuthCodeURL(ctx, provider.AuthRequest{
		State:         state,
		CodeChallenge: s256(verifier),
		Nonce:         nonce,
		RedirectURI:   s.callbackURL,
		Scopes:        fr.scopes,
		Prompt:        fr.prompt,
		LoginHint:     fr.loginHint,
		Offline:       fr.offline,
	})
	if err != nil {
		return startedFlow{}, err
	}
	key := hashKey(state)
	f := &Flow{
		StateHash:   key,
		Kind:        fr.kind,
		UserID:      fr.userID,
		AccountID:   fr.subjectID,
		Strategy:    fr.strategy,
		Secrets:     s.sealFlowSecrets(key, flowSecrets{Verifier: verifier, Nonce: nonce}),
		RedirectURL: fr.redirectURL,
		Scopes:      fr.scopes,
		Prompt:      fr.prompt,
		LoginHint:   fr.loginHint,
		Offline:     fr.offline,
		BindingHash: fr.bindingHash,
		CreatedAt:   now,
		ExpiresAt:   now.Add(s.policy.Lifetime() + s.retention),
	}
	if err := s.flows.SaveFlow(ctx, f); err != nil {
		return startedFlow{}, err
	}
	s.countFlowStarted(ctx, fr.kind, fr.strategy)
	return startedFlow{url: authURL, key: key}, nil
}

func bindingHash(binding string) string {
	if binding == "" {
		return ""
	}
	return hashKey(binding)
}

// flowSecrets are what a flow must keep secret until its callback: the
// PKCE verifier and the OpenID Connect nonce. They reach the flow store only
// sealed (Flow.Secrets), so that a store's contents, or a backup of them,
// are not enough to complete a flow.
type flowSecrets struct {
	Verifier string `json:"v"`
	Nonce    string `json:"n,omitempty"`
}

// flowAD binds sealed flow secrets to their flow: secrets copied onto
// another flow do not open.
func flowAD(stateHash string) []byte { return []byte("tether/flow:" + stateHash) }

func (s *Service) sealFlowSecrets(stateHash string, fs flowSecrets) []byte {
	b, _ := json.Marshal(fs) // two strings: cannot fail
	return s.keyring.Seal(b, flowAD(stateHash))
}

func (s *Service) openFlowSecrets(f *Flow) (flowSecrets, error) {
	var fs flowSecrets
	b, err := s.keyring.Open(f.Secrets, flowAD(f.StateHash))
	if err != nil {
		return fs, err
	}
	if err := json.Unmarshal(b, &fs); err != nil || fs.Verifier == "" {
		return fs, errors.New("account: sealed flow secrets are malformed")
	}
	return fs, nil
}

// startable checks what every new flow needs: a strategy whose provider is
// enabled, and a redirect URL the browser may be sent to.
func (s *Service) startable(rawStrategy, redirectURL string) (verification.Strategy, provider.Provider, error) {
	strategy, err := verification.ParseStrategy(rawStrategy)
	if err != nil {
		return strategy, nil, err
	}
	prov, err := s.providers.Lookup(strategy)
	if err != nil {
		return strategy, nil, err
	}
	if _, err := ValidateRedirectURL(redirectURL); err != nil {
		return strategy, nil, err
	}
	return strategy, prov, nil
}
