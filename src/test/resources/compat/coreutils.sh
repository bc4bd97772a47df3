# Compatibility workload: coreutils (cp -a, tar c/x, find, sort, du) on a tree with links,
# a FIFO, odd modes and another owner.
set -e
mkdir -p tree/sub/deeper
for i in 1 2 3; do echo "file $i" > tree/sub/f$i; done
head -c 50000 /dev/zero | tr '\0' x > tree/big
ln -s sub/f1 tree/link
ln tree/sub/f2 tree/hard
mkfifo tree/fifo
chmod 0640 tree/sub/f3
chmod 1777 tree/sub/deeper
chown 1234:2345 tree/sub/f1
touch -h -d '2001-02-03 04:05:06' tree/sub/f2 tree/link
cp -a tree copy
tar cf tree.tar --sort=name --mtime='2001-01-01 00:00:00' --numeric-owner tree
mkdir unpacked && tar xf tree.tar -C unpacked
find tree copy unpacked -printf '%p %y %m %U:%G %l\n' | LC_ALL=C sort
du -sb tree copy unpacked/tree
seq 1 200 | sort -rn | head -3
sort -t: -k3 -n /etc/passwd | head -1 | cut -d: -f1
stat -c '%n %Y %h' copy/sub/f2 copy/hard
