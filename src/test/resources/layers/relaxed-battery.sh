# What the one-way switches of syd --api promise: each line prints the same natively and under
# syd with every such switch at the value this version supports (the relaxed behaviour holds).
# $1: a scratch directory.
d=$1
nice -n 5 sh -c 'echo nice ok'                                        # allow_unsafe_nice
taskset -c 0 sh -c 'echo cpu ok'                                      # allow_unsafe_cpu
prlimit --nofile=256 sh -c 'ulimit -n'                                # allow_unsafe_prlimit
uname -srm                                                            # allow_unsafe_uname
q=$(ipcmk -Q | awk '{print $NF}') && ipcrm -q "$q" && echo msgqueue ok   # allow_unsafe_msgqueue, _msgsnd, _perm_msgqueue
m=$(ipcmk -M 4096 | awk '{print $NF}') && ipcrm -m "$m" && echo shm ok   # allow_unsafe_shm, _perm_shm
touch "$d/a:b*c?" && echo filename ok                                 # allow_unsafe_filename
touch "$d/f" && ln "$d/f" "$d/g" && echo hardlink ok                  # allow_unsafe_hardlinks
ln -s "$d/f" "$d/s" && cat "$d/s" && echo symlink ok                  # allow_unsafe_symlinks
chown 1000:1000 "$d/f" && echo chown ok                               # allow_unsafe_chown
stat -c '%t %T %F' /dev/null                                          # allow_unsafe_stat_cdev, _open_cdev
grep -c '\[vdso\]' /proc/self/maps                                    # deny_vdso:0
setarch x86_64 sh -c 'echo personality ok'                            # lock_personality:0
python3 - "$d" <<'PY'
import ctypes, mmap, os, socket, sys
d = sys.argv[1]
m = mmap.mmap(-1, 1 << 16); m.madvise(mmap.MADV_DONTNEED); print("madvise ok")          # allow_unsafe_madvise
libc = ctypes.CDLL(None, use_errno=True)
print("prctl", libc.prctl(15, b"jsyd-name", 0, 0, 0))                                   # allow_unsafe_prctl
vec = ctypes.create_string_buffer(16)
buf = mmap.mmap(-1, 4096); addr = ctypes.addressof(ctypes.c_char.from_buffer(buf))
print("mincore", libc.mincore(ctypes.c_void_p(addr), 4096, vec))                        # allow_unsafe_page_cache
os.setxattr(d + "/f", "user.jsyd", b"1"); print("xattr", os.getxattr(d + "/f", "user.jsyd"))  # allow_unsafe_xattr
srv = socket.socket(); srv.bind(("127.0.0.1", 0)); srv.listen()
c = socket.socket(); c.connect(srv.getsockname()); a, _ = srv.accept()
c.setsockopt(socket.SOL_SOCKET, socket.SO_KEEPALIVE, 1); print("setsockopt ok")         # allow_unsafe_setsockopt
c.send(b"x", socket.MSG_OOB); print("oob", a.recv(1, socket.MSG_OOB))                   # allow_unsafe_oob
u = socket.socket(socket.AF_INET, socket.SOCK_DGRAM); r = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
r.bind(("127.0.0.1", 0))
pkt = bytes(12)  # struct in_pktinfo: ifindex 0, spec_dst 0.0.0.0, addr 0.0.0.0
u.sendmsg([b"p"], [(socket.IPPROTO_IP, 8, pkt)], 0, r.getsockname())  # allow_unsafe_ip_pktinfo
print("pktinfo", r.recv(1))
PY
