package catalog

import (
	xoauth2 "golang.org/x/oauth2"

	"github.com/tetherauth/tether/provider/internal/claims"
	"github.com/tetherauth/tether/provider/internal/hooks"
	"github.com/tetherauth/tether/provider/internal/oauthclient"
)

// This file is the kit of a catalogue package: with provider and
// verification, catalog is the only package it imports for its quirks.
// Each name stands for the one in provider/internal/claims, hooks or
// oauthclient, whose documentation applies.

// Client authentication at the token endpoint (Spec.AuthStyle).
const (
	// ClientSecretBasic is HTTP Basic (RFC 6749 section 2.3.1).
	ClientSecretBasic = xoauth2.AuthStyleInHeader
	// ClientSecretPost is client_id and client_secret in the form.
	ClientSecretPost = xoauth2.AuthStyleInParams
)

// Reading profiles and claims (provider/internal/claims): every value is
// read defensively, ids keep every digit.
var (
	String    = claims.String
	Bool      = claims.Bool
	Object    = claims.Object
	ID        = claims.ID
	SplitName = claims.SplitName
)

// Hooks (provider/internal/hooks).
type (
	OAuth2Hooks   = hooks.OAuth2
	OIDCHooks     = hooks.OIDC
	API           = hooks.API
	RevokeRequest = hooks.RevokeRequest
)

// RevokeByBearer is hooks.RevokeByBearer.
var RevokeByBearer = hooks.RevokeByBearer

// Requests and errors (provider/internal/oauthclient).
type (
	Revocation       = oauthclient.Revocation
	BearerRevocation = oauthclient.BearerRevocation
)

var (
	ErrMalformedResponse = oauthclient.ErrMalformedResponse
	Do                   = oauthclient.Do
	Revoke               = oauthclient.Revoke
	Sanitize             = oauthclient.Sanitize
	NewOAuthError        = oauthclient.NewOAuthError
	Scopes               = oauthclient.Scopes
	ReadBody             = oauthclient.ReadBody
)
