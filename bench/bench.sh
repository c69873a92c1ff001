#!/usr/bin/env bash
# Benchmarks: throughput, memory against file size, cost of many stanzas.
# Each compares like with like inside one run (these machines are noisy).
# Usage: bench/bench.sh [build-dir]   (default: build, from `cmake --preset dev`)
set -euo pipefail
cd "$(dirname "$0")/.."
build="${1:-build}"
[ -x "$build/hosted_runner" ] && [ -x "$build/mimecast-sim" ] || {
  echo "build first: cmake --preset dev && cmake --build --preset dev" >&2; exit 1; }
work=$(mktemp -d)
trap 'pkill -P $$ 2>/dev/null || true; rm -rf "$work"' EXIT
all_apis="audit mta-delivery mta-receipt mta-process mta-av mta-spam mta-journal mta-internal mta-impersonation mta-url mta-attachment"

calc() { awk "BEGIN { print $* }"; }

start_sim() { # dir, args...
  local dir=$1; shift
  "$build/mimecast-sim" --port 0 "$@" >"$dir/sim.out" 2>"$dir/sim.err" &
  echo $! >"$dir/sim.pid"
  for _ in $(seq 200); do grep -q listening "$dir/sim.out" 2>/dev/null && break; sleep 0.05; done
  echo "http://$(sed -n 's/^listening on //p' "$dir/sim.out")"
}

write_conf() { # dir, url, stanzas, apis, extra
  local dir=$1 url=$2 n=$3 apis=$4 extra=$5
  { printf '[Global]\n\tFile-Backend-Target=%s/out.json\n\tLog-File=%s/runner.log\n[State]\n\tPath=%s/state.db\n' "$dir" "$dir" "$dir"
    for i in $(seq "$n"); do
      printf '[Mimecast "s%d"]\n\tClient-Id=sim-client\n\tClient-Secret=sim-secret\n\tHost=%s\n' "$i" "$url"
      for a in $apis; do printf '\tApi=%s\n' "$a"; done
      printf '%b' "$extra"
    done; } >"$dir/hr.conf"
}

# Runs the runner until every (stanza, api) logged "caught up"; prints
# "seconds entries peak_rss_kb threads". With "to-exit", the time runs until
# the runner has exited after SIGTERM (a network sink's last confirmations).
run_until_caught_up() { # dir, expected caught-up lines[, to-exit]
  local dir=$1 want=$2 to_exit=${3:-}
  local t0 t1 pid hwm=0 threads=0
  t0=$(date +%s.%N)
  "$build/hosted_runner" -config-file "$dir/hr.conf" -plugin-dir "$build/plugins" 2>"$dir/runner.err" &
  pid=$!
  while :; do
    sleep 0.2
    local n; n=$(grep -c "caught up" "$dir/runner.log" 2>/dev/null || true)
    if [ -r /proc/$pid/status ]; then
      hwm=$(awk '/VmHWM/ {print $2}' /proc/$pid/status)
      threads=$(awk '/Threads/ {print $2}' /proc/$pid/status)
    fi
    [ "${n:-0}" -ge "$want" ] && break
    kill -0 $pid 2>/dev/null || { echo "runner died" >&2; cat "$dir/runner.err" >&2; exit 1; }
  done
  [ -z "$to_exit" ] && t1=$(date +%s.%N)
  kill -TERM $pid; wait $pid || true
  [ -n "$to_exit" ] && t1=$(date +%s.%N)
  echo "$(calc "$t1 - $t0") $(cat "$dir/out.json" 2>/dev/null | wc -l) $hwm $threads"
}

echo "== 1. Throughput: 11 APIs, 24 h backlog at 4000 events/h per API"
d=$work/tp; mkdir -p $d
url=$(start_sim $d --backlog-hours 25 --rate all=4000 --bucket-seconds 900 --publish-lag-seconds 30)
write_conf $d "$url" 1 "$all_apis" '\tLookback=24\n\tRequests-Per-Minute=1000\n\tRequest-Interval=600\n'
read -r secs entries hwm threads < <(run_until_caught_up $d 11)
bytes=$(stat -c %s $d/out.json)
printf '   %d entries in %.1f s = %.0f entries/s, %.1f MB/s written; peak RSS %d MB; %d threads\n' \
  "$entries" "$secs" "$(calc "$entries / $secs")" "$(calc "$bytes / $secs / 1000000")" $((hwm / 1024)) "$threads"
kill "$(cat $d/sim.pid)"

echo "== 2. Memory against batch file size: the same events in files 72x larger"
for bucket in 300 21600; do
  d=$work/mem$bucket; mkdir -p $d
  url=$(start_sim $d --backlog-hours 25 --rate delivery=20000 --bucket-seconds $bucket --publish-lag-seconds 30)
  write_conf $d "$url" 1 "mta-delivery" '\tLookback=24\n\tRequests-Per-Minute=1000\n\tRequest-Interval=600\n'
  read -r secs entries hwm threads < <(run_until_caught_up $d 1)
  lines_per_file=$((20000 * bucket / 3600))
  printf '   files of ~%6d lines: %d entries in %.1f s, peak RSS %d MB\n' $lines_per_file "$entries" "$secs" $((hwm / 1024))
  echo "$hwm" >$d/hwm
  kill "$(cat $d/sim.pid)"
done
printf '   peak RSS ratio (large files / small files): %.2f\n' "$(calc "$(cat $work/mem21600/hwm) / $(cat $work/mem300/hwm)")"

echo "== 3. Many stanzas: 1 against 500 (audit + one MTA type each)"
for n in 1 500; do
  d=$work/st$n; mkdir -p $d
  url=$(start_sim $d --backlog-hours 2 --rate all=60 --bucket-seconds 900 --publish-lag-seconds 30)
  write_conf $d "$url" $n "audit mta-delivery" '\tLookback=1\n\tRequests-Per-Minute=100000\n\tRequest-Interval=600\n'
  read -r secs entries hwm threads < <(run_until_caught_up $d $((2 * n)))
  printf '   %3d stanza(s): all caught up in %.1f s, %d threads, peak RSS %d MB\n' $n "$secs" "$threads" $((hwm / 1024))
  kill "$(cat $d/sim.pid)"
done

echo "== 4. Gravwell sink: the same backlog into the file sink, one fake indexer, two, and the disk cache"
idx_bin="$build/tests/gravwell/gw_fake_indexer"
if [ ! -x "$idx_bin" ]; then
  echo "   skipped: $idx_bin not built (HR_BUILD_TESTS=ON builds it)"
  exit 0
fi
# Not in $(...): the indexer ends with the shell that started it.
start_indexer() { # dir, name; its address is then in $dir/$name.addr
  local dir=$1 name=$2
  "$idx_bin" --out "$dir/$name.json" --secret bench >"$dir/$name.out" 2>"$dir/$name.err" &
  for _ in $(seq 200); do grep -q listening "$dir/$name.out" 2>/dev/null && break; sleep 0.05; done
  sed -n 's/^listening on //p' "$dir/$name.out" >"$dir/$name.addr"
}
# Entries the stanza emitted: the sum of each API's last progress count.
emitted() { # dir
  grep -o 'mimecast\[s\]: [a-z-]*: progress:.* entries=[0-9]*' "$1/runner.log" |
    awk '{ api=$2; for (i = 1; i <= NF; i++) if ($i ~ /^entries=/) { split($i, kv, "="); last[api] = kv[2] } }
         END { s = 0; for (a in last) s += last[a]; print s }'
}
gw_conf() { # dir, url, global lines
  printf '[Global]\n%b\tLog-File=%s/runner.log\n\tIngest-Secret=bench\n[State]\n\tPath=%s/state.db\n' "$3" "$1" "$1" >"$1/hr.conf"
  printf '[Mimecast "s"]\n\tClient-Id=sim-client\n\tClient-Secret=sim-secret\n\tHost=%s\n' "$2" >>"$1/hr.conf"
  for a in $all_apis; do printf '\tApi=%s\n' "$a" >>"$1/hr.conf"; done
  printf '\tLookback=12\n\tRequests-Per-Minute=1000\n\tRequest-Interval=600\n' >>"$1/hr.conf"
}
for mode in file one two cache; do
  d=$work/gw$mode; mkdir -p $d
  url=$(start_sim $d --backlog-hours 13 --rate all=4000 --bucket-seconds 900 --publish-lag-seconds 30)
  case $mode in
    file) gw_conf $d "$url" "\tFile-Backend-Target=$d/out.json\n" ;;
    one) start_indexer $d a
         gw_conf $d "$url" "\tCleartext-Backend-Target=$(cat $d/a.addr)\n" ;;
    two) start_indexer $d a; start_indexer $d b
         gw_conf $d "$url" "\tCleartext-Backend-Target=$(cat $d/a.addr)\n\tCleartext-Backend-Target=$(cat $d/b.addr)\n" ;;
    cache) gw_conf $d "$url" "\tCleartext-Backend-Target=127.0.0.1:1\n\tIngest-Cache-Path=$d/cache\n\tMax-Ingest-Cache=4000\n" ;;
  esac
  read -r secs _ hwm _ < <(run_until_caught_up $d 11 to-exit)
  case $mode in
    file) entries=$(wc -l <$d/out.json); what="file sink" ;;
    one) entries=$(wc -l <$d/a.json); what="one indexer" ;;
    two) entries=$(( $(wc -l <$d/a.json) + $(wc -l <$d/b.json) )); what="two indexers ($(wc -l <$d/a.json) + $(wc -l <$d/b.json))"
         ;;
    cache) entries=$(emitted $d); what="disk cache, indexer down ($(du -sm $d/cache | cut -f1) MB)" ;;
  esac
  printf '   %-40s %8d entries in %5.1f s = %6.0f entries/s, peak RSS %d MB\n' "$what" "$entries" "$secs" \
    "$(calc "$entries / $secs")" $((hwm / 1024))
  pkill -P $$ -f gw_fake_indexer 2>/dev/null || true
  kill "$(cat $d/sim.pid)"
done
