package dev.jsyd.abi;

import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;

/**
 * The x86_64 system call table: the "common" and "64" entries of the kernel's
 * {@code arch/x86/entry/syscalls/syscall_64.tbl} of Linux v6.19.9 (the x32 entries 512+ are
 * not listed; 337..423 are unused on x86_64). Facts only: names exactly as in the table,
 * constants spelled as {@code __NR_name} in upper case without the prefix.
 *
 * <p>GENERATED from {@code src/test/resources/abi/syscall_64.tbl} by
 * {@code SyscallsSource} (test scope); do not edit by hand.
 */
public final class Syscalls {
    private Syscalls() {}

    /** Audit arch of this table. */
    public static final int AUDIT_ARCH = Audit.AUDIT_ARCH_X86_64;

    /** The kernel release whose table this is. */
    public static final String KERNEL = "v6.19.9";

    public static final int READ = 0;
    public static final int WRITE = 1;
    public static final int OPEN = 2;
    public static final int CLOSE = 3;
    public static final int STAT = 4;
    public static final int FSTAT = 5;
    public static final int LSTAT = 6;
    public static final int POLL = 7;
    public static final int LSEEK = 8;
    public static final int MMAP = 9;
    public static final int MPROTECT = 10;
    public static final int MUNMAP = 11;
    public static final int BRK = 12;
    public static final int RT_SIGACTION = 13;
    public static final int RT_SIGPROCMASK = 14;
    public static final int RT_SIGRETURN = 15;
    public static final int IOCTL = 16;
    public static final int PREAD64 = 17;
    public static final int PWRITE64 = 18;
    public static final int READV = 19;
    public static final int WRITEV = 20;
    public static final int ACCESS = 21;
    public static final int PIPE = 22;
    public static final int SELECT = 23;
    public static final int SCHED_YIELD = 24;
    public static final int MREMAP = 25;
    public static final int MSYNC = 26;
    public static final int MINCORE = 27;
    public static final int MADVISE = 28;
    public static final int SHMGET = 29;
    public static final int SHMAT = 30;
    public static final int SHMCTL = 31;
    public static final int DUP = 32;
    public static final int DUP2 = 33;
    public static final int PAUSE = 34;
    public static final int NANOSLEEP = 35;
    public static final int GETITIMER = 36;
    public static final int ALARM = 37;
    public static final int SETITIMER = 38;
    public static final int GETPID = 39;
    public static final int SENDFILE = 40;
    public static final int SOCKET = 41;
    public static final int CONNECT = 42;
    public static final int ACCEPT = 43;
    public static final int SENDTO = 44;
    public static final int RECVFROM = 45;
    public static final int SENDMSG = 46;
    public static final int RECVMSG = 47;
    public static final int SHUTDOWN = 48;
    public static final int BIND = 49;
    public static final int LISTEN = 50;
    public static final int GETSOCKNAME = 51;
    public static final int GETPEERNAME = 52;
    public static final int SOCKETPAIR = 53;
    public static final int SETSOCKOPT = 54;
    public static final int GETSOCKOPT = 55;
    public static final int CLONE = 56;
    public static final int FORK = 57;
    public static final int VFORK = 58;
    public static final int EXECVE = 59;
    public static final int EXIT = 60;
    public static final int WAIT4 = 61;
    public static final int KILL = 62;
    public static final int UNAME = 63;
    public static final int SEMGET = 64;
    public static final int SEMOP = 65;
    public static final int SEMCTL = 66;
    public static final int SHMDT = 67;
    public static final int MSGGET = 68;
    public static final int MSGSND = 69;
    public static final int MSGRCV = 70;
    public static final int MSGCTL = 71;
    public static final int FCNTL = 72;
    public static final int FLOCK = 73;
    public static final int FSYNC = 74;
    public static final int FDATASYNC = 75;
    public static final int TRUNCATE = 76;
    public static final int FTRUNCATE = 77;
    public static final int GETDENTS = 78;
    public static final int GETCWD = 79;
    public static final int CHDIR = 80;
    public static final int FCHDIR = 81;
    public static final int RENAME = 82;
    public static final int MKDIR = 83;
    public static final int RMDIR = 84;
    public static final int CREAT = 85;
    public static final int LINK = 86;
    public static final int UNLINK = 87;
    public static final int SYMLINK = 88;
    public static final int READLINK = 89;
    public static final int CHMOD = 90;
    public static final int FCHMOD = 91;
    public static final int CHOWN = 92;
    public static final int FCHOWN = 93;
    public static final int LCHOWN = 94;
    public static final int UMASK = 95;
    public static final int GETTIMEOFDAY = 96;
    public static final int GETRLIMIT = 97;
    public static final int GETRUSAGE = 98;
    public static final int SYSINFO = 99;
    public static final int TIMES = 100;
    public static final int PTRACE = 101;
    public static final int GETUID = 102;
    public static final int SYSLOG = 103;
    public static final int GETGID = 104;
    public static final int SETUID = 105;
    public static final int SETGID = 106;
    public static final int GETEUID = 107;
    public static final int GETEGID = 108;
    public static final int SETPGID = 109;
    public static final int GETPPID = 110;
    public static final int GETPGRP = 111;
    public static final int SETSID = 112;
    public static final int SETREUID = 113;
    public static final int SETREGID = 114;
    public static final int GETGROUPS = 115;
    public static final int SETGROUPS = 116;
    public static final int SETRESUID = 117;
    public static final int GETRESUID = 118;
    public static final int SETRESGID = 119;
    public static final int GETRESGID = 120;
    public static final int GETPGID = 121;
    public static final int SETFSUID = 122;
    public static final int SETFSGID = 123;
    public static final int GETSID = 124;
    public static final int CAPGET = 125;
    public static final int CAPSET = 126;
    public static final int RT_SIGPENDING = 127;
    public static final int RT_SIGTIMEDWAIT = 128;
    public static final int RT_SIGQUEUEINFO = 129;
    public static final int RT_SIGSUSPEND = 130;
    public static final int SIGALTSTACK = 131;
    public static final int UTIME = 132;
    public static final int MKNOD = 133;
    public static final int USELIB = 134;
    public static final int PERSONALITY = 135;
    public static final int USTAT = 136;
    public static final int STATFS = 137;
    public static final int FSTATFS = 138;
    public static final int SYSFS = 139;
    public static final int GETPRIORITY = 140;
    public static final int SETPRIORITY = 141;
    public static final int SCHED_SETPARAM = 142;
    public static final int SCHED_GETPARAM = 143;
    public static final int SCHED_SETSCHEDULER = 144;
    public static final int SCHED_GETSCHEDULER = 145;
    public static final int SCHED_GET_PRIORITY_MAX = 146;
    public static final int SCHED_GET_PRIORITY_MIN = 147;
    public static final int SCHED_RR_GET_INTERVAL = 148;
    public static final int MLOCK = 149;
    public static final int MUNLOCK = 150;
    public static final int MLOCKALL = 151;
    public static final int MUNLOCKALL = 152;
    public static final int VHANGUP = 153;
    public static final int MODIFY_LDT = 154;
    public static final int PIVOT_ROOT = 155;
    public static final int _SYSCTL = 156;
    public static final int PRCTL = 157;
    public static final int ARCH_PRCTL = 158;
    public static final int ADJTIMEX = 159;
    public static final int SETRLIMIT = 160;
    public static final int CHROOT = 161;
    public static final int SYNC = 162;
    public static final int ACCT = 163;
    public static final int SETTIMEOFDAY = 164;
    public static final int MOUNT = 165;
    public static final int UMOUNT2 = 166;
    public static final int SWAPON = 167;
    public static final int SWAPOFF = 168;
    public static final int REBOOT = 169;
    public static final int SETHOSTNAME = 170;
    public static final int SETDOMAINNAME = 171;
    public static final int IOPL = 172;
    public static final int IOPERM = 173;
    public static final int CREATE_MODULE = 174;
    public static final int INIT_MODULE = 175;
    public static final int DELETE_MODULE = 176;
    public static final int GET_KERNEL_SYMS = 177;
    public static final int QUERY_MODULE = 178;
    public static final int QUOTACTL = 179;
    public static final int NFSSERVCTL = 180;
    public static final int GETPMSG = 181;
    public static final int PUTPMSG = 182;
    public static final int AFS_SYSCALL = 183;
    public static final int TUXCALL = 184;
    public static final int SECURITY = 185;
    public static final int GETTID = 186;
    public static final int READAHEAD = 187;
    public static final int SETXATTR = 188;
    public static final int LSETXATTR = 189;
    public static final int FSETXATTR = 190;
    public static final int GETXATTR = 191;
    public static final int LGETXATTR = 192;
    public static final int FGETXATTR = 193;
    public static final int LISTXATTR = 194;
    public static final int LLISTXATTR = 195;
    public static final int FLISTXATTR = 196;
    public static final int REMOVEXATTR = 197;
    public static final int LREMOVEXATTR = 198;
    public static final int FREMOVEXATTR = 199;
    public static final int TKILL = 200;
    public static final int TIME = 201;
    public static final int FUTEX = 202;
    public static final int SCHED_SETAFFINITY = 203;
    public static final int SCHED_GETAFFINITY = 204;
    public static final int SET_THREAD_AREA = 205;
    public static final int IO_SETUP = 206;
    public static final int IO_DESTROY = 207;
    public static final int IO_GETEVENTS = 208;
    public static final int IO_SUBMIT = 209;
    public static final int IO_CANCEL = 210;
    public static final int GET_THREAD_AREA = 211;
    public static final int LOOKUP_DCOOKIE = 212;
    public static final int EPOLL_CREATE = 213;
    public static final int EPOLL_CTL_OLD = 214;
    public static final int EPOLL_WAIT_OLD = 215;
    public static final int REMAP_FILE_PAGES = 216;
    public static final int GETDENTS64 = 217;
    public static final int SET_TID_ADDRESS = 218;
    public static final int RESTART_SYSCALL = 219;
    public static final int SEMTIMEDOP = 220;
    public static final int FADVISE64 = 221;
    public static final int TIMER_CREATE = 222;
    public static final int TIMER_SETTIME = 223;
    public static final int TIMER_GETTIME = 224;
    public static final int TIMER_GETOVERRUN = 225;
    public static final int TIMER_DELETE = 226;
    public static final int CLOCK_SETTIME = 227;
    public static final int CLOCK_GETTIME = 228;
    public static final int CLOCK_GETRES = 229;
    public static final int CLOCK_NANOSLEEP = 230;
    public static final int EXIT_GROUP = 231;
    public static final int EPOLL_WAIT = 232;
    public static final int EPOLL_CTL = 233;
    public static final int TGKILL = 234;
    public static final int UTIMES = 235;
    public static final int VSERVER = 236;
    public static final int MBIND = 237;
    public static final int SET_MEMPOLICY = 238;
    public static final int GET_MEMPOLICY = 239;
    public static final int MQ_OPEN = 240;
    public static final int MQ_UNLINK = 241;
    public static final int MQ_TIMEDSEND = 242;
    public static final int MQ_TIMEDRECEIVE = 243;
    public static final int MQ_NOTIFY = 244;
    public static final int MQ_GETSETATTR = 245;
    public static final int KEXEC_LOAD = 246;
    public static final int WAITID = 247;
    public static final int ADD_KEY = 248;
    public static final int REQUEST_KEY = 249;
    public static final int KEYCTL = 250;
    public static final int IOPRIO_SET = 251;
    public static final int IOPRIO_GET = 252;
    public static final int INOTIFY_INIT = 253;
    public static final int INOTIFY_ADD_WATCH = 254;
    public static final int INOTIFY_RM_WATCH = 255;
    public static final int MIGRATE_PAGES = 256;
    public static final int OPENAT = 257;
    public static final int MKDIRAT = 258;
    public static final int MKNODAT = 259;
    public static final int FCHOWNAT = 260;
    public static final int FUTIMESAT = 261;
    public static final int NEWFSTATAT = 262;
    public static final int UNLINKAT = 263;
    public static final int RENAMEAT = 264;
    public static final int LINKAT = 265;
    public static final int SYMLINKAT = 266;
    public static final int READLINKAT = 267;
    public static final int FCHMODAT = 268;
    public static final int FACCESSAT = 269;
    public static final int PSELECT6 = 270;
    public static final int PPOLL = 271;
    public static final int UNSHARE = 272;
    public static final int SET_ROBUST_LIST = 273;
    public static final int GET_ROBUST_LIST = 274;
    public static final int SPLICE = 275;
    public static final int TEE = 276;
    public static final int SYNC_FILE_RANGE = 277;
    public static final int VMSPLICE = 278;
    public static final int MOVE_PAGES = 279;
    public static final int UTIMENSAT = 280;
    public static final int EPOLL_PWAIT = 281;
    public static final int SIGNALFD = 282;
    public static final int TIMERFD_CREATE = 283;
    public static final int EVENTFD = 284;
    public static final int FALLOCATE = 285;
    public static final int TIMERFD_SETTIME = 286;
    public static final int TIMERFD_GETTIME = 287;
    public static final int ACCEPT4 = 288;
    public static final int SIGNALFD4 = 289;
    public static final int EVENTFD2 = 290;
    public static final int EPOLL_CREATE1 = 291;
    public static final int DUP3 = 292;
    public static final int PIPE2 = 293;
    public static final int INOTIFY_INIT1 = 294;
    public static final int PREADV = 295;
    public static final int PWRITEV = 296;
    public static final int RT_TGSIGQUEUEINFO = 297;
    public static final int PERF_EVENT_OPEN = 298;
    public static final int RECVMMSG = 299;
    public static final int FANOTIFY_INIT = 300;
    public static final int FANOTIFY_MARK = 301;
    public static final int PRLIMIT64 = 302;
    public static final int NAME_TO_HANDLE_AT = 303;
    public static final int OPEN_BY_HANDLE_AT = 304;
    public static final int CLOCK_ADJTIME = 305;
    public static final int SYNCFS = 306;
    public static final int SENDMMSG = 307;
    public static final int SETNS = 308;
    public static final int GETCPU = 309;
    public static final int PROCESS_VM_READV = 310;
    public static final int PROCESS_VM_WRITEV = 311;
    public static final int KCMP = 312;
    public static final int FINIT_MODULE = 313;
    public static final int SCHED_SETATTR = 314;
    public static final int SCHED_GETATTR = 315;
    public static final int RENAMEAT2 = 316;
    public static final int SECCOMP = 317;
    public static final int GETRANDOM = 318;
    public static final int MEMFD_CREATE = 319;
    public static final int KEXEC_FILE_LOAD = 320;
    public static final int BPF = 321;
    public static final int EXECVEAT = 322;
    public static final int USERFAULTFD = 323;
    public static final int MEMBARRIER = 324;
    public static final int MLOCK2 = 325;
    public static final int COPY_FILE_RANGE = 326;
    public static final int PREADV2 = 327;
    public static final int PWRITEV2 = 328;
    public static final int PKEY_MPROTECT = 329;
    public static final int PKEY_ALLOC = 330;
    public static final int PKEY_FREE = 331;
    public static final int STATX = 332;
    public static final int IO_PGETEVENTS = 333;
    public static final int RSEQ = 334;
    public static final int URETPROBE = 335;
    public static final int UPROBE = 336;
    public static final int PIDFD_SEND_SIGNAL = 424;
    public static final int IO_URING_SETUP = 425;
    public static final int IO_URING_ENTER = 426;
    public static final int IO_URING_REGISTER = 427;
    public static final int OPEN_TREE = 428;
    public static final int MOVE_MOUNT = 429;
    public static final int FSOPEN = 430;
    public static final int FSCONFIG = 431;
    public static final int FSMOUNT = 432;
    public static final int FSPICK = 433;
    public static final int PIDFD_OPEN = 434;
    public static final int CLONE3 = 435;
    public static final int CLOSE_RANGE = 436;
    public static final int OPENAT2 = 437;
    public static final int PIDFD_GETFD = 438;
    public static final int FACCESSAT2 = 439;
    public static final int PROCESS_MADVISE = 440;
    public static final int EPOLL_PWAIT2 = 441;
    public static final int MOUNT_SETATTR = 442;
    public static final int QUOTACTL_FD = 443;
    public static final int LANDLOCK_CREATE_RULESET = 444;
    public static final int LANDLOCK_ADD_RULE = 445;
    public static final int LANDLOCK_RESTRICT_SELF = 446;
    public static final int MEMFD_SECRET = 447;
    public static final int PROCESS_MRELEASE = 448;
    public static final int FUTEX_WAITV = 449;
    public static final int SET_MEMPOLICY_HOME_NODE = 450;
    public static final int CACHESTAT = 451;
    public static final int FCHMODAT2 = 452;
    public static final int MAP_SHADOW_STACK = 453;
    public static final int FUTEX_WAKE = 454;
    public static final int FUTEX_WAIT = 455;
    public static final int FUTEX_REQUEUE = 456;
    public static final int STATMOUNT = 457;
    public static final int LISTMOUNT = 458;
    public static final int LSM_GET_SELF_ATTR = 459;
    public static final int LSM_SET_SELF_ATTR = 460;
    public static final int LSM_LIST_MODULES = 461;
    public static final int MSEAL = 462;
    public static final int SETXATTRAT = 463;
    public static final int GETXATTRAT = 464;
    public static final int LISTXATTRAT = 465;
    public static final int REMOVEXATTRAT = 466;
    public static final int OPEN_TREE_ATTR = 467;
    public static final int FILE_GETATTR = 468;
    public static final int FILE_SETATTR = 469;
    public static final int LISTNS = 470;

    /** One line per entry: number, name. */
    private static final String TABLE = """
        0 read
        1 write
        2 open
        3 close
        4 stat
        5 fstat
        6 lstat
        7 poll
        8 lseek
        9 mmap
        10 mprotect
        11 munmap
        12 brk
        13 rt_sigaction
        14 rt_sigprocmask
        15 rt_sigreturn
        16 ioctl
        17 pread64
        18 pwrite64
        19 readv
        20 writev
        21 access
        22 pipe
        23 select
        24 sched_yield
        25 mremap
        26 msync
        27 mincore
        28 madvise
        29 shmget
        30 shmat
        31 shmctl
        32 dup
        33 dup2
        34 pause
        35 nanosleep
        36 getitimer
        37 alarm
        38 setitimer
        39 getpid
        40 sendfile
        41 socket
        42 connect
        43 accept
        44 sendto
        45 recvfrom
        46 sendmsg
        47 recvmsg
        48 shutdown
        49 bind
        50 listen
        51 getsockname
        52 getpeername
        53 socketpair
        54 setsockopt
        55 getsockopt
        56 clone
        57 fork
        58 vfork
        59 execve
        60 exit
        61 wait4
        62 kill
        63 uname
        64 semget
        65 semop
        66 semctl
        67 shmdt
        68 msgget
        69 msgsnd
        70 msgrcv
        71 msgctl
        72 fcntl
        73 flock
        74 fsync
        75 fdatasync
        76 truncate
        77 ftruncate
        78 getdents
        79 getcwd
        80 chdir
        81 fchdir
        82 rename
        83 mkdir
        84 rmdir
        85 creat
        86 link
        87 unlink
        88 symlink
        89 readlink
        90 chmod
        91 fchmod
        92 chown
        93 fchown
        94 lchown
        95 umask
        96 gettimeofday
        97 getrlimit
        98 getrusage
        99 sysinfo
        100 times
        101 ptrace
        102 getuid
        103 syslog
        104 getgid
        105 setuid
        106 setgid
        107 geteuid
        108 getegid
        109 setpgid
        110 getppid
        111 getpgrp
        112 setsid
        113 setreuid
        114 setregid
        115 getgroups
        116 setgroups
        117 setresuid
        118 getresuid
        119 setresgid
        120 getresgid
        121 getpgid
        122 setfsuid
        123 setfsgid
        124 getsid
        125 capget
        126 capset
        127 rt_sigpending
        128 rt_sigtimedwait
        129 rt_sigqueueinfo
        130 rt_sigsuspend
        131 sigaltstack
        132 utime
        133 mknod
        134 uselib
        135 personality
        136 ustat
        137 statfs
        138 fstatfs
        139 sysfs
        140 getpriority
        141 setpriority
        142 sched_setparam
        143 sched_getparam
        144 sched_setscheduler
        145 sched_getscheduler
        146 sched_get_priority_max
        147 sched_get_priority_min
        148 sched_rr_get_interval
        149 mlock
        150 munlock
        151 mlockall
        152 munlockall
        153 vhangup
        154 modify_ldt
        155 pivot_root
        156 _sysctl
        157 prctl
        158 arch_prctl
        159 adjtimex
        160 setrlimit
        161 chroot
        162 sync
        163 acct
        164 settimeofday
        165 mount
        166 umount2
        167 swapon
        168 swapoff
        169 reboot
        170 sethostname
        171 setdomainname
        172 iopl
        173 ioperm
        174 create_module
        175 init_module
        176 delete_module
        177 get_kernel_syms
        178 query_module
        179 quotactl
        180 nfsservctl
        181 getpmsg
        182 putpmsg
        183 afs_syscall
        184 tuxcall
        185 security
        186 gettid
        187 readahead
        188 setxattr
        189 lsetxattr
        190 fsetxattr
        191 getxattr
        192 lgetxattr
        193 fgetxattr
        194 listxattr
        195 llistxattr
        196 flistxattr
        197 removexattr
        198 lremovexattr
        199 fremovexattr
        200 tkill
        201 time
        202 futex
        203 sched_setaffinity
        204 sched_getaffinity
        205 set_thread_area
        206 io_setup
        207 io_destroy
        208 io_getevents
        209 io_submit
        210 io_cancel
        211 get_thread_area
        212 lookup_dcookie
        213 epoll_create
        214 epoll_ctl_old
        215 epoll_wait_old
        216 remap_file_pages
        217 getdents64
        218 set_tid_address
        219 restart_syscall
        220 semtimedop
        221 fadvise64
        222 timer_create
        223 timer_settime
        224 timer_gettime
        225 timer_getoverrun
        226 timer_delete
        227 clock_settime
        228 clock_gettime
        229 clock_getres
        230 clock_nanosleep
        231 exit_group
        232 epoll_wait
        233 epoll_ctl
        234 tgkill
        235 utimes
        236 vserver
        237 mbind
        238 set_mempolicy
        239 get_mempolicy
        240 mq_open
        241 mq_unlink
        242 mq_timedsend
        243 mq_timedreceive
        244 mq_notify
        245 mq_getsetattr
        246 kexec_load
        247 waitid
        248 add_key
        249 request_key
        250 keyctl
        251 ioprio_set
        252 ioprio_get
        253 inotify_init
        254 inotify_add_watch
        255 inotify_rm_watch
        256 migrate_pages
        257 openat
        258 mkdirat
        259 mknodat
        260 fchownat
        261 futimesat
        262 newfstatat
        263 unlinkat
        264 renameat
        265 linkat
        266 symlinkat
        267 readlinkat
        268 fchmodat
        269 faccessat
        270 pselect6
        271 ppoll
        272 unshare
        273 set_robust_list
        274 get_robust_list
        275 splice
        276 tee
        277 sync_file_range
        278 vmsplice
        279 move_pages
        280 utimensat
        281 epoll_pwait
        282 signalfd
        283 timerfd_create
        284 eventfd
        285 fallocate
        286 timerfd_settime
        287 timerfd_gettime
        288 accept4
        289 signalfd4
        290 eventfd2
        291 epoll_create1
        292 dup3
        293 pipe2
        294 inotify_init1
        295 preadv
        296 pwritev
        297 rt_tgsigqueueinfo
        298 perf_event_open
        299 recvmmsg
        300 fanotify_init
        301 fanotify_mark
        302 prlimit64
        303 name_to_handle_at
        304 open_by_handle_at
        305 clock_adjtime
        306 syncfs
        307 sendmmsg
        308 setns
        309 getcpu
        310 process_vm_readv
        311 process_vm_writev
        312 kcmp
        313 finit_module
        314 sched_setattr
        315 sched_getattr
        316 renameat2
        317 seccomp
        318 getrandom
        319 memfd_create
        320 kexec_file_load
        321 bpf
        322 execveat
        323 userfaultfd
        324 membarrier
        325 mlock2
        326 copy_file_range
        327 preadv2
        328 pwritev2
        329 pkey_mprotect
        330 pkey_alloc
        331 pkey_free
        332 statx
        333 io_pgetevents
        334 rseq
        335 uretprobe
        336 uprobe
        424 pidfd_send_signal
        425 io_uring_setup
        426 io_uring_enter
        427 io_uring_register
        428 open_tree
        429 move_mount
        430 fsopen
        431 fsconfig
        432 fsmount
        433 fspick
        434 pidfd_open
        435 clone3
        436 close_range
        437 openat2
        438 pidfd_getfd
        439 faccessat2
        440 process_madvise
        441 epoll_pwait2
        442 mount_setattr
        443 quotactl_fd
        444 landlock_create_ruleset
        445 landlock_add_rule
        446 landlock_restrict_self
        447 memfd_secret
        448 process_mrelease
        449 futex_waitv
        450 set_mempolicy_home_node
        451 cachestat
        452 fchmodat2
        453 map_shadow_stack
        454 futex_wake
        455 futex_wait
        456 futex_requeue
        457 statmount
        458 listmount
        459 lsm_get_self_attr
        460 lsm_set_self_attr
        461 lsm_list_modules
        462 mseal
        463 setxattrat
        464 getxattrat
        465 listxattrat
        466 removexattrat
        467 open_tree_attr
        468 file_getattr
        469 file_setattr
        470 listns
        """;

    private static final String[] NAMES;
    private static final Map<String, Integer> NUMBERS = new HashMap<>();
    private static final int[] ALL;

    static {
        String[] lines = TABLE.strip().split("\n");
        int max = 0;
        int[] nrs = new int[lines.length];
        String[] names = new String[lines.length];
        for (int i = 0; i < lines.length; i++) {
            String[] f = lines[i].strip().split(" ");
            nrs[i] = Integer.parseInt(f[0]);
            names[i] = f[1];
            max = Math.max(max, nrs[i]);
        }
        NAMES = new String[max + 1];
        for (int i = 0; i < nrs.length; i++) {
            if (NAMES[nrs[i]] != null || NUMBERS.put(names[i], nrs[i]) != null) {
                throw new ExceptionInInitializerError("duplicate syscall entry: " + lines[i]);
            }
            NAMES[nrs[i]] = names[i];
        }
        ALL = Arrays.stream(nrs).sorted().toArray();
    }

    /** The number of a syscall by its table name ({@code "openat"}), or -1 if unknown. */
    public static int number(String name) {
        Integer nr = name == null ? null : NUMBERS.get(name);
        return nr == null ? -1 : nr;
    }

    /** The table name of a syscall number, or null if the number is not an x86_64 syscall. */
    public static String name(int nr) {
        return nr >= 0 && nr < NAMES.length ? NAMES[nr] : null;
    }

    /** Every syscall number of the table, ascending. */
    public static int[] all() {
        return ALL.clone();
    }

    /** The highest syscall number in the table. */
    public static int max() {
        return NAMES.length - 1;
    }
}
