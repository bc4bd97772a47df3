package dev.jsyd.kernel;

import dev.jsyd.abi.Errno;

/** A path could not be resolved: the errno the kernel would have given the program. */
public final class ResolveException extends Exception {
    private static final long serialVersionUID = 1L;
    private final int errno;

    public ResolveException(int errno) {
        super(Errno.name(errno), null, false, false);
        this.errno = errno;
    }

    public int errno() { return errno; }
}
