package account

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"net/url"
	"sync"
	"time"

	"github.com/tetherauth/tether/provider"
	"github.com/tetherauth/tether/verification"
	"go.opentelemetry.io/otel/metric"
	"go.opentelemetry.io/otel/trace"
)

// Config configures a Service. Accounts, Flows, Providers, Keyring and
// CallbackURL are required; every other zero value is a sensible default.
type Config struct {
	// Accounts stores external accounts.
	Accounts AccountStore
	// Tokens stores sealed tokens. When nil, Accounts is used, which must
	// then implement TokenStore (every Tether store does).
	Tokens TokenStore
	// Flows stores in-flight authorization flows. It may be another backend
	// than Accounts (flows in Redis, accounts in PostgreSQL).
	Flows FlowStore
	// Providers resolves strategies to providers.
	Providers *provider.Registry
	// Keyring seals provider tokens before they reach a store.
	Keyring *Keyring
	// CallbackURL is the absolute URL of the OAuth callback, as registered
	// at the providers (the redirect_uri).
	CallbackURL string
	// Policy sets MaxAttempts and TTL of verifications.
	Policy verification.Policy
	// Limits bound how many accounts one user can have and start.
	Limits Limits
	// LinkByEmail, when set, lets a sign-in with a new identity link to the
	// host user with the same verified email address; see EmailLinking
	// for the conditions. Off by default.
	LinkByEmail *EmailLinking
	// AbandonAfter is how long after its verification expired a
	// never-verified account is removed by Sweep. Default:
	// DefaultAbandonAfter.
	AbandonAfter time.Duration
	// FlowRetention is how long a store keeps a flow after its
	// verification expires, so that a late callback is reported as
	// verification_expired rather than as an unknown state. Default: the
	// policy's TTL.
	FlowRetention time.Duration
	// Now is the clock. Default: time.Now.
	Now func() time.Time
	// NewID makes account and identification ids. Default: NewID.
	NewID func(prefix string) string
	// Logger receives one line per outcome, never a secret. Default: no
	// logging.
	Logger *slog.Logger
	// OnEvent, when set, observes every committed change to an account
	// (see Event). It runs synchronously on the goroutine that made the
	// change, after the store write, holding no lock: keep it fast (append
	// to an outbox or a channel) and never block on the Service. A panic
	// in it is recovered and logged.
	OnEvent func(context.Context, Event)
	// TracerProvider and MeterProvider, when set, receive a span per
	// Service operation (with a child span per store call) and the
	// metrics tether.flows.started, tether.flows.completed,
	// tether.token.refreshes and tether.operation.duration. Spans and
	// metrics carry ids, providers and error codes, never a secret or a
	// user's profile. Nil (the default) costs nothing.
	TracerProvider trace.TracerProvider
	MeterProvider  metric.MeterProvider
	// RefreshLease is how long one process may hold an account's refresh
	// lease: the bound on its refresh call to the provider, and how long
	// other processes wait when the holder dies. Default:
	// DefaultRefreshLease.
	RefreshLease time.Duration
	// WriteTimeout bounds the store writes that record a callback's outcome
	// after its flow was taken. They run even when the request's context is
	// cancelled, so that a consumed flow never leaves its outcome unwritten.
	// Default: 10s.
	WriteTimeout time.Duration
}

// Service implements the use cases of external accounts: Connect, Complete,
// Reauthorize, List and ListPage, Get, Destroy; SignIn, SignUp and their
// transfers; AccessToken, ProviderTokens, RevokeTokens and Reseal; Sweep
// and Run; and the Admin view. It seals tokens and flow secrets, hashes
// states and applies the verification state machine once, so stores stay
// small.
//
// A Service is safe for concurrent use.
type Service struct {
	accounts     AccountStore
	tokens       TokenStore
	flows        FlowStore
	flowWriter   FlowWriter // accounts and flows in one store, or nil
	providers    *provider.Registry
	keyring      *Keyring
	callbackURL  string
	policy       verification.Policy
	limits       Limits
	emailLinking *EmailLinking
	abandonAfter time.Duration
	retention    time.Duration
	now          func() time.Time
	newID        func(string) string
	log          *slog.Logger
	onEvent      func(context.Context, Event)
	tel          *telemetry
	writeTimeout time.Duration
	refreshLease time.Duration
	holder       string // this Service's name in refresh leases
	refreshes    singleFlight
	completing   sync.Map // state hashes of the callbacks in progress
}

// New returns a Service for cfg, or an error naming what is missing.
func New(cfg Config) (*Service, error) {
	s := &Service{
		accounts:     cfg.Accounts,
		tokens:       cfg.Tokens,
		flows:        cfg.Flows,
		providers:    cfg.Providers,
		keyring:      cfg.Keyring,
		callbackURL:  cfg.CallbackURL,
		policy:       cfg.Policy,
		limits:       cfg.Limits.withDefaults(),
		emailLinking: cfg.LinkByEmail,
		abandonAfter: cfg.AbandonAfter,
		retention:    cfg.FlowRetention,
		now:          cfg.Now,
		newID:        cfg.NewID,
		log:          cfg.Logger,
		onEvent:      cfg.OnEvent,
		writeTimeout: cfg.WriteTimeout,
		refreshLease: cfg.RefreshLease,
		holder:       NewID("svc_"),
	}
	switch {
	case s.accounts == nil:
		return nil, errors.New("account: Config.Accounts is required")
	case s.flows == nil:
		return nil, errors.New("account: Config.Flows is required")
	case s.providers == nil:
		return nil, errors.New("account: Config.Providers is required")
	case s.keyring == nil:
		return nil, errors.New("account: Config.Keyring is required")
	}
	if s.tokens == nil {
		ts, ok := s.accounts.(TokenStore)
		if !ok {
			return nil, errors.New("account: Config.Tokens is required when Config.Accounts does not store tokens")
		}
		s.tokens = ts
	}
	if fw, ok := cfg.Accounts.(FlowWriter); ok && sameValue(cfg.Accounts, cfg.Flows) {
		s.flowWriter = fw
	}
	tel, err := newTelemetry(cfg.TracerProvider, cfg.MeterProvider)
	if err != nil {
		return nil, fmt.Errorf("account: telemetry: %w", err)
	}
	s.tel = tel
	if cfg.TracerProvider != nil {
		tr := tel.tracer
		s.accounts = tracedAccounts{AccountStore: s.accounts, tr: tr}
		s.tokens = tracedTokens{TokenStore: s.tokens, tr: tr}
		s.flows = tracedFlows{FlowStore: s.flows, tr: tr}
		if s.flowWriter != nil {
			s.flowWriter = tracedFlowWriter{FlowWriter: s.flowWriter, tr: tr}
		}
	}
	s.accounts = sealingAccounts{AccountStore: s.accounts, kr: s.keyring}
	if s.abandonAfter <= 0 {
		s.abandonAfter = DefaultAbandonAfter
	}
	u, err := url.Parse(s.callbackURL)
	if err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" || u.User != nil || u.Fragment != "" {
		return nil, fmt.Errorf("account: Config.CallbackURL %q must be an absolute http(s) URL without userinfo or fragment", s.callbackURL)
	}
	if s.retention <= 0 {
		s.retention = s.policy.Lifetime()
	}
	if s.now == nil {
		s.now = time.Now
	}
	if s.newID == nil {
		s.newID = NewID
	}
	if s.log == nil {
		s.log = slog.New(slog.DiscardHandler)
	}
	if s.refreshLease <= 0 {
		s.refreshLease = DefaultRefreshLease
	}
	if s.writeTimeout <= 0 {
		s.writeTimeout = 10 * time.Second
	}
	s.refreshes.timeout = 2*s.refreshLease + 2*s.writeTimeout
	return s, nil
}

// clock returns the current time at the wire's millisecond precision.
func (s *Service) clock() time.Time { return s.now().UTC().Truncate(time.Millisecond) }

// Policy returns the verification policy in effect.
func (s *Service) Policy() verification.Policy { return s.policy }

// CallbackURL returns the absolute URL of the OAuth callback.
func (s *Service) CallbackURL() string { return s.callbackURL }

// FlowLifetime returns how long a flow is kept after it starts: the
// verification TTL plus the flow retention. A browser-binding cookie should
// live at least this long.
func (s *Service) FlowLifetime() time.Duration { return s.policy.Lifetime() + s.retention }

// randomToken returns 256 bits from crypto/rand, base64url without padding
// (43 characters: a valid RFC 7636 verifier, state and nonce).
func randomToken() string {
	var b [32]byte
	rand.Read(b[:])
	return base64.RawURLEncoding.EncodeToString(b[:])
}

// hashKey is how states and binding values are stored: hex SHA-256.
func hashKey(secret string) string {
	sum := sha256.Sum256([]byte(secret))
	return hex.EncodeToString(sum[:])
}

// s256 is the RFC 7636 S256 code challenge of verifier.
func s256(verifier string) string {
	sum := sha256.Sum256([]byte(verifier))
	return base64.RawURLEncoding.EncodeToString(sum[:])
}

func equalHashes(a, b string) bool { return subtle.ConstantTimeCompare([]byte(a), []byte(b)) == 1 }

// detached returns a context for the writes that must happen once a flow is
// consumed: it keeps ctx's values, not its cancellation.
func (s *Service) detached(ctx context.Context) (context.Context, context.CancelFunc) {
	return context.WithTimeout(context.WithoutCancel(ctx), s.writeTimeout)
}
