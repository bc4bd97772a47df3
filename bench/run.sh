#!/usr/bin/env bash
# Benchmarks jsyd against native and the C floor (unotify-run) with the shared harness in
# ../shared/bench (run from there, not copied here), and writes docs/PERFORMANCE.md.
#
# usage: bench/run.sh [run.sh options]      e.g. bench/run.sh -n 5 -w W5,W6
#   JSYD_SHARED=DIR    where the shared bench lives (default: ../shared/bench next to the repo)
#   JSYD_PEERS=1       also run the installed peers (bwrap, firejail, strace, …) from peers.sh
#   JSYD_NO_DOC=1      do not rewrite docs/PERFORMANCE.md (smoke runs)
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
SHARED=${JSYD_SHARED:-$ROOT/../shared/bench}
[ -x "$SHARED/run.sh" ] || { echo "bench: shared harness not found at $SHARED" >&2; exit 2; }
"$ROOT/bin/syd" -V >/dev/null   # builds the jar (and its AOT cache) if needed

# The realistic policy: Syd's defaults (every category on, everything denied), then read, stat,
# walk, readdir, chdir and exec everywhere; writing, creating and deleting only under the bench dir.
# Debian 12's gcc and cc1 are not PIE, which Syd refuses by default: W3 needs the nopie switch.
JSYD="jsyd=$ROOT/bin/syd -m 'allow/read,stat,walk,readdir,chdir,exec+/***' -m 'allow/write,create,delete,truncate,rename,mkdir,rmdir,chmod,utime,mktemp+{D}/***' -m 'allow/write,truncate+/dev/null' -m trace/allow_unsafe_exec_nopie:1 --"
PREFIXES=("$JSYD" 'unotify-emu={D}/bin/unotify-run -q -t 1 -y -m emulate --')
if [ "${JSYD_PEERS:-0}" = 1 ]; then
  source "$SHARED/peers.sh"
  for p in "${PEERS_FAST[@]}" "${PEERS_SLOW[@]}"; do
    bin=${p#*=}; bin=${bin%% *}
    command -v "$bin" >/dev/null 2>&1 && PREFIXES+=("$p")
  done
fi

OUT=$(mktemp)
"$SHARED/run.sh" -q "$@" "${PREFIXES[@]}" | tee "$OUT"
if [ "${JSYD_NO_DOC:-0}" != 1 ]; then
  {
    echo "# Performance"
    echo
    echo "Measured $(date -u +%Y-%m-%dT%H:%MZ) on $(nproc) CPUs, $(uname -sr), $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs)."
    echo "Command: \`bench/run.sh $*\` (the shared harness \`../shared/bench/run.sh\`, interleaved rounds;"
    echo "ratio = median over rounds of sandbox wall time / native wall time of the same round)."
    echo
    echo "jsyd prefix: \`${JSYD#jsyd=}\`"
    echo
    echo '```'
    sed -n '/^Results/,$p' "$OUT"
    echo '```'
    [ -f "$ROOT/docs/PERFORMANCE-notes.md" ] && { echo; cat "$ROOT/docs/PERFORMANCE-notes.md"; }
  } > "$ROOT/docs/PERFORMANCE.md"
fi
rm -f "$OUT"
