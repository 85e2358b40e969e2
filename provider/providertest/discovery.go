package providertest

import (
	"net/http"

	jose "github.com/go-jose/go-jose/v4"
)

// discovery serves the OpenID Provider Metadata (OpenID Connect Discovery
// section 3, RFC 8414, RFC 9207 section 3).
func (h *Handler) discovery(w http.ResponseWriter, r *http.Request) {
	f := h.currentFaults()
	writeJSON(w, http.StatusOK, map[string]any{
		"issuer":                                         h.issuer,
		"authorization_endpoint":                         h.issuer + PathAuthorize,
		"token_endpoint":                                 h.issuer + PathToken,
		"userinfo_endpoint":                              h.issuer + PathUserinfo,
		"jwks_uri":                                       h.issuer + PathJWKS,
		"revocation_endpoint":                            h.issuer + PathRevoke,
		"response_types_supported":                       []string{"code"},
		"response_modes_supported":                       []string{"query", "form_post"},
		"grant_types_supported":                          []string{"authorization_code", "refresh_token"},
		"subject_types_supported":                        []string{"public"},
		"id_token_signing_alg_values_supported":          []string{string(jose.RS256)},
		"code_challenge_methods_supported":               []string{"S256"},
		"token_endpoint_auth_methods_supported":          h.cfg.AuthMethods,
		"revocation_endpoint_auth_methods_supported":     h.cfg.AuthMethods,
		"scopes_supported":                               scopesSupported,
		"claims_supported":                               claimsSupported,
		"claims_parameter_supported":                     false,
		"request_parameter_supported":                    false,
		"request_uri_parameter_supported":                false,
		"authorization_response_iss_parameter_supported": !h.cfg.DisableIssuerParameter,
	}, f.OversizeBody)
}

// jwks serves the JSON Web Key Set: the current signing key and, after a
// rotation, the previous one.
func (h *Handler) jwks(w http.ResponseWriter, r *http.Request) {
	current, previous := h.signingKeys()
	keys := []jose.JSONWebKey{current.jwk()}
	if previous != nil {
		keys = append(keys, previous.jwk())
	}
	f := h.currentFaults()
	writeJSON(w, http.StatusOK, map[string]any{"keys": keys}, f.OversizeBody)
}
