package account

import (
	"log/slog"

	"github.com/tetherauth/tether/verification"
)

// The levels of the Service's log lines: one line per outcome.
const (
	levelInfo  = slog.LevelInfo
	levelWarn  = slog.LevelWarn
	levelError = slog.LevelError
)

// accountAttrs are what a log line may say about an account: ids, provider
// and verification outcome. Never a token, state, code, verifier or nonce,
// and no personal data (email, names).
func accountAttrs(a *ExternalAccount) []slog.Attr {
	attrs := []slog.Attr{
		slog.String("account_id", a.ID),
		slog.String("user_id", a.UserID),
		slog.String("provider", a.Provider.String()),
		slog.String("status", string(a.Verification.Status)),
		slog.Int("attempts", a.Verification.Attempts),
	}
	if a.Verification.Error != nil {
		attrs = append(attrs, slog.String("verification_error", a.Verification.Error.Code))
	}
	return attrs
}

// errAttr logs an error by its code only: causes may come from drivers or
// providers and are not logged.
func errAttr(err error) slog.Attr {
	return slog.String("error", verification.AsError(err).Code)
}

// attemptAttrs are what a log line may say about a sign-in or sign-up:
// ids, provider and outcome, never the held identity.
func attemptAttrs(a *Attempt) []slog.Attr {
	attrs := []slog.Attr{
		slog.String("attempt_id", a.ID),
		slog.String("provider", a.Verification.Strategy.String()),
		slog.String("status", string(a.Verification.Status)),
	}
	if a.UserID != "" {
		attrs = append(attrs, slog.String("user_id", a.UserID))
	}
	return attrs
}
