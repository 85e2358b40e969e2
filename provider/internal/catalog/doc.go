// Package catalog is the shared base of the catalogue providers
// (provider/google, provider/github, ...).
package catalog
