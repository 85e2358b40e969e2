# shellcheck shell=bash
# Redis for store/redisstore: one standalone server and a 3-master Redis
# Cluster, all on 127.0.0.1, without persistence, under $CI_TMP/redis.
# Sourced by .ci/run, which calls start_redis and, on exit, stop_redis.
#
# start_redis exports:
#   TETHER_REDIS_ADDR           host:port of the standalone server
#   TETHER_REDIS_CLUSTER_ADDRS  comma-separated host:port of the 3 masters
#   TETHER_REDIS_SERVER_BIN     the redis-server binary (the fault test starts
#                               and kills servers of its own with it)

_redis_dir() { echo "${CI_TMP:?CI_TMP is not set}/redis"; }

# _redis_free_port prints a random port in 10000-19999 on which nobody
# listens, nor on port + 10000 (a cluster node's bus port).
_redis_free_port() {
	local port
	for _ in $(seq 1 50); do
		port=$(( (RANDOM % 10000) + 10000 ))
		if ! (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null &&
			! (exec 3<>"/dev/tcp/127.0.0.1/$((port + 10000))") 2>/dev/null; then
			echo "$port"
			return 0
		fi
	done
	echo "redis.sh: no free port found" >&2
	return 1
}

_redis_install() {
	if command -v redis-server >/dev/null 2>&1 && command -v redis-cli >/dev/null 2>&1; then
		return 0
	fi
	echo "--- installing redis-server"
	export DEBIAN_FRONTEND=noninteractive
	if ! apt-get install -y --no-install-recommends redis-server >/dev/null; then
		apt-get update >/dev/null
		apt-get install -y --no-install-recommends redis-server >/dev/null
	fi
}

# _redis_start NAME PORT [extra redis-server arguments...] starts a
# daemonized server whose files live in $(_redis_dir)/NAME.
_redis_start() {
	local name=$1 port=$2
	shift 2
	local dir
	dir="$(_redis_dir)/$name"
	mkdir -p "$dir" || return 1
	redis-server --bind 127.0.0.1 --port "$port" --daemonize yes \
		--dir "$dir" --pidfile "$dir/redis.pid" --logfile "$dir/redis.log" \
		--save '' --appendonly no "$@" || return 1
	for _ in $(seq 1 100); do
		if [ "$(redis-cli -p "$port" ping 2>/dev/null)" = PONG ]; then
			echo "$port" >>"$(_redis_dir)/ports"
			return 0
		fi
		sleep 0.1
	done
	echo "redis.sh: redis-server $name on port $port did not start:" >&2
	cat "$dir/redis.log" >&2 || true
	return 1
}

start_redis() {
	_redis_install
	local dir
	dir=$(_redis_dir)
	rm -rf "$dir"
	mkdir -p "$dir"
	: >"$dir/ports"
	# .ci/run registers stop_redis only once start_redis returns: stop what
	# was started here if a later step fails.
	if ! _redis_start_all; then
		stop_redis
		return 1
	fi
	echo "TETHER_REDIS_ADDR=$TETHER_REDIS_ADDR"
	echo "TETHER_REDIS_CLUSTER_ADDRS=$TETHER_REDIS_CLUSTER_ADDRS"
}

# _redis_start_all starts the servers and exports the variables. It runs in
# a context where set -e does not apply, so every step checks itself.
_redis_start_all() {
	local dir port
	dir=$(_redis_dir)

	echo "--- starting redis-server (standalone)"
	port=$(_redis_free_port) || return 1
	_redis_start standalone "$port" || return 1
	export TETHER_REDIS_ADDR="127.0.0.1:$port"

	echo "--- starting a 3-master Redis Cluster"
	local addrs=() i
	for i in 1 2 3; do
		port=$(_redis_free_port) || return 1
		_redis_start "cluster$i" "$port" --cluster-enabled yes \
			--cluster-config-file "$dir/cluster$i/nodes.conf" --cluster-node-timeout 5000 || return 1
		addrs+=("127.0.0.1:$port")
	done
	if ! redis-cli --cluster create "${addrs[@]}" --cluster-replicas 0 --cluster-yes >"$dir/cluster-create.log" 2>&1; then
		echo "redis.sh: redis-cli --cluster create failed:" >&2
		cat "$dir/cluster-create.log" >&2
		return 1
	fi
	local p=${addrs[0]##*:} ok=
	for _ in $(seq 1 100); do
		case "$(redis-cli -p "$p" cluster info 2>/dev/null)" in
		*cluster_state:ok*)
			ok=1
			break
			;;
		esac
		sleep 0.1
	done
	if [ -z "$ok" ]; then
		echo "redis.sh: the cluster did not reach cluster_state:ok" >&2
		cat "$dir/cluster-create.log" >&2
		return 1
	fi
	TETHER_REDIS_CLUSTER_ADDRS=$(IFS=,; echo "${addrs[*]}")
	export TETHER_REDIS_CLUSTER_ADDRS
	TETHER_REDIS_SERVER_BIN=$(command -v redis-server)
	export TETHER_REDIS_SERVER_BIN
}

stop_redis() {
	local dir port
	dir=$(_redis_dir)
	[ -f "$dir/ports" ] || return 0
	while read -r port; do
		[ -n "$port" ] || continue
		redis-cli -p "$port" shutdown nosave >/dev/null 2>&1 || true
	done <"$dir/ports"
	rm -f "$dir/ports"
}
