# shellcheck shell=bash
# Chromium for the real-browser test of examples/monolith (TestBrowser),
# sourced by .ci/run, which calls start_chromium and, on exit, stop_chromium.
#
# start_chromium installs Debian's chromium package when the binary that
# TETHER_CHROMIUM names (default /usr/bin/chromium) is missing, and exports
# TETHER_CHROMIUM. The test starts and stops the browser itself (headless,
# with a fresh profile), so there is nothing to stop.

start_chromium() {
	local bin=${TETHER_CHROMIUM:-/usr/bin/chromium}
	if [ ! -x "$bin" ]; then
		echo "--- start_chromium: installing chromium"
		export DEBIAN_FRONTEND=noninteractive
		if ! apt-get install -y --no-install-recommends chromium >/dev/null; then
			apt-get update >/dev/null
			apt-get install -y --no-install-recommends chromium >/dev/null
		fi
		bin=/usr/bin/chromium
	fi
	if [ ! -x "$bin" ]; then
		echo "start_chromium: $bin is not an executable after installing chromium" >&2
		return 1
	fi
	export TETHER_CHROMIUM=$bin
	echo "--- start_chromium: $("$bin" --version 2>/dev/null | head -n 1), TETHER_CHROMIUM=$TETHER_CHROMIUM"
}

stop_chromium() {
	:
}
