# shellcheck shell=bash
# PostgreSQL for the store/sqlstore tests, sourced by .ci/run.
#
# start_postgres creates a throwaway PostgreSQL 15 cluster under $CI_TMP,
# owned by the unprivileged "postgres" user, listening on 127.0.0.1 only on
# a free port (no Unix socket outside the cluster directory), creates the
# database tether_test and exports TETHER_POSTGRES_DSN. stop_postgres stops
# the server and removes the cluster. Authentication is "trust" for the
# loopback address only: the cluster lives as long as one CI run.
#
# Settings: PG_BIN (default /usr/lib/postgresql/15/bin), PG_USER (default
# postgres). Both functions run as root.

PG_BIN=${PG_BIN:-/usr/lib/postgresql/15/bin}
PG_USER=${PG_USER:-postgres}

# _pg runs a PostgreSQL binary as $PG_USER, from a directory that user can
# read (the caller's may be /root).
_pg() {
	(cd "$PG_DIR" && runuser -u "$PG_USER" -- "$@")
}

# _pg_port_free reports whether nothing listens on 127.0.0.1:$1.
_pg_port_free() {
	! (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null
}

start_postgres() {
	if [ ! -x "$PG_BIN/initdb" ]; then
		echo "start_postgres: $PG_BIN/initdb not found (install postgresql-15 or set PG_BIN)" >&2
		return 1
	fi
	: "${CI_TMP:?CI_TMP must be set}"
	PG_DIR="$CI_TMP/postgres"
	mkdir -p "$PG_DIR"
	# The cluster's user must reach its directory; CI_TMP is mktemp's 0700.
	chmod o+x "$CI_TMP"
	chown "$PG_USER": "$PG_DIR"
	chmod 0700 "$PG_DIR"

	echo "--- start_postgres: initdb in $PG_DIR/data"
	if ! _pg "$PG_BIN/initdb" --pgdata="$PG_DIR/data" --username=postgres \
		--auth=trust --encoding=UTF8 --locale=C >"$PG_DIR/initdb.log" 2>&1; then
		cat "$PG_DIR/initdb.log" >&2
		return 1
	fi

	# A port that is free now may be taken before the server binds it:
	# try a few random ports.
	local port tries=0
	while :; do
		tries=$((tries + 1))
		port=$((30000 + RANDOM % 30000)) # clear of redis.sh's 10000-30000
		if _pg_port_free "$port" &&
			_pg "$PG_BIN/pg_ctl" --pgdata="$PG_DIR/data" --log="$PG_DIR/server.log" \
				--wait --timeout=60 \
				-o "-c listen_addresses=127.0.0.1 -c port=$port -c unix_socket_directories=$PG_DIR" \
				start >/dev/null; then
			break
		fi
		if [ "$tries" -ge 5 ]; then
			echo "start_postgres: the server did not start; its log:" >&2
			cat "$PG_DIR/server.log" >&2 || true
			return 1
		fi
	done
	PG_PORT=$port

	if ! _pg "$PG_BIN/createdb" --host=127.0.0.1 --port="$PG_PORT" --username=postgres tether_test; then
		stop_postgres
		return 1
	fi
	export TETHER_POSTGRES_DSN="postgres://postgres@127.0.0.1:$PG_PORT/tether_test?sslmode=disable"
	echo "--- start_postgres: PostgreSQL $("$PG_BIN/postgres" --version | awk '{print $3}') on 127.0.0.1:$PG_PORT, TETHER_POSTGRES_DSN exported"
}

stop_postgres() {
	[ -n "${PG_DIR:-}" ] && [ -d "$PG_DIR/data" ] || return 0
	echo "--- stop_postgres"
	_pg "$PG_BIN/pg_ctl" --pgdata="$PG_DIR/data" --mode=fast --wait stop >/dev/null 2>&1 || true
	rm -rf "$PG_DIR"
	unset TETHER_POSTGRES_DSN
}
