package account

import (
	"context"
	"errors"
	"strings"
	"time"

	"github.com/tetherauth/tether/provider"
	"github.com/tetherauth/tether/verification"
)

// IDTokenParams are the inputs of SignInWithIDToken.
type IDTokenParams struct {
	// Binding binds the attempt to the client that presents the token (a
	// browser's cookie value, an app installation's id): a transfer must
	// present it. Required.
	Binding string
	// Strategy is oauth_token_<provider>: oauth_token_google,
	// oauth_token_apple. Required.
	Strategy string
	// Token is the ID token the native client obtained. Secret.
	Token string
	// Nonce is the nonce the client asked the provider to put in the
	// token; checked when not "".
	Nonce string
}

// maxIDTokenLength bounds an ID token given to SignInWithIDToken.
const maxIDTokenLength = 16 << 10

// SignInWithIDToken signs in with an ID token a native client (Google One
// Tap, Sign in with Apple on a phone) obtained from the provider, without
// a redirect: the token is verified with the provider's keys, its
// audience must be one of the host's client ids (the provider's ClientID
// or AdditionalAudiences), and its nonce the given one. Each token is used
// once: the Service keeps it until it expires, and a replay is refused.
//
// The outcome is a sign-in attempt as Complete returns it: complete with
// the owner's UserID when a user has the identity, transferable
// (external_account_not_found) with the identity held for
// TransferToNewUser otherwise. No provider tokens come with an ID token:
// an account made from one gets an access token at its first
// reauthorization.
//
// # Errors
//
// verification_strategy_invalid for a strategy that is not
// oauth_token_<provider> or whose provider takes no ID tokens;
// oauth_provider_not_enabled; oauth_id_token_invalid for a token that
// fails a check or was used before.
func (s *Service) SignInWithIDToken(ctx context.Context, p IDTokenParams) (_ *Attempt, err error) {
	ctx, end := s.operation(ctx, "SignInWithIDToken")
	defer func() { end(err) }()
	if p.Binding == "" || len(p.Binding) > 512 {
		return nil, verification.ErrInternal.WithLongMessage("SignInWithIDToken needs the client's binding (IDTokenParams.Binding).")
	}
	rest, ok := strings.CutPrefix(p.Strategy, "oauth_token_")
	if !ok {
		return nil, verification.ErrStrategyInvalid.WithParam("strategy").WithLongMessage("An ID token sign-in needs an oauth_token_<provider> strategy.")
	}
	strategy, err := verification.OAuth(rest)
	if err != nil {
		return nil, err
	}
	prov, err := s.providers.Lookup(strategy)
	if err != nil {
		return nil, err
	}
	verifier, ok := prov.(provider.IDTokenVerifier)
	if !ok {
		return nil, verification.ErrStrategyInvalid.WithParam("strategy").WithLongMessage("This provider does not take ID tokens from native clients.")
	}
	if p.Token == "" || len(p.Token) > maxIDTokenLength {
		return nil, verification.ErrIDTokenInvalid.WithLongMessage("The ID token is missing or too long.")
	}
	ident, exp, err := verifier.VerifyIDToken(ctx, p.Token, p.Nonce)
	if err != nil {
		var verr *verification.Error
		if errors.As(err, &verr) {
			return nil, verr
		}
		return nil, verification.ErrIDTokenInvalid.Wrap(err)
	}
	if ident, err = cleanIdentity(ident); err != nil {
		return nil, err
	}
	// Once only: the token's hash is kept as a claim until it expires.
	now := s.clock()
	if exp.Before(now) || exp.After(now.Add(24*time.Hour)) {
		exp = now.Add(24 * time.Hour)
	}
	used := &Flow{StateHash: hashKey("tether/idtoken/" + p.Token), Kind: FlowClaim, Strategy: strategy, CreatedAt: now, ExpiresAt: exp.Add(time.Minute)}
	if err := s.flows.SaveFlow(ctx, used); err != nil {
		if isConflict(err) {
			s.log.LogAttrs(ctx, levelWarn, "tether: an ID token came back: refused")
			return nil, verification.ErrIDTokenInvalid.WithLongMessage("This ID token was used already.")
		}
		return nil, err
	}
	r := &attemptRecord{Attempt: Attempt{
		ID: s.newID("sia_"), Kind: SignIn, Status: StatusNeedsFirstFactor, CreatedAt: now,
		Verification: s.policy.Start(strategy, "", "", now),
	}}
	r.Attempt.Verification.Strategy = verification.MustParseStrategy("oauth_token_" + rest)
	o := &attemptOutcome{s: s, flow: &Flow{Kind: FlowSignIn, Strategy: strategy}, binding: p.Binding, r: r, noTokens: true}
	if err := o.verified(ctx, ident, &provider.Token{IDToken: p.Token, TokenType: "Bearer"}); err != nil {
		return nil, err
	}
	return s.public(o.r), nil
}
