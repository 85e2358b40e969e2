// Package realflow runs whole connect flows — the connect route, the
// provider's authorization, the callback with its code exchange and
// userinfo — through httpadapter on the real stores (SQLite, PostgreSQL,
// Redis) against providertest speaking real HTTP, for what a test of one
// package cannot see:
//
//   - what a flow costs: BenchmarkFlowSQLite, BenchmarkFlowPostgres and
//     BenchmarkFlowRedis against BenchmarkFlowBare (x/oauth2 and go-oidc
//     doing the same checks by hand, then one bun insert into the same kind
//     of SQLite file) and BenchmarkProviderFloor (the provider's round trips
//     alone);
//   - how many statements and commits (SQL) or round trips (Redis) a flow
//     makes, counted through the drivers' hooks (TestStoreWorkPerFlow);
//   - what a crash at each step of a callback leaves (TestCrashDuringCallback
//     kills a child process with SIGKILL there).
//
// It has no exported API: everything is in its tests. The PostgreSQL and
// Redis cases skip without TETHER_POSTGRES_DSN and TETHER_REDIS_ADDR.
package realflow
