#!/usr/bin/env bash
# The main job on the built-in default: the runner pulls a 3-day backlog of
# every Mimecast log family from the bundled simulator into a local file,
# then keeps polling. Ctrl-C stops it cleanly.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/deps.sh
cmake --preset dev >/dev/null
cmake --build --preset dev -j"$(nproc)" --target hosted_runner mimecast tester mimecast-sim
run="${DEMO_DIR:-$PWD/demo-run}"
rm -rf "$run" && mkdir -p "$run"
printf 'sim-secret\n' >"$run/client.secret"
chmod 600 "$run/client.secret"

# A simulated Mimecast with 72 h of backlog; new batch files every 5 minutes.
build/mimecast-sim --port 0 --backlog-hours 75 --rate all=200 --bucket-seconds 300 \
  --publish-lag-seconds 30 --request-log "$run/sim-requests.ndjson" >"$run/sim.out" 2>"$run/sim.err" &
sim=$!
for _ in $(seq 100); do grep -q listening "$run/sim.out" 2>/dev/null && break; sleep 0.1; done
url="http://$(sed -n 's/^listening on //p' "$run/sim.out")"
sed -e "s|@SIM_URL@|$url|g" -e "s|@RUN_DIR@|$run|g" conf/demo.conf >"$run/hosted_runner.conf"
echo "simulator at $url; runner config $run/hosted_runner.conf"

build/hosted_runner -config-file "$run/hosted_runner.conf" -plugin-dir build/plugins &
runner=$!
stopped=""
stop() {
  [ -n "$stopped" ] && return
  stopped=1
  trap - INT TERM
  kill -TERM "$runner" 2>/dev/null || true
  wait "$runner" 2>/dev/null || true
  kill -TERM "$sim" 2>/dev/null || true
  wait "$sim" 2>/dev/null || true
  echo
  echo "Entries per tag in $run/entries.json:"
  awk -F'"tag":"' '{split($2, a, "\""); n[a[1]]++} END {for (t in n) printf "  %-18s %d\n", t, n[t]}' \
    "$run/entries.json" | sort
  echo "State: $run/state.db (a restart resumes from it). Simulator requests: $run/sim-requests.ndjson"
}
trap stop INT TERM
wait "$runner" || true
stop
