# Compatibility workload: 1 000 short processes, 50 at a time (xargs -P 50).
set -e
mkdir out
seq 1 1000 | xargs -P 50 -n 1 sh -c 'echo "$0" > "out/$0"'
ls out | wc -l
cat out/* | sort -n | sha256sum
