// Package account implements Tether's ExternalAccount model: the aggregate,
// the Service that runs its use cases, and the store interfaces the Service
// consumes.
//
// An [ExternalAccount] links a host user to an account at an external
// provider. The [Service] connects accounts ([Service.Connect] then the OAuth
// callback, [Service.Complete]), reauthorizes them for more scopes
// ([Service.Reauthorize]), lists, reads and destroys them, and hands out a
// valid provider access token, refreshed when needed ([Service.AccessToken],
// [Service.ProviderTokens]; one refresh per grant across processes through a
// lease in the token store). Each verification follows the state machine of
// package verification.
//
// Start with the package example, then:
//   - signing users in and up with a provider: [Service.SignIn],
//     [Service.SignUp], [Service.TransferToNewUser], [Service.TransferToOwner],
//     [Service.SignInWithIDToken] (ExampleService_SignIn);
//   - what a host runs in production: [Service.Run] (the sweep of expired
//     flows and abandoned accounts), [Config.OnEvent] ([Event]),
//     [Config.TracerProvider] and [Config.MeterProvider] (OpenTelemetry),
//     [Service.Admin] (the back office), [Config.Limits];
//   - keys: [Keyring], [Service.Reseal] to retire one.
//
// Storage sits behind three small interfaces, [AccountStore], [TokenStore]
// and [FlowStore], whose contracts are written on them and checked for every
// adapter by store/storetest. The Service does the cross-cutting work once:
// it hashes states (stores never see one), generates PKCE verifiers and
// nonces, and seals provider tokens with a [Keyring] (AES-256-GCM, the
// account id as associated data) before any store sees them.
//
// # Security
//
// Every flow uses a 256-bit state, PKCE S256 and, for OpenID Connect, a
// nonce, and is bound to the browser that started it (ConnectParams.Binding)
// or to the user its callback names (CallbackParams.UserID). A state is
// taken from the flow store once; a second callback with it is
// oauth_callback_invalid. The verifier, the nonce and the authorization URL
// (which carries the state) reach stores only sealed. The RFC 9207 "iss" parameter is checked when
// present and required when the provider advertises it. One identity
// (provider, provider user id) belongs to at most one account. Logs carry
// ids, providers, statuses and error codes only: never a state, code,
// verifier, nonce or token, and no personal data.
//
// # Errors
//
// Every error a Service returns carries a *verification.Error code, matched
// with errors.Is against the sentinels of package verification:
// authentication_invalid, verification_strategy_invalid,
// oauth_provider_not_enabled, form_param_invalid / form_param_missing (with
// meta.param_name), external_account_not_found, oauth_callback_invalid,
// the verification outcomes of Complete, conflict and store_unavailable.
package account
