#!/usr/bin/env bash
# Benchmarks jsyd under the policies people write against native, the C floors of the mechanism
# (unotify-run) and strace, with the shared harness in ../shared/bench (run from there, not copied
# here), and writes docs/PERFORMANCE.md: one table, a row per workload, a column per sandbox.
#
# usage: bench/run.sh [run.sh options]      e.g. bench/run.sh -n 3, bench/run.sh -n 5 -w W5 -m 50000
#   JSYD_SHARED=DIR      where the shared bench lives (default: ../shared/bench next to the repo)
#   JSYD_POLICIES=LIST   jsyd policies of ../shared/bench/policies.sh to run, side by side
#                        (default "open real user notify": POLICY_OPEN, _REAL, _USER, _NOTIFY_ALL)
#   JSYD_EXTRA=LINES     more LABEL=PREFIX sandboxes, one per line (e.g. another build of jsyd)
#   JSYD_PEERS=1         also run the other installed peers (bwrap, firejail, …) from peers.sh
#   JSYD_NO_DOC=1        do not rewrite docs/PERFORMANCE.md (smoke runs)
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
SHARED=${JSYD_SHARED:-$ROOT/../shared/bench}
[ -x "$SHARED/run.sh" ] || { echo "bench: shared harness not found at $SHARED" >&2; exit 2; }
"$ROOT/bin/syd" -V >/dev/null   # builds the jar (and its AOT cache) if needed
source "$SHARED/policies.sh"
source "$SHARED/peers.sh"

# Debian 12's gcc (cc1) and python3.11 are not PIE, which exec integrity refuses by default (Syd's
# PIE-only rule): W3 needs the nopie switch where this build has it.
NOPIE=
"$ROOT/bin/syd" -poff -m trace/allow_unsafe_exec_nopie:1 -- true 2>/dev/null && NOPIE="-m trace/allow_unsafe_exec_nopie:1"

PREFIXES=()
for p in ${JSYD_POLICIES:-open real user notify}; do
  case $p in
    open) pol=$POLICY_OPEN;; real) pol=$POLICY_REAL;; user) pol=$POLICY_USER;; notify) pol=$POLICY_NOTIFY_ALL;;
    real-ll) pol="$POLICY_REAL -m trace/allow_unsafe_landlock_paths:1";;   # read rules decided by Landlock
    *) echo "bench: unknown policy '$p' (open, real, real-ll, user, notify)" >&2; exit 2;;
  esac
  PREFIXES+=("jsyd-$p=$ROOT/bin/syd $NOPIE $pol --")
done
# The C floors: check + CONTINUE, emulate with one thread (SYNC_WAKE_UP), emulate with two threads.
PREFIXES+=('c-check={D}/bin/unotify-run -q -t 1 -y -m check --' 'c-emu={D}/bin/unotify-run -q -t 1 -y -m emulate --'
  'c-emu-t2={D}/bin/unotify-run -q -t 2 -m emulate --')
command -v strace >/dev/null 2>&1 && PREFIXES+=('strace-bpf=strace -f --seccomp-bpf -e trace=%file -o /dev/null')
while IFS= read -r x; do [ -n "$x" ] && PREFIXES+=("$x"); done <<< "${JSYD_EXTRA:-}"
if [ "${JSYD_PEERS:-0}" = 1 ]; then
  for p in "${PEERS_FAST[@]}" "${PEERS_SLOW[@]}"; do
    bin=${p#*=}; bin=${bin%% *}
    [ "$bin" = strace ] && continue
    command -v "$bin" >/dev/null 2>&1 && PREFIXES+=("$p")
  done
fi

OUT=$(mktemp)
LOAD0=$(cut -d' ' -f1-3 /proc/loadavg)
"$SHARED/run.sh" -q "$@" "${PREFIXES[@]}" | tee "$OUT"
LOAD1=$(cut -d' ' -f1-3 /proc/loadavg)

# The harness's result rows (wl label base_s sbx_s ratio r_min r_max cpu_rat fails) as one table:
# a row per workload, a column per label, "wall ratio (CPU ratio)"; W6 as added milliseconds.
side_by_side() {
  awk '/^Results/ { on = 1; next } on && /^W[0-9]/ {
      if ($3 == "start-up") { ms[$1, $2] = $(NF - 1); next }
      if (!($2 in seen)) { seen[$2] = 1; labels[++nl] = $2 }
      if (!($1 in seenw)) { seenw[$1] = 1; wls[++nw] = $1 }
      cell[$1, $2] = ($4 == "FAIL") ? "FAIL" : sprintf("%.2f (%s)", $5, $8)
    }
    END {
      printf "| workload |"; for (l = 1; l <= nl; l++) printf " %s |", labels[l]; printf "\n|---|"
      for (l = 1; l <= nl; l++) printf "---|"; printf "\n"
      for (w = 1; w <= nw; w++) { printf "| %s |", wls[w]
        for (l = 1; l <= nl; l++) { c = cell[wls[w], labels[l]]; if ((wls[w], labels[l]) in ms) c = "+" ms[wls[w], labels[l]] " ms"; printf " %s |", c == "" ? "-" : c }
        printf "\n" } }' "$1"
}

if [ "${JSYD_NO_DOC:-0}" != 1 ]; then
  {
    echo "# Performance"
    echo
    echo "Measured $(date -u +%Y-%m-%dT%H:%MZ) on $(nproc) CPUs, $(uname -sr), $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs);"
    echo "load average $LOAD0 before, $LOAD1 after. Command: \`bench/run.sh $*\` (the shared harness"
    echo "\`../shared/bench/run.sh\`, interleaved rounds). Each cell: the median over rounds of sandbox wall time /"
    echo "native wall time of the same round, and in brackets the same for CPU time (user+sys of waited-for"
    echo "processes: the steadier figure on a busy machine); W6: start-up added to \`/bin/true\`."
    echo
    echo "jsyd policies (\`../shared/bench/policies.sh\`): open = \`$POLICY_OPEN\`; real = \`$POLICY_REAL\`;"
    echo "user = \`$POLICY_USER\`; notify = \`$POLICY_NOTIFY_ALL\`${NOPIE:+; all with \`$NOPIE\`}."
    echo "C floors (\`unotify-run\`): c-check = read the path, ID_VALID, CONTINUE (1 thread, SYNC_WAKE_UP); c-emu = open/stat"
    echo "done by the supervisor, 1 thread; c-emu-t2 = the same with 2 threads."
    echo
    side_by_side "$OUT"
    echo
    echo '```'
    sed -n '/^Results/,$p' "$OUT"
    echo '```'
    [ -f "$ROOT/docs/PERFORMANCE-notes.md" ] && { echo; cat "$ROOT/docs/PERFORMANCE-notes.md"; }
  } > "$ROOT/docs/PERFORMANCE.md"
fi
rm -f "$OUT"
