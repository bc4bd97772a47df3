#!/usr/bin/env bash
# Counts what spawning costs the supervisor (issue 15, docs/PERFORMANCE.md "spawn"): ptrace stops by
# kind, notifications by syscall, and the system calls of the tracer and of the workers, per unit.
# strace -ff is attached to the supervisor once it has started, the program is released through a
# FIFO, so start-up is not counted. Counts, not times: they do not depend on the machine's load.
#
# usage: bench/count-spawn.sh [-s SYD] [-n N] [-u UNITS] POLICY [COMMAND]
#   POLICY   open, real or user (../shared/bench/policies.sh; {D} is the bench dir, BENCH_DIR or
#            /tmp/sbx-bench); -m trace/allow_unsafe_exec_nopie:1 is added (Debian's gcc is not PIE)
#   COMMAND  a shell command run in the sandbox (default: N spawns of /bin/true, N=100, per spawn)
#   -u UNITS what the counts are divided by (default N); e.g. 42 for W3's build (41 compiles, 1 link)
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
SYD=$ROOT/bin/syd; N=100; UNITS=
while getopts "s:n:u:" o; do
  case $o in s) SYD=$OPTARG;; n) N=$OPTARG;; u) UNITS=$OPTARG;; *) sed -n '2,13p' "$0"; exit 2;; esac
done
shift $((OPTIND - 1))
[ $# -ge 1 ] || { sed -n '2,13p' "$0"; exit 2; }
source "${JSYD_SHARED:-$ROOT/../shared/bench}/policies.sh"
case $1 in open) P=$POLICY_OPEN;; real) P=$POLICY_REAL;; user) P=$POLICY_USER;; *) echo "count-spawn: policy open, real or user" >&2; exit 2;; esac
P=${P//\{D\}/${BENCH_DIR:-/tmp/sbx-bench}}
CMD=${2:-"i=0; while [ \$i -lt $N ]; do /bin/true; i=\$((i+1)); done"}
OUT=$(mktemp -d); GO=$OUT/go; mkfifo "$GO"
trap 'rm -rf "$OUT"' EXIT
"$SYD" -V >/dev/null   # builds the jar first if needed
# shellcheck disable=SC2086
"$SYD" -m trace/allow_unsafe_exec_nopie:1 $P -- sh -c "read x <$GO; $CMD" >/dev/null 2>&1 &
SYDPID=$!
sleep 3
strace -ff -q -s 100 -p "$SYDPID" -o "$OUT/t" &
ST=$!
sleep 2
echo go >"$GO"
wait "$SYDPID" || true
sleep 0.5
kill -INT "$ST" 2>/dev/null || true
wait "$ST" 2>/dev/null || true
python3 - "$OUT" "${UNITS:-$N}" <<'PY'
import collections, glob, re, sys
d, div = sys.argv[1], float(sys.argv[2])
stops, notes, tracer, workers = (collections.Counter() for _ in range(4))
EVENTS = {1: 'fork event', 2: 'vfork event', 3: 'clone event', 4: 'exec event', 7: 'seccomp stop', 128: 'new task first stop'}
for f in glob.glob(d + '/t.*'):
    lines = open(f, errors='replace').read().splitlines()
    kind = 'tracer' if any('waitid(P_ALL' in l for l in lines) else 'worker' if any('NOTIF_RECV' in l for l in lines) else None
    for l in lines:
        m = re.match(r'(\w+)\(', l)
        if not m or kind is None: continue
        (tracer if kind == 'tracer' else workers)[m.group(1)] += 1
        m = re.search(r'waitid\(P_ALL, 0, \{si_signo=SIGCHLD, si_code=(\w+), si_pid=\d+, si_uid=\d+, si_status=(\w+)', l)
        if m:
            code, st = m.groups()
            if code != 'CLD_TRAPPED': k = 'exit (' + code + ')'
            elif not st.isdigit(): k = 'signal-delivery ' + st
            else:
                v = int(st)
                k = EVENTS.get(v >> 8, 'syscall-exit stop' if v & 0xff == 0x85 else 'signal %d' % (v & 0xff))
            stops[k] += 1
        m = re.search(r'NOTIF_RECV.*nr=__NR_(\w+)', l)
        if m: notes[m.group(1)] += 1
for title, c in (('ptrace stops', stops), ('notifications', notes), ('tracer system calls', tracer), ('worker system calls', workers)):
    print(title + ' per unit:')
    for k, v in sorted(c.items(), key=lambda x: -x[1]):
        if v / div >= 0.05: print('  %-24s %8.2f' % (k, v / div))
    print('  %-24s %8.2f' % ('TOTAL', sum(c.values()) / div))
PY
