package main

import (
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"net/http"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/tetherauth/tether/account"
)

// The demo's users are names: there are no passwords, and a user exists from
// its first sign-in. Its id, given to Tether, is derived from the name, so a
// user finds its external accounts again after a restart.

// usernamePattern is what a username may be: it becomes part of a user id
// and of a cookie, so it is kept short and plain.
var usernamePattern = regexp.MustCompile(`^[a-z0-9][a-z0-9._-]{0,31}$`)

// usernameRule explains usernamePattern to people.
const usernameRule = "A username is 1 to 32 characters: lowercase letters, digits, '.', '_' and '-', starting with a letter or digit."

// normalizeUsername trims and lowercases raw and reports whether the result
// is a valid username.
func normalizeUsername(raw string) (string, bool) {
	name := strings.ToLower(strings.TrimSpace(raw))
	return name, usernamePattern.MatchString(name)
}

// userID is the host user id Tether stores for a username: stable across
// restarts.
func userID(username string) string { return "user_" + username }

// sessionTTL is how long a sign-in lasts.
const sessionTTL = 7 * 24 * time.Hour

// sessions are signed cookies: "<username>.<expiry unix>.<HMAC-SHA256>".
// Nothing is stored on the server, so a session survives a restart when
// the key does (TETHER_SESSION_KEY).
type sessions struct {
	key    []byte
	name   string
	secure bool
	now    func() time.Time
}

// newSessions returns the session cookies of a server at a base URL whose
// scheme is https when secure. A nil key means a random one.
func newSessions(key []byte, secure bool) *sessions {
	if key == nil {
		key = make([]byte, 32)
		_, _ = rand.Read(key) // crypto/rand never fails (Go 1.24+)
	}
	name := "tether_demo_session"
	if secure {
		// __Host-: only this origin can set it, over https, for the whole site.
		name = "__Host-" + name
	}
	return &sessions{key: key, name: name, secure: secure, now: time.Now}
}

func (s *sessions) mac(payload string) string {
	m := hmac.New(sha256.New, s.key)
	m.Write([]byte("tether-demo-session\x00" + payload))
	return base64.RawURLEncoding.EncodeToString(m.Sum(nil))
}

// start signs username in on w.
func (s *sessions) start(w http.ResponseWriter, username string) {
	exp := s.now().Add(sessionTTL)
	payload := username + "." + strconv.FormatInt(exp.Unix(), 10)
	http.SetCookie(w, &http.Cookie{
		Name:     s.name,
		Value:    payload + "." + s.mac(payload),
		Path:     "/",
		Expires:  exp,
		MaxAge:   int(sessionTTL / time.Second),
		HttpOnly: true,
		Secure:   s.secure,
		SameSite: http.SameSiteLaxMode,
	})
}

// end signs the browser out.
func (s *sessions) end(w http.ResponseWriter) {
	http.SetCookie(w, &http.Cookie{
		Name: s.name, Value: "", Path: "/", MaxAge: -1,
		HttpOnly: true, Secure: s.secure, SameSite: http.SameSiteLaxMode,
	})
}

// errNoSession is any request without a valid session cookie.
var errNoSession = errors.New("not signed in")

// username returns the signed-in user of r.
func (s *sessions) username(r *http.Request) (string, error) {
	c, err := r.Cookie(s.name)
	if err != nil {
		return "", errNoSession
	}
	i := strings.LastIndexByte(c.Value, '.')
	if i < 0 {
		return "", errNoSession
	}
	payload, sig := c.Value[:i], c.Value[i+1:]
	if !hmac.Equal([]byte(sig), []byte(s.mac(payload))) {
		return "", errNoSession
	}
	j := strings.LastIndexByte(payload, '.')
	if j < 0 {
		return "", errNoSession
	}
	name, expRaw := payload[:j], payload[j+1:]
	exp, err := strconv.ParseInt(expRaw, 10, 64)
	if err != nil || !s.now().Before(time.Unix(exp, 0)) || !usernamePattern.MatchString(name) {
		return "", errNoSession
	}
	return name, nil
}

// userID is httpadapter.Options.UserID: the Tether user id of r's session.
func (s *sessions) userID(r *http.Request) (string, error) {
	name, err := s.username(r)
	if err != nil {
		return "", err
	}
	return userID(name), nil
}

// startSession is httpadapter.SignInOptions.StartSession: a sign-in with a
// provider signs the user in with a new session cookie (a new value, so a
// session id planted before the sign-in is not kept).
func (a *app) startSession(w http.ResponseWriter, r *http.Request, userID string) error {
	name, ok := strings.CutPrefix(userID, "user_")
	if !ok || !usernamePattern.MatchString(name) {
		return errors.New("not a demo user id")
	}
	a.sessions.start(w, name)
	a.log.Info("signed in with a provider", "user_id", userID)
	return nil
}

// createUser is httpadapter.SignInOptions.CreateUser: the demo's sign-up
// from a verified identity. The username comes from the provider's
// username, else the email's local part, made valid and unique: a name
// that already has external accounts gets a numbered suffix.
func (a *app) createUser(r *http.Request, id *account.HeldIdentity) (string, error) {
	base := id.Username
	if base == "" {
		base, _, _ = strings.Cut(id.EmailAddress, "@")
	}
	base = usernameFrom(base)
	for i := 1; i <= 100; i++ {
		name := base
		if i > 1 {
			suffix := "-" + strconv.Itoa(i)
			name = base[:min(len(base), 32-len(suffix))] + suffix
		}
		as, err := a.svc.List(r.Context(), userID(name))
		if err != nil {
			return "", err
		}
		if len(as) == 0 && !a.seen(name) {
			a.remember(name)
			return userID(name), nil
		}
	}
	return "", errors.New("no free username")
}

// usernameFrom turns any text into a valid username.
func usernameFrom(raw string) string {
	var b strings.Builder
	for _, r := range strings.ToLower(raw) {
		switch {
		case r >= 'a' && r <= 'z', r >= '0' && r <= '9', r == '.', r == '_', r == '-':
			b.WriteRune(r)
		default:
			b.WriteByte('-')
		}
	}
	name := strings.Trim(b.String(), ".-_")
	if len(name) > 32 {
		name = name[:32]
	}
	if !usernamePattern.MatchString(name) {
		name = "user"
	}
	return name
}
