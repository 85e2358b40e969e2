package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"net/url"
	"strings"
	"time"

	"github.com/tetherauth/tether/verification"
)

// Defaults of the flags.
const (
	defaultAddr = "127.0.0.1:8080"
	defaultDB   = "tether-demo.db"
)

// minSessionKeyLen is the shortest TETHER_SESSION_KEY accepted: the HMAC key
// of the session cookies.
const minSessionKeyLen = 32

// config is everything the demo reads from its flags and environment.
type config struct {
	// Addr is where the server listens.
	Addr string
	// BaseURL is the URL browsers reach the server at, without a trailing
	// slash; "" means http:// and the listener's address.
	BaseURL string
	// DB is the SQLite file, and the directory of the key file.
	DB string
	// Store, when set, is a postgres:// or redis:// URL that replaces the
	// SQLite file.
	Store string
	// Keys is TETHER_KEYS, in account.ParseKeyring's form; "" means the key
	// file next to DB.
	Keys string
	// SessionKey is TETHER_SESSION_KEY; "" means a random key per start.
	SessionKey string
	// TraceStdout prints the Service's OpenTelemetry spans to standard
	// output (a build with -tags trace).
	TraceStdout bool

	Google credentials
	GitHub credentials
	OIDC   genericOIDC

	// CleanupEvery is how often the Service sweeps expired flows and
	// abandoned accounts (account.Service.Run).
	CleanupEvery time.Duration
	// ShutdownTimeout bounds how long shutdown waits for requests in flight.
	ShutdownTimeout time.Duration
}

// credentials are a client's id and secret at a provider.
type credentials struct{ ID, Secret string }

func (c credentials) set() bool { return c.ID != "" }

// genericOIDC is the OIDC_* provider.
type genericOIDC struct {
	Issuer, ClientID, ClientSecret string
	Strategy                       verification.Strategy
	Scopes                         []string
}

// environment lists the variables the demo reads, for the usage message.
const environment = `
Environment:
  TETHER_DB            the SQLite file (as -db)
  TETHER_STORE         a postgres:// or redis:// URL (as -store; PostgreSQL needs -tags postgres,
                       Redis -tags redis)
  TETHER_KEYS          token-sealing keys, "id:base64[,id:base64...]"; default: a key
                       file created next to the database (<db without extension>.keys)
  TETHER_SESSION_KEY   HMAC key of the session cookies, at least 32 characters;
                       default: random per start (sessions end on restart)
  GOOGLE_CLIENT_ID, GOOGLE_CLIENT_SECRET    enable Google (oauth_google)
  GITHUB_CLIENT_ID, GITHUB_CLIENT_SECRET    enable GitHub (oauth_github)
  OIDC_ISSUER, OIDC_CLIENT_ID, OIDC_CLIENT_SECRET
                       enable any OpenID Connect provider (oauth_custom_<OIDC_SLUG>)
  OIDC_SLUG            its slug (default "oidc"); OIDC_SCOPES: space-separated scopes

Register <base-url>/identity/oauth_callback as the redirect URI at each provider.
`

// parseConfig reads the flags in args and the variables getenv returns.
// Flags win over the environment. Usage goes to out.
func parseConfig(args []string, getenv func(string) string, out io.Writer) (config, error) {
	cfg := config{
		Keys:            getenv("TETHER_KEYS"),
		SessionKey:      getenv("TETHER_SESSION_KEY"),
		Google:          credentials{getenv("GOOGLE_CLIENT_ID"), getenv("GOOGLE_CLIENT_SECRET")},
		GitHub:          credentials{getenv("GITHUB_CLIENT_ID"), getenv("GITHUB_CLIENT_SECRET")},
		CleanupEvery:    5 * time.Minute,
		ShutdownTimeout: 10 * time.Second,
	}
	db := getenv("TETHER_DB")
	if db == "" {
		db = defaultDB
	}

	fs := flag.NewFlagSet("monolith", flag.ContinueOnError)
	fs.SetOutput(out)
	fs.StringVar(&cfg.Addr, "addr", defaultAddr, "listen address (port 0 picks a free port)")
	fs.StringVar(&cfg.BaseURL, "base-url", "", "URL browsers use to reach the server (default http:// + the address listened on)")
	fs.StringVar(&cfg.DB, "db", db, "SQLite database file (env TETHER_DB)")
	fs.BoolVar(&cfg.TraceStdout, "trace-stdout", false, "print OpenTelemetry spans of Tether's operations, store calls and provider requests to stdout (needs go run -tags trace)")
	// TETHER_STORE is not the flag's default: usage would print it, with
	// its password.
	fs.StringVar(&cfg.Store, "store", "", "postgres://… or redis://… URL to use instead of SQLite (env TETHER_STORE; PostgreSQL needs go run -tags postgres, Redis -tags redis)")
	fs.Usage = func() {
		fmt.Fprintf(fs.Output(), "Usage: go run ./examples/monolith [flags]\n\nThe Tether demo: a web app that links its users to accounts at OAuth/OIDC providers.\n\nFlags:\n")
		fs.PrintDefaults()
		fmt.Fprint(fs.Output(), environment)
	}
	if err := fs.Parse(args); err != nil {
		return config{}, err
	}
	if fs.NArg() > 0 {
		return config{}, fmt.Errorf("unexpected arguments %q", fs.Args())
	}
	if !flagSet(fs, "store") {
		cfg.Store = getenv("TETHER_STORE")
	}
	if cfg.DB == "" {
		return config{}, errors.New("-db must name a file")
	}
	if cfg.BaseURL != "" {
		base, err := parseBaseURL(cfg.BaseURL)
		if err != nil {
			return config{}, err
		}
		cfg.BaseURL = base
	}
	if cfg.SessionKey != "" && len(cfg.SessionKey) < minSessionKeyLen {
		return config{}, fmt.Errorf("TETHER_SESSION_KEY must be at least %d characters", minSessionKeyLen)
	}
	for _, c := range []struct {
		name string
		c    credentials
	}{{"GOOGLE", cfg.Google}, {"GITHUB", cfg.GitHub}} {
		if (c.c.ID == "") != (c.c.Secret == "") {
			return config{}, fmt.Errorf("set both %s_CLIENT_ID and %s_CLIENT_SECRET, or neither", c.name, c.name)
		}
	}
	var err error
	if cfg.OIDC, err = parseGenericOIDC(getenv); err != nil {
		return config{}, err
	}
	return cfg, nil
}

// flagSet reports whether the command line set the flag name.
func flagSet(fs *flag.FlagSet, name string) bool {
	set := false
	fs.Visit(func(f *flag.Flag) { set = set || f.Name == name })
	return set
}

// parseGenericOIDC reads the OIDC_* variables.
func parseGenericOIDC(getenv func(string) string) (genericOIDC, error) {
	o := genericOIDC{
		Issuer:       getenv("OIDC_ISSUER"),
		ClientID:     getenv("OIDC_CLIENT_ID"),
		ClientSecret: getenv("OIDC_CLIENT_SECRET"),
		Scopes:       strings.Fields(getenv("OIDC_SCOPES")),
	}
	slug := getenv("OIDC_SLUG")
	if o.Issuer == "" {
		for _, v := range []string{"OIDC_CLIENT_ID", "OIDC_CLIENT_SECRET", "OIDC_SLUG", "OIDC_SCOPES"} {
			if getenv(v) != "" {
				return genericOIDC{}, fmt.Errorf("%s is set but OIDC_ISSUER is not", v)
			}
		}
		return genericOIDC{}, nil
	}
	if o.ClientID == "" || o.ClientSecret == "" {
		return genericOIDC{}, errors.New("OIDC_ISSUER needs OIDC_CLIENT_ID and OIDC_CLIENT_SECRET")
	}
	if slug == "" {
		slug = "oidc"
	}
	if slug == devSlug {
		return genericOIDC{}, fmt.Errorf("OIDC_SLUG %q is the offline dev provider's; choose another", slug)
	}
	s, err := verification.Custom(slug)
	if err != nil {
		return genericOIDC{}, fmt.Errorf("OIDC_SLUG %q: 1 to 64 characters of a-z, 0-9, '_' and '-'", slug)
	}
	o.Strategy = s
	return o, nil
}

// parseBaseURL checks a -base-url: an http(s) origin, nothing after it but
// an optional "/". It returns the URL without the trailing slash.
func parseBaseURL(raw string) (string, error) {
	u, err := url.Parse(raw)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || u.User != nil ||
		(u.Path != "" && u.Path != "/") || u.RawQuery != "" || u.Fragment != "" || u.Opaque != "" {
		return "", fmt.Errorf("-base-url %q: want an origin such as https://demo.example.com (the demo serves from the root)", raw)
	}
	return u.Scheme + "://" + u.Host, nil
}
