package dev.jsyd.sys;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.StructLayout;
import java.lang.foreign.SymbolLookup;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.VarHandle;

/**
 * The one place that links to libc. Most kernel calls go through a single variadic
 * {@code syscall(long, ...)} handle (one handle shape keeps JVM start-up cheap, see
 * shared/design/LAUNCH.md §6); the few libc functions without a syscall equivalent get their
 * own lazily created handles. errno is captured on every call into a per-thread segment and
 * returned as {@code -errno}: callers never read a stale errno.
 */
final class Native {
    private Native() {}

    static final Linker LINKER = Linker.nativeLinker();
    static final SymbolLookup LIBC = LINKER.defaultLookup();
    private static final StructLayout CAPTURE = Linker.Option.captureStateLayout();
    private static final VarHandle ERRNO = CAPTURE.varHandle(
            java.lang.foreign.MemoryLayout.PathElement.groupElement("errno"));

    /** Per-thread errno capture segment; lives as long as the thread (auto arena). */
    private static final ThreadLocal<MemorySegment> CAPTURE_SEGMENT =
            ThreadLocal.withInitial(() -> Arena.ofAuto().allocate(CAPTURE));

    private static final class SyscallHolder {
        static final MethodHandle SYSCALL = LINKER.downcallHandle(
                LIBC.find("syscall").orElseThrow(),
                FunctionDescriptor.of(ValueLayout.JAVA_LONG, ValueLayout.JAVA_LONG,
                        ValueLayout.JAVA_LONG, ValueLayout.JAVA_LONG, ValueLayout.JAVA_LONG,
                        ValueLayout.JAVA_LONG, ValueLayout.JAVA_LONG, ValueLayout.JAVA_LONG),
                Linker.Option.firstVariadicArg(1), Linker.Option.captureCallState("errno"));
    }

    /** Raw system call: the result, or {@code -errno} on failure. */
    static long syscall(long nr, long a, long b, long c, long d, long e, long f) {
        MemorySegment cap = CAPTURE_SEGMENT.get();
        long r;
        try {
            r = (long) SyscallHolder.SYSCALL.invokeExact(cap, nr, a, b, c, d, e, f);
        } catch (Throwable t) {
            throw new AssertionError("syscall downcall failed", t);
        }
        return r == -1 ? -(int) ERRNO.get(cap, 0L) : r;
    }

    static long syscall(long nr) { return syscall(nr, 0, 0, 0, 0, 0, 0); }
    static long syscall(long nr, long a) { return syscall(nr, a, 0, 0, 0, 0, 0); }
    static long syscall(long nr, long a, long b) { return syscall(nr, a, b, 0, 0, 0, 0); }
    static long syscall(long nr, long a, long b, long c) { return syscall(nr, a, b, c, 0, 0, 0); }
    static long syscall(long nr, long a, long b, long c, long d) { return syscall(nr, a, b, c, d, 0, 0); }
    static long syscall(long nr, long a, long b, long c, long d, long e) { return syscall(nr, a, b, c, d, e, 0); }

    /** A libc function handle with errno capture (created on first use by the caller's holder). */
    static MethodHandle libc(String name, FunctionDescriptor fd) {
        return LINKER.downcallHandle(LIBC.find(name).orElseThrow(
                () -> new UnsatisfiedLinkError("libc has no " + name)), fd, Linker.Option.captureCallState("errno"));
    }

    static MemorySegment captureSegment() { return CAPTURE_SEGMENT.get(); }

    static int lastErrno(MemorySegment cap) { return (int) ERRNO.get(cap, 0L); }

    static MemorySegment symbol(String name) {
        return LIBC.find(name).orElseThrow(() -> new UnsatisfiedLinkError("libc has no " + name));
    }
}
