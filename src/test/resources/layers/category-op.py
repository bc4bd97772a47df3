# One call of one sandbox category on the fixtures of a scratch directory.
#   category-op.py DIR setup        creates the fixtures (natively)
#   category-op.py DIR CATEGORY     makes that category's call; prints "CATEGORY ok" or "CATEGORY ERRNO-NAME"
import ctypes, errno, os, shutil, socket, stat, subprocess, sys
d, cat = sys.argv[1], sys.argv[2]
if cat == "setup":
    os.makedirs(d + "/sub/empty")
    for f in ("f", "sub/f"):
        with open(d + "/" + f, "w") as o: o.write("data\n")
    shutil.copy("/bin/true", d + "/x")
    os.chmod(d + "/x", 0o755)
    sys.exit(0)
libc = ctypes.CDLL(None, use_errno=True)
def check(rc):
    if rc < 0: raise OSError(ctypes.get_errno(), os.strerror(ctypes.get_errno()))
def watch(path):
    fd = libc.inotify_init1(0); check(fd)
    check(libc.inotify_add_watch(fd, path.encode(), 0x2))  # IN_MODIFY
def unix(path, connect):
    s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    if connect:
        srv = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM); srv.bind(path); srv.listen()  # bind not checked in this run
        s.connect(path)
    else:
        s.bind(path)
ops = {
    "walk": lambda: os.stat(d + "/sub/f"),
    "stat": lambda: os.stat(d + "/f"),
    "read": lambda: open(d + "/f").read(),
    "write": lambda: os.close(os.open(d + "/f", os.O_WRONLY)),
    "exec": lambda: subprocess.run([d + "/x"], check=True),
    "create": lambda: os.close(os.open(d + "/new", os.O_WRONLY | os.O_CREAT, 0o644)),
    "delete": lambda: os.unlink(d + "/f"),
    "rename": lambda: os.rename(d + "/f", d + "/sub/g"),  # into another directory (Landlock's REFER)
    "symlink": lambda: os.symlink("f", d + "/s"),
    "truncate": lambda: os.truncate(d + "/f", 0),
    "chdir": lambda: os.chdir(d + "/sub"),
    "readdir": lambda: os.listdir(d),
    "mkdir": lambda: os.mkdir(d + "/nd"),
    "rmdir": lambda: os.rmdir(d + "/sub/empty"),
    "chown": lambda: os.chown(d + "/f", 1000, -1),
    "chgrp": lambda: os.chown(d + "/f", -1, 1000),
    "chmod": lambda: os.chmod(d + "/f", 0o600),
    "chattr": lambda: os.setxattr(d + "/f", "user.jsyd", b"1"),
    "chroot": lambda: os.chroot(d + "/sub"),
    "notify": lambda: watch(d + "/f"),
    "utime": lambda: os.utime(d + "/f", (0, 0)),
    "mkbdev": lambda: os.mknod(d + "/b", stat.S_IFBLK | 0o600, os.makedev(7, 0)),
    "mkcdev": lambda: os.mknod(d + "/c", stat.S_IFCHR | 0o600, os.makedev(1, 3)),
    "mkfifo": lambda: os.mkfifo(d + "/p"),
    "mktemp": lambda: os.close(os.open(d, os.O_TMPFILE | os.O_RDWR, 0o600)),
    "net/bind": lambda: unix(d + "/sock", False),
    "net/connect": lambda: unix(d + "/srv", True),
}
try:
    ops[cat]()
    print(cat, "ok")
except subprocess.CalledProcessError as e:
    print(cat, "exit", e.returncode)
except OSError as e:
    print(cat, errno.errorcode.get(e.errno, e.errno))
