package verification_test

import (
	"errors"
	"fmt"
	"time"

	"github.com/tetherauth/tether/verification"
)

func ExamplePolicy() {
	p := verification.Policy{MaxAttempts: 2}
	start := time.Date(2026, 11, 25, 12, 0, 0, 0, time.UTC)
	github := verification.MustParseStrategy("oauth_github")

	v := p.Start(github, "https://github.com/login/oauth/authorize?…", "flow-1", start)
	fmt.Println(v.Status, v.Attempts)

	// The user pressed "Cancel" at GitHub: retryable, a fresh flow.
	v, _ = p.Retry(v, start.Add(time.Minute), verification.ErrAccessDenied, "https://github.com/login/oauth/authorize?…", "flow-2")
	fmt.Println(v.Status, v.Attempts, v.Error.Code)

	// The second callback succeeds.
	v, _ = p.Succeed(v, start.Add(2*time.Minute))
	fmt.Println(v.Status, v.Attempts, v.Error == nil)

	// Verified is terminal.
	_, err := p.Succeed(v, start.Add(3*time.Minute))
	fmt.Println(errors.Is(err, verification.ErrAlreadyVerified))
	// Output:
	// unverified 0
	// unverified 1 oauth_access_denied
	// verified 2 true
	// true
}

func ExampleParseStrategy() {
	s, err := verification.ParseStrategy("oauth_custom_dev")
	fmt.Println(s.Slug(), s.IsCustom(), err)
	_, err = verification.ParseStrategy("google")
	fmt.Println(errors.Is(err, verification.ErrStrategyInvalid))
	// Output:
	// dev true <nil>
	// true
}
