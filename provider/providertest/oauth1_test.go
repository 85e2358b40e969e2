package providertest

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/dghubble/oauth1"
)

// The fake's signature check is its own implementation of RFC 5849 section
// 3.4; these published examples prove it.
func TestOAuth1SignaturePublishedExamples(t *testing.T) {
	// RFC 5849 section 1.2: the photos example, header and signature.
	hdr := `OAuth realm="Photos", oauth_consumer_key="dpf43f3p2l4k3l03", oauth_token="nnch734d00sl2jdk", ` +
		`oauth_signature_method="HMAC-SHA1", oauth_timestamp="137131202", oauth_nonce="chapoH", ` +
		`oauth_signature="MdpQcU8iPSUjWoN%2FUDMsK2sui9I%3D"`
	oauth, err := parseOAuthHeader(hdr)
	if err != nil {
		t.Fatal(err)
	}
	r, _ := http.NewRequest(http.MethodGet, "http://photos.example.net/photos?file=vacation.jpg&size=original", nil)
	params, err := requestParams(r, oauth)
	if err != nil {
		t.Fatal(err)
	}
	base := oauth1BaseString("GET", "http://photos.example.net/photos", params)
	if got := oauth1SignHMACSHA1(base, "kd94hf93k423kf44", "pfkkdhi9sl3r4s00"); got != oauth.Get("oauth_signature") || got != "MdpQcU8iPSUjWoN/UDMsK2sui9I=" {
		t.Errorf("RFC 5849 1.2 signature %q", got)
	}

	// RFC 5849 section 3.4.1.1: the signature base string of a request
	// with repeated, empty and encoded parameters in query, body and
	// header (realm and oauth_signature left out).
	r, _ = http.NewRequest(http.MethodPost, "http://example.com/request?b5=%3D%253D&a3=a&c%40=&a2=r%20b", strings.NewReader("c2&a3=2+q"))
	r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	oauth, err = parseOAuthHeader(`OAuth realm="Example", oauth_consumer_key="9djdj82h48djs9d2", oauth_token="kkk9d7dh3k39sjv7", ` +
		`oauth_signature_method="HMAC-SHA1", oauth_timestamp="137131201", oauth_nonce="7d8f3e4a", oauth_signature="bYT5CMsGcbgUdFHObYMEfcx6bsw%3D"`)
	if err != nil {
		t.Fatal(err)
	}
	if params, err = requestParams(r, oauth); err != nil {
		t.Fatal(err)
	}
	const want = "POST&http%3A%2F%2Fexample.com%2Frequest&a2%3Dr%2520b%26a3%3D2%2520q%26a3%3Da%26b5%3D%253D%25253D%26c%2540%3D%26c2%3D%26oauth_consumer_key%3D9djdj82h48djs9d2%26oauth_nonce%3D7d8f3e4a%26oauth_signature_method%3DHMAC-SHA1%26oauth_timestamp%3D137131201%26oauth_token%3Dkkk9d7dh3k39sjv7"
	if got := oauth1BaseString("POST", "HTTP://Example.com:80/request", params); got != want {
		t.Errorf("RFC 5849 3.4.1.1 base string\n got %s\nwant %s", got, want)
	}

	// X's "Creating a signature" page
	// (https://developer.x.com/en/docs/authentication/oauth-1-0a/creating-a-signature).
	params = url.Values{
		"status": {"Hello Ladies + Gentlemen, a signed OAuth request!"}, "include_entities": {"true"},
		"oauth_consumer_key": {"xvz1evFS4wEEPTGEFPHBog"}, "oauth_nonce": {"kYjzVBB8Y0ZFabxSWbWovY3uYSQ2pTgmZeNu2VS4cg"},
		"oauth_signature_method": {"HMAC-SHA1"}, "oauth_timestamp": {"1318622958"},
		"oauth_token": {"370773112-GmHxMAgYyLbNEtIKZeRNFsMKPR9EyMZeS9weJAEb"}, "oauth_version": {"1.0"},
	}
	base = oauth1BaseString("POST", "https://api.twitter.com/1.1/statuses/update.json", params)
	if got := oauth1SignHMACSHA1(base, "kAcSOqF21Fu85e7zjz7ZN2U4ZRhfV3WpwPAoE3Z7kBw", "LswwdoUaIvS8ltyTt5jkRh4J50vUPVVHtR2YPi5kE"); got != "hCtSmYh+iHYCEqBWrE7C7hYmtUk=" {
		t.Errorf("X's example signature %q", got)
	}
	if got := oauth1Encode("Ladies + Gentlemen, ☃~"); got != "Ladies%20%2B%20Gentlemen%2C%20%E2%98%83~" {
		t.Errorf("percent-encoding %q", got)
	}
}

// recorder keeps the last request it sent (all of them bodiless), so that
// a test can replay it.
type recorder struct{ last *http.Request }

func (rec *recorder) RoundTrip(r *http.Request) (*http.Response, error) {
	rec.last = r.Clone(r.Context())
	return http.DefaultTransport.RoundTrip(r)
}

func (rec *recorder) replay(t *testing.T) int {
	t.Helper()
	resp, err := http.DefaultTransport.RoundTrip(rec.last.Clone(context.Background()))
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	return resp.StatusCode
}

// A full three-legged flow with an independent client (dghubble/oauth1).
func TestOAuth1Flow(t *testing.T) {
	s := NewOAuth1(t, OAuth1Config{})
	key, secret := s.Consumer()
	s.AddUser(OAuth1User{ID: "1790000000000000001", ScreenName: "alice", Name: "Alice Liddell", Email: "alice@example.com"})
	rec := &recorder{}
	cfg := &oauth1.Config{
		ConsumerKey: key, ConsumerSecret: secret,
		CallbackURL: "http://app.example/cb?state=s1&next=%2Fhome",
		Endpoint: oauth1.Endpoint{
			RequestTokenURL: s.URL + "/oauth/request_token",
			AuthorizeURL:    s.URL + "/oauth/authenticate",
			AccessTokenURL:  s.URL + "/oauth/access_token",
		},
		HTTPClient: &http.Client{Transport: rec},
	}
	rt, rs, err := cfg.RequestToken()
	if err != nil {
		t.Fatal(err)
	}
	if got := rec.replay(t); got != http.StatusUnauthorized {
		t.Errorf("replayed request_token (reused nonce): HTTP %d", got)
	}
	authURL, _ := cfg.AuthorizationURL(rt)
	if _, err := s.Approve(authURL.String(), "nobody"); err == nil {
		t.Error("approved as an unknown user")
	}
	cb, err := s.Approve(authURL.String(), "1790000000000000001")
	if err != nil {
		t.Fatal(err)
	}
	cu, _ := url.Parse(cb)
	q := cu.Query()
	if q.Get("state") != "s1" || q.Get("next") != "/home" || q.Get("oauth_token") != rt || q.Get("oauth_verifier") == "" {
		t.Fatalf("callback %s", cb)
	}
	if _, err := s.Approve(authURL.String(), "1790000000000000001"); err == nil {
		t.Error("approved twice")
	}
	if _, _, err := cfg.AccessToken(rt, "wrong-secret", q.Get("oauth_verifier")); err == nil {
		t.Error("access_token signed with a wrong request token secret")
	}
	at, as, err := cfg.AccessToken(rt, rs, q.Get("oauth_verifier"))
	if err != nil {
		t.Fatal(err)
	}
	if _, _, err := cfg.AccessToken(rt, rs, q.Get("oauth_verifier")); err == nil {
		t.Error("the verifier was redeemed twice")
	}

	client := cfg.Client(context.WithValue(context.Background(), oauth1.HTTPClient, &http.Client{Transport: rec}), oauth1.NewToken(at, as))
	resp, err := client.Get(s.URL + "/1.1/account/verify_credentials.json?include_email=true&skip_status=true&include_entities=false")
	if err != nil {
		t.Fatal(err)
	}
	u := decode(t, resp)
	if resp.StatusCode != http.StatusOK || u["id"] != json.Number("1790000000000000001") || u["id_str"] != "1790000000000000001" ||
		u["screen_name"] != "alice" || u["email"] != "alice@example.com" || u["status"] != nil {
		t.Fatalf("verify_credentials: %d %v", resp.StatusCode, u)
	}
	if got := rec.replay(t); got != http.StatusUnauthorized {
		t.Errorf("replayed verify_credentials: HTTP %d", got)
	}

	resp, err = client.Post(s.URL+"/1.1/oauth/invalidate_token", "", nil)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if c, _ := s.Lookup(at); resp.StatusCode != http.StatusOK || !c.Revoked || s.Stats().Revocations != 1 {
		t.Errorf("invalidate_token: %d %+v", resp.StatusCode, c)
	}
	resp, err = client.Get(s.URL + "/1.1/account/verify_credentials.json")
	if err != nil {
		t.Fatal(err)
	}
	if e := decode(t, resp); resp.StatusCode != http.StatusUnauthorized || fmt.Sprint(e["errors"]) != "[map[code:89 message:Invalid or expired token.]]" {
		t.Errorf("revoked token: %d %v", resp.StatusCode, e)
	}
	var kinds []string
	for _, c := range s.Credentials("") {
		kinds = append(kinds, c.Kind)
	}
	sort.Strings(kinds)
	st := s.Stats()
	if fmt.Sprint(kinds) != "[temporary token]" || len(s.Credentials("token")) != 1 || st.SignatureFailures < 3 || st.Requests["/oauth/access_token"] != 3 {
		t.Errorf("credentials %q, stats %+v", kinds, st)
	}
}

func TestOAuth1Refusals(t *testing.T) {
	// The fake's clock is an hour ahead of the client's: a stale timestamp.
	late := NewOAuth1(t, OAuth1Config{Now: func() time.Time { return time.Now().Add(time.Hour) }})
	key, secret := late.Consumer()
	cfg := &oauth1.Config{
		ConsumerKey: key, ConsumerSecret: secret, CallbackURL: "http://app.example/cb",
		Endpoint: oauth1.Endpoint{RequestTokenURL: late.URL + "/oauth/request_token"},
	}
	if _, _, err := cfg.RequestToken(); err == nil || !strings.Contains(err.Error(), `"code":32`) || late.Stats().SignatureFailures != 1 {
		t.Errorf("stale timestamp: %v", err)
	}
	s := NewOAuth1(t, OAuth1Config{})
	s.AddUser(OAuth1User{ID: "7", ScreenName: "bob"})
	cfg.Endpoint.RequestTokenURL = s.URL + "/oauth/request_token"
	cfg.ConsumerSecret = "not-the-secret"
	if _, _, err := cfg.RequestToken(); err == nil || s.Stats().SignatureFailures != 1 {
		t.Error("wrong consumer secret accepted")
	}
	cfg.ConsumerSecret = secret
	cfg.CallbackURL = ""
	if _, _, err := cfg.RequestToken(); err == nil {
		t.Error("request_token without oauth_callback accepted")
	}
	cfg.CallbackURL = "http://app.example/cb?state=x"
	rt, _, err := cfg.RequestToken()
	if err != nil {
		t.Fatal(err)
	}
	// The HTTP page: nobody signed in, then approval by redirect, through
	// Authorize; a denied token's callback says denied.
	s.SetLogin("7")
	cb, err := Authorize(context.Background(), nil, s.URL+"/oauth/authorize?oauth_token="+url.QueryEscape(rt)+"&force_login=true")
	if err != nil {
		t.Fatal(err)
	}
	if cb.Query().Get("oauth_token") != rt || cb.Query().Get("state") != "x" || s.LastAuthorize().Get("force_login") != "true" {
		t.Errorf("callback %s", cb)
	}
	rt2, _, err := cfg.RequestToken()
	if err != nil {
		t.Fatal(err)
	}
	denied, err := s.Deny(s.URL + "/oauth/authenticate?oauth_token=" + url.QueryEscape(rt2))
	if err != nil || !strings.Contains(denied, "denied="+url.QueryEscape(rt2)) || !strings.Contains(denied, "state=x") {
		t.Errorf("deny: %s %v", denied, err)
	}
	if _, err := s.Approve("http://elsewhere.example/oauth/authenticate?oauth_token="+rt2, "7"); err == nil {
		t.Error("approved another server's URL")
	}

	unconfirmed := NewOAuth1(t, OAuth1Config{CallbackUnconfirmed: true})
	cfg.Endpoint.RequestTokenURL = unconfirmed.URL + "/oauth/request_token"
	if _, _, err := cfg.RequestToken(); err == nil {
		t.Error("oauth_callback_confirmed missing, yet accepted")
	}
}

// decode decodes a JSON response, numbers as json.Number, and closes it.
func decode(t *testing.T, resp *http.Response) map[string]any {
	t.Helper()
	defer resp.Body.Close()
	dec := json.NewDecoder(resp.Body)
	dec.UseNumber()
	var m map[string]any
	if err := dec.Decode(&m); err != nil {
		t.Fatal(err)
	}
	return m
}
