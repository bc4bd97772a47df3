#!/usr/bin/env bash
# Measures the cost of notified connects: a C client does N (default 20 000) socket + connect +
# close to a loopback TCP server started here (bench/src/connect-loop.c, run natively), natively
# and under jsyd with net/connect on and a deny rule (so every connect goes through the
# supervisor), ROUNDS (default 5) rounds interleaved. Prints the median wall time of each (whole
# process, and the client's own loop time) and the ratio jsyd / native.
#
# usage: bench/connect-loop.sh [ROUNDS] [N]
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
ROUNDS=${1:-5}
N=${2:-20000}
WORK=$(mktemp -d)
trap 'kill "$SERVER" 2>/dev/null || true; rm -rf "$WORK"' EXIT
gcc -O2 -Wall -o "$WORK/connect-loop" "$ROOT/bench/src/connect-loop.c"
"$ROOT/bin/syd" -V >/dev/null   # builds the jar if needed

"$WORK/connect-loop" server "$WORK/port" &
SERVER=$!
for _ in $(seq 100); do [ -s "$WORK/port" ] && break; sleep 0.05; done
PORT=$(cat "$WORK/port")

SYD=("$ROOT/bin/syd" -poff -m sandbox/net/connect:on -m 'allow/net/connect+127.0.0.1!0-65535'
     -m 'deny/net/connect+127.0.0.2!1' --)

# run LABEL CMD...: appends "wall_ms loop_ms" to $WORK/LABEL
run() {
  local label=$1; shift
  local t0 t1 loop
  t0=$(date +%s%N)
  loop=$("$@" "$WORK/connect-loop" client "$PORT" "$N")
  t1=$(date +%s%N)
  echo "$(( (t1 - t0) / 1000000 )) $loop" >> "$WORK/$label"
  printf '  %-7s wall %6d ms  loop %8s ms\n' "$label" $(( (t1 - t0) / 1000000 )) "$loop"
}

echo "connect-loop: $N connects per run, $ROUNDS rounds, $(nproc) CPUs, $(uname -r)"
for r in $(seq "$ROUNDS"); do
  echo "round $r"
  run native env
  run jsyd "${SYD[@]}"
done

median() { sort -n | awk '{a[NR]=$1} END {print (NR % 2) ? a[(NR+1)/2] : (a[NR/2] + a[NR/2+1]) / 2}'; }
nw=$(cut -d' ' -f1 "$WORK/native" | median); jw=$(cut -d' ' -f1 "$WORK/jsyd" | median)
nl=$(cut -d' ' -f2 "$WORK/native" | median); jl=$(cut -d' ' -f2 "$WORK/jsyd" | median)
echo
printf 'median wall: native %s ms, jsyd %s ms, ratio %.2f\n' "$nw" "$jw" "$(echo "$jw / $nw" | bc -l)"
printf 'median loop: native %s ms, jsyd %s ms, ratio %.2f (%.1f us per notified connect vs %.1f native)\n' \
  "$nl" "$jl" "$(echo "$jl / $nl" | bc -l)" "$(echo "$jl * 1000 / $N" | bc -l)" "$(echo "$nl * 1000 / $N" | bc -l)"
