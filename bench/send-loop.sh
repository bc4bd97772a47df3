#!/usr/bin/env bash
# Measures the cost of emulated sendmsg calls (bench/src/send-loop.c): UDP to loopback, a UNIX
# datagram socketpair, and the same with SCM_CREDENTIALS; natively and under each given syd
# (default: this checkout's bin/syd) with net/connect on and a deny rule, so every sendmsg goes
# through the supervisor. ROUNDS rounds interleaved; prints the median ns per call of each.
#
# usage: bench/send-loop.sh [ROUNDS] [N] [LABEL=SYD ...]    e.g. before=/tmp/base/bin/syd after=bin/syd
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
ROUNDS=${1:-5}
N=${2:-20000}
shift $(( $# > 2 ? 2 : $# ))
SYDS=("$@")
[ ${#SYDS[@]} -gt 0 ] || SYDS=("jsyd=$ROOT/bin/syd")
WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT
gcc -O2 -Wall -pthread -o "$WORK/send-loop" "$ROOT/bench/src/send-loop.c"
POLICY=(-poff -m sandbox/net/connect:on -m 'allow/net/connect+any!0-65535' -m 'deny/net/connect+127.0.0.2!1')
for s in "${SYDS[@]}"; do "${s#*=}" -V >/dev/null; done   # builds the jars if needed
echo "send-loop: $N sendmsg per kind and run, $ROUNDS rounds, $(nproc) CPUs, $(uname -r)"
for r in $(seq "$ROUNDS"); do
  "$WORK/send-loop" "$N" | sed 's/^/native /' >> "$WORK/all"
  for s in "${SYDS[@]}"; do
    "${s#*=}" "${POLICY[@]}" -- "$WORK/send-loop" "$N" | sed "s/^/${s%%=*} /" >> "$WORK/all"
  done
done
median() { sort -n | awk '{a[NR]=$1} END {print (NR % 2) ? a[(NR+1)/2] : (a[NR/2] + a[NR/2+1]) / 2}'; }
printf '%-10s %10s %10s %10s   (median ns per sendmsg)\n' label udp unix creds
for label in native $(for s in "${SYDS[@]}"; do echo "${s%%=*}"; done); do
  row=$label
  for k in udp unix creds; do row="$row $(awk -v l="$label" -v k="$k" '$1 == l && $2 == k {print $3}' "$WORK/all" | median)"; done
  printf '%-10s %10s %10s %10s\n' $row
done
