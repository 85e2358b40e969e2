package account

import (
	"context"
	"encoding/json"
	"errors"
	"log/slog"
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

// pendingFlow is a flow made but not yet stored: its authorization URL and
// its secrets, sealed into flow.Secrets by seal.
type pendingFlow struct {
	flow    *Flow
	url     string
	secrets flowSecrets
}

func (p *pendingFlow) started() startedFlow { return startedFlow{url: p.url, key: p.flow.StateHash} }

// prepareFlow makes a fresh state, PKCE verifier and (for OpenID Connect)
// nonce, and the provider's authorization URL. Nothing is stored: the
// caller seals the flow and writes it, with the account it belongs to when
// the store can (writeFlows). For an OAuth 1.0a provider it asks the
// provider for temporary credentials, which the flow keeps with its other
// secrets: the only flow start that does I/O.
func (s *Service) prepareFlow(ctx context.Context, prov provider.Provider, fr flowRequest, now time.Time) (*pendingFlow, error) {
	md := prov.Metadata()
	state, verifier := randomToken(), randomToken()
	var nonce string
	if md.OpenID {
		nonce = randomToken()
	}
	req := provider.AuthRequest{
		State:         state,
		CodeChallenge: s256(verifier),
		Nonce:         nonce,
		RedirectURI:   s.callbackURL,
		Scopes:        fr.scopes,
		Prompt:        fr.prompt,
		LoginHint:     fr.loginHint,
		Offline:       fr.offline,
	}
	var (
		authURL string
		tmp     provider.TemporaryCredentials
		err     error
	)
	if o1, ok := prov.(provider.OAuth1); ok {
		authURL, tmp, err = s.startOAuth1(ctx, o1, req)
	} else {
		authURL, err = prov.AuthCodeURL(ctx, req)
	}
	if err != nil {
		return nil, err
	}
	return &pendingFlow{
		url:     authURL,
		secrets: flowSecrets{Verifier: verifier, Nonce: nonce, TmpToken: tmp.Token, TmpSecret: tmp.Secret},
		flow: &Flow{
			StateHash:   hashKey(state),
			Kind:        fr.kind,
			UserID:      fr.userID,
			AccountID:   fr.subjectID,
			Strategy:    fr.strategy,
			RedirectURL: fr.redirectURL,
			Scopes:      fr.scopes,
			Prompt:      fr.prompt,
			LoginHint:   fr.loginHint,
			Offline:     fr.offline,
			BindingHash: fr.bindingHash,
			CreatedAt:   now,
			ExpiresAt:   now.Add(s.policy.Lifetime() + s.retention),
		},
	}, nil
}

// seal seals the flow's secrets into it, with the account a as the write
// that stores the flow leaves it (its version then is a.Version+1), so
// that the callback writes its outcome without reading the account first.
// a may be nil (sign-in flows have no account). The account's redirect URL
// is left out: it carries the state, and every outcome replaces it.
func (s *Service) seal(p *pendingFlow, a *ExternalAccount) {
	fs := p.secrets
	if a != nil {
		snap := *a
		snap.Verification.ExternalVerificationRedirectURL = ""
		if rec, err := EncodeRecord(&snap); err == nil { // fails only on PublicMetadata JSON cannot hold: the callback reads the account then
			fs.Account, fs.Version = rec, a.Version+1
		}
	}
	b, _ := json.Marshal(fs) // strings and a JSON record: cannot fail
	p.flow.Secrets = s.keyring.Seal(b, flowAD(p.flow.StateHash))
}

// startOAuth1 starts an OAuth 1.0a provider's flow: its temporary
// credentials and authorization URL. A failure the provider did not
// describe is oauth_token_exchange_error (the request for temporary
// credentials is the first of the flow's two exchanges), wrapping it.
func (s *Service) startOAuth1(ctx context.Context, p provider.OAuth1, req provider.AuthRequest) (string, provider.TemporaryCredentials, error) {
	authURL, tmp, err := p.StartOAuth1(ctx, req)
	if err == nil && (authURL == "" || tmp.Token == "" || tmp.Secret == "") {
		err = errors.New("the provider returned no temporary credentials")
	}
	if err != nil {
		var ve *verification.Error
		if !errors.As(err, &ve) {
			err = verification.ErrTokenExchange.WithLongMessage("The provider's temporary credentials could not be obtained.").Wrap(err)
		}
		return "", provider.TemporaryCredentials{}, err
	}
	return authURL, tmp, nil
}

// startFlow prepares a flow that belongs to no account yet and saves it.
func (s *Service) startFlow(ctx context.Context, prov provider.Provider, fr flowRequest, now time.Time) (startedFlow, error) {
	p, err := s.prepareFlow(ctx, prov, fr, now)
	if err != nil {
		return startedFlow{}, err
	}
	return s.saveFlow(ctx, p)
}

// saveFlow seals a prepared flow that belongs to no account and saves it.
func (s *Service) saveFlow(ctx context.Context, p *pendingFlow) (startedFlow, error) {
	s.seal(p, nil)
	if err := s.flows.SaveFlow(ctx, p.flow); err != nil {
		return startedFlow{}, err
	}
	s.countFlowStarted(ctx, p.flow.Kind, p.flow.Strategy)
	return p.started(), nil
}

// retryFlow prepares the fresh flow of a failed callback's retry, or
// returns nil when the provider cannot start one now (an OAuth 1.0a
// provider that did not answer the request for temporary credentials). The
// retry then ends the verification with the callback's cause, which the
// user acts on by starting again, rather than leaving it unverified with a
// redirect URL that leads to a spent flow.
func (s *Service) retryFlow(ctx context.Context, prov provider.Provider, fr flowRequest, now time.Time) *pendingFlow {
	p, err := s.prepareFlow(ctx, prov, fr, now)
	if err != nil {
		s.log.LogAttrs(ctx, levelWarn, "tether: no fresh flow for a retry", slog.String("strategy", fr.strategy.String()), errAttr(err))
		return nil
	}
	return p
}

// flowWrite is one write of an account with its flows: the flow it takes
// (a callback's) and the flow it saves (a new verification's).
type flowWrite struct {
	take string
	save *pendingFlow
	// saved is set once save is stored on its own (stores without
	// FlowWriter), so that a compare-and-swap retry does not save it twice.
	saved bool
}

// createAccountFlow stores a new account and the flow of its verification:
// in one atomic write when the store is a FlowWriter, else the flow first,
// so that a failure in between leaves a flow whose callback finds no
// account, never an account whose redirect URL leads nowhere.
func (s *Service) createAccountFlow(ctx context.Context, a *ExternalAccount, p *pendingFlow) error {
	if s.flowWriter != nil {
		defer sealingAccounts{kr: s.keyring}.seal(a)()
		return s.flowWriter.CreateAccountFlow(ctx, a, p.flow)
	}
	if err := s.flows.SaveFlow(ctx, p.flow); err != nil {
		return err
	}
	return s.accounts.CreateAccount(ctx, a)
}

// writeFlows updates a (with tokens, when not nil) and takes and saves w's
// flows: in one atomic write when the store is a FlowWriter. Otherwise the
// new flow is saved first, then the account written (its compare-and-swap
// is what lets one callback of a flow through), then the flow taken is
// deleted: stopped at any point, this leaves the account as it was or as
// written, each with a flow its redirect URL leads to. A flow taken by
// someone else is verification.ErrResourceNotFound.
func (s *Service) writeFlows(ctx context.Context, w *flowWrite, a *ExternalAccount, tokens *SealedTokens) error {
	if s.flowWriter != nil {
		var save *Flow
		if w.save != nil {
			save = w.save.flow
		}
		defer sealingAccounts{kr: s.keyring}.seal(a)()
		return s.flowWriter.UpdateAccountFlow(ctx, w.take, a, tokens, save)
	}
	if w.save != nil && !w.saved {
		if err := s.flows.SaveFlow(ctx, w.save.flow); err != nil {
			return err
		}
		w.saved = true
	}
	if err := s.accounts.UpdateAccount(ctx, a, tokens); err != nil {
		return err
	}
	if w.take != "" {
		if _, err := s.flows.TakeFlow(ctx, w.take); err != nil && !errors.Is(err, verification.ErrResourceNotFound) {
			// The account no longer points at the flow: a replay of
			// it loses the compare-and-swap, and it expires.
			s.log.LogAttrs(ctx, levelWarn, "tether: a used flow could not be deleted; it expires unused", errAttr(err))
		}
	}
	return nil
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
	// TmpToken and TmpSecret are an OAuth 1.0a provider's temporary
	// credentials (provider.OAuth1).
	TmpToken  string `json:"tt,omitempty"`
	TmpSecret string `json:"ts,omitempty"`
	// Account is the account the flow belongs to as the flow's write left
	// it (EncodeRecord's form, without its redirect URL), at Version.
	Account json.RawMessage `json:"a,omitempty"`
	Version int64           `json:"av,omitempty"`
}

// account returns the account the flow carries, or nil.
func (fs flowSecrets) account() *ExternalAccount {
	if len(fs.Account) == 0 {
		return nil
	}
	a, err := DecodeRecord(fs.Account)
	if err != nil {
		return nil
	}
	a.Version = fs.Version
	return a
}

// temporary returns the flow's OAuth 1.0a temporary credentials.
func (fs flowSecrets) temporary() provider.TemporaryCredentials {
	return provider.TemporaryCredentials{Token: fs.TmpToken, Secret: fs.TmpSecret}
}

// flowAD binds sealed flow secrets to their flow: secrets copied onto
// another flow do not open.
func flowAD(stateHash string) []byte { return []byte("tether/flow:" + stateHash) }

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
