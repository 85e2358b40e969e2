package instagram

import "testing"

// TestNormalize: the token response shapes Instagram documents become RFC
// 6749's, every digit of a large user_id kept; others pass as they are.
func TestNormalize(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		// Business Login's documented response.
		{`{"data": [{"access_token": "EAACEdEose0", "user_id": "1020", "permissions": "instagram_business_basic,instagram_business_manage_messages"}]}`,
			`{"access_token":"EAACEdEose0","permissions":"instagram_business_basic,instagram_business_manage_messages","scope":"instagram_business_basic,instagram_business_manage_messages","token_type":"bearer","user_id":"1020"}`},
		// Without "data", user_id past 2^53.
		{`{"access_token": "IGQVJ", "user_id": 17841405793187218}`, `{"access_token":"IGQVJ","token_type":"bearer","user_id":17841405793187218}`},
		{`{"access_token": "IGQVJ", "token_type": "Bearer"}`, `{"access_token":"IGQVJ","token_type":"Bearer"}`},
		{`{"error_type": "OAuthException", "code": 400, "error_message": "Invalid authorization code"}`, `{"error_type": "OAuthException", "code": 400, "error_message": "Invalid authorization code"}`},
		{`<html>`, `<html>`},
	} {
		if got := string(normalize([]byte(tc.in))); got != tc.want {
			t.Errorf("normalize(%s) = %s, want %s", tc.in, got, tc.want)
		}
	}
}
