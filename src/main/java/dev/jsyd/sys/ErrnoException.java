package dev.jsyd.sys;

import dev.jsyd.abi.Errno;

/** A failed system call: which call, and the errno it gave. The one exception type of the native layer. */
public final class ErrnoException extends Exception {
    private static final long serialVersionUID = 1L;
    private final int errno;

    public ErrnoException(String call, int errno) {
        super(call + ": " + Errno.message(errno) + " (" + Errno.name(errno) + ")", null, false, false);
        this.errno = errno;
    }

    public int errno() { return errno; }

    /** Returns {@code r} when it is not negative, else throws for {@code -r}. */
    static long check(String call, long r) throws ErrnoException {
        if (r < 0) throw new ErrnoException(call, (int) -r);
        return r;
    }
}
