// Package testkit holds what Tether's own tests share across packages: a
// controllable clock and the refresh stampede that every store runs.
// It is internal: hosts test with provider/providertest and
// store/storetest.
package testkit
