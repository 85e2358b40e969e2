// Package testkit holds what Tether's own tests share across packages: a
// controllable clock and a log sink (Clock, LogBuffer), a test Service
// around a provider (Env, for the catalogue's end-to-end tests; Link, for
// token tests on any store), and the refresh stampede and AccessToken
// benchmark that every store runs.
// It is internal: hosts test with provider/providertest and
// store/storetest.
package testkit
