package providertest

import (
	"context"
	"errors"
	"fmt"
	"html"
	"io"
	"net/http"
	"net/url"
	"regexp"
)

// Authorize plays the browser in an authorization code flow: it requests
// authURL (a provider's authorization URL, as a client built it) with client,
// does not follow the provider's redirect, and returns the callback URL the
// provider redirected to, with its code, state and iss parameters, or its
// error. A nil client means http.DefaultClient.
//
// The provider must approve without a form: sign a user in with
// [Handler.SetLogin] first. Authorize fails when the provider answers
// without redirecting: with the sign-in form, or with an error page, whose
// error it reports.
func Authorize(ctx context.Context, client *http.Client, authURL string) (*url.URL, error) {
	if client == nil {
		client = http.DefaultClient
	}
	c := *client
	c.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, authURL, nil)
	if err != nil {
		return nil, fmt.Errorf("providertest: authorization request: %w", err)
	}
	resp, err := c.Do(req)
	if err != nil {
		return nil, fmt.Errorf("providertest: authorization request: %w", err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	if err != nil {
		return nil, fmt.Errorf("providertest: authorization response: %w", err)
	}
	switch resp.StatusCode {
	case http.StatusFound, http.StatusSeeOther:
		loc, err := resp.Location()
		if err != nil {
			return nil, fmt.Errorf("providertest: authorization response: %w", err)
		}
		return loc, nil
	case http.StatusOK:
		return nil, errors.New("providertest: the provider showed its sign-in form: sign a user in with SetLogin")
	}
	if m := errorPagePattern.FindSubmatch(body); m != nil {
		return nil, fmt.Errorf("providertest: authorization request refused (%s): %s",
			html.UnescapeString(string(m[1])), html.UnescapeString(string(m[2])))
	}
	return nil, fmt.Errorf("providertest: authorization endpoint answered %s without redirecting", resp.Status)
}

// errorPagePattern finds the error code and description in errorTemplate.
var errorPagePattern = regexp.MustCompile(`(?s)data-error="([^"]*)".*?<p id="description">([^<]*)</p>`)
