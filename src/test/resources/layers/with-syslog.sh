# Runs "$@" with a syslog listener at /dev/log, in a private mount namespace (run it with
# `unshare -m --propagation private sh with-syslog.sh OUT cmd...`): /dev is copied onto a tmpfs
# (device nodes bind-mounted) so the host's /dev is never changed. Datagrams go to OUT, one a line.
set -e
D=$(mktemp -d)
mount -t tmpfs tmpfs "$D"
for f in /dev/* /dev/.[!.]*; do
  [ -e "$f" ] || [ -L "$f" ] || continue
  n=$(basename "$f")
  if [ -L "$f" ]; then cp -P "$f" "$D/$n"
  elif [ -d "$f" ]; then mkdir "$D/$n"; mount --rbind "$f" "$D/$n"
  else touch "$D/$n"; mount --bind "$f" "$D/$n"; fi
done
mount --move "$D" /dev
OUT=$1; shift
python3 -c "
import socket,sys
s=socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM); s.bind('/dev/log')
open(sys.argv[1]+'.ready','w').close()
with open(sys.argv[1],'wb') as f:
  while True:
    d=s.recv(65536); f.write(d+b'\n'); f.flush()
" "$OUT" &
L=$!
while [ ! -e "$OUT.ready" ]; do sleep 0.05; done
"$@" || true
sleep 0.3
kill $L
