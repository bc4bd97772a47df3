package dev.jsyd.abi;

/** Landlock access rights and scopes (include/uapi/linux/landlock.h). */
public final class Landlock {
    private Landlock() {}

    // Filesystem rights; the ABI that introduced each is in confine.LandlockRules.fsRights.
    public static final long EXECUTE = 1L, WRITE_FILE = 1L << 1, READ_FILE = 1L << 2, READ_DIR = 1L << 3,
            REMOVE_DIR = 1L << 4, REMOVE_FILE = 1L << 5, MAKE_CHAR = 1L << 6, MAKE_DIR = 1L << 7, MAKE_REG = 1L << 8,
            MAKE_SOCK = 1L << 9, MAKE_FIFO = 1L << 10, MAKE_BLOCK = 1L << 11, MAKE_SYM = 1L << 12, REFER = 1L << 13,
            TRUNCATE = 1L << 14, IOCTL_DEV = 1L << 15;
    /** Network rights (ABI 4). */
    public static final long BIND_TCP = 1L, CONNECT_TCP = 1L << 1;
    /** Scopes (ABI 6). */
    public static final long SCOPE_ABSTRACT_UNIX = 1L, SCOPE_SIGNAL = 1L << 1;

    /** The rights that apply to a file that is not a directory. */
    public static final long FILE_RIGHTS = EXECUTE | WRITE_FILE | READ_FILE | TRUNCATE | IOCTL_DEV;
}
