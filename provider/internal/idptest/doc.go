// Package idptest holds the fake identity providers of the catalogue's
// tests: [OAuth], a small spec-following OAuth 2.0 authorization server
// whose API endpoints a test defines (it returns each provider's documented
// shapes), and [OIDC], a providertest server reachable under a provider's
// real endpoint paths. It is test support: only _test.go files import it.
package idptest
