package dev.jsyd.sys;

/** x86_64 syscall numbers the native layer calls itself. */
final class Nr {
    private Nr() {}
    static final int READ = 0, WRITE = 1, CLOSE = 3, IOCTL = 16, GETPID = 39, SOCKETPAIR = 53, KILL = 62,
            FCNTL = 72, PRCTL = 157, GETTID = 186, TGKILL = 234, WAITID = 247, OPENAT = 257,
            NEWFSTATAT = 262, READLINKAT = 267, PROCESS_VM_READV = 310, PROCESS_VM_WRITEV = 311,
            SECCOMP = 317, STATX = 332, PIDFD_SEND_SIGNAL = 424, PIDFD_OPEN = 434, OPENAT2 = 437,
            PIDFD_GETFD = 438, POLL = 7, EVENTFD2 = 290, DUP3 = 292, PPOLL = 271, FCHMOD = 91, UMASK = 95;
}
