#!/usr/bin/env bash
# The path-sandboxing measurements of issue #4, native vs jsyd in the same run (interleaved):
#   find /usr -type f | wc -l;  tar -cf - /usr/include > /dev/null;  make -j2 of 50 small C files.
# Policy: Syd's defaults plus read/stat/walk/readdir/chdir/exec everywhere and writes under the
# work dir. Prints median wall seconds and the median ratio per workload.
# usage: bench/path-workloads.sh [ROUNDS]     (default 5)
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
ROUNDS=${1:-5}
W=$(mktemp -d /tmp/jsyd-pathbench.XXXXXX)
trap 'rm -rf "$W"' EXIT
"$ROOT/bin/syd" -V >/dev/null

mkdir -p "$W/c" "$W/tmp"
for i in $(seq 1 50); do
  printf '#include <stdio.h>\n#include <string.h>\nint f%d(const char *s) { return (int)strlen(s) * %d; }\n' "$i" "$i" > "$W/c/f$i.c"
done
{ printf 'OBJ := $(patsubst %%.c,%%.o,$(wildcard *.c))\nall: $(OBJ)\n%%.o: %%.c\n\t$(CC) -O2 -c -o $@ $<\nclean:\n\trm -f *.o\n'; } > "$W/c/Makefile"

SYD=("$ROOT/bin/syd" -m 'allow/read,stat,walk,readdir,chdir,exec+/***'
     -m "allow/write,create,delete,truncate,rename,mkdir,rmdir,chmod,utime,mktemp+$W/***"
     -m 'allow/write,truncate+/dev/null' --)
declare -A CMD=(
  [find]='find /usr -type f | wc -l'
  [tar]='tar -cf - /usr/include > /dev/null'
  [make]="cd $W/c && make -s clean && TMPDIR=$W/tmp make -s -j2"
)
run() { local t0=$EPOCHREALTIME; "$@" >/dev/null 2>&1 || echo "!! failed: $*" >&2; awk -v a="$t0" -v b="$EPOCHREALTIME" 'BEGIN{printf "%.4f", b-a}'; }
median() { sort -n | awk '{a[NR]=$1} END{print (NR%2 ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2)}'; }

st=(); for r in $(seq 1 "$ROUNDS"); do st+=("$(run "${SYD[@]}" true)"); done
START=$(printf '%s\n' "${st[@]}" | median)
echo "jsyd start-up (\`syd ... -- true\`, median): ${START}s — included in every jsyd time below"
printf '%-6s %10s %10s %8s %16s\n' workload native_s jsyd_s ratio ratio_minus_start
for w in find tar make; do
  sh -c "${CMD[$w]}" >/dev/null 2>&1; "${SYD[@]}" sh -c "${CMD[$w]}" >/dev/null 2>&1   # warm-up
  nat=(); sbx=(); rat=()
  for r in $(seq 1 "$ROUNDS"); do
    if [ $((r % 2)) = 1 ]; then n=$(run sh -c "${CMD[$w]}"); s=$(run "${SYD[@]}" sh -c "${CMD[$w]}")
    else s=$(run "${SYD[@]}" sh -c "${CMD[$w]}"); n=$(run sh -c "${CMD[$w]}"); fi
    nat+=("$n"); sbx+=("$s"); rat+=("$(awk -v a="$s" -v b="$n" 'BEGIN{printf "%.4f", a/b}')")
  done
  mn=$(printf '%s\n' "${nat[@]}" | median); ms=$(printf '%s\n' "${sbx[@]}" | median)
  printf '%-6s %10s %10s %8s %16s\n' "$w" "$mn" "$ms" "$(printf '%s\n' "${rat[@]}" | median)" \
    "$(awk -v s="$ms" -v n="$mn" -v t="$START" 'BEGIN{printf "%.3f", (s-t)/n}')"
done
