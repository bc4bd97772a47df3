package dev.jsyd.sys;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.StructLayout;
import java.lang.foreign.SymbolLookup;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;

/**
 * The one place that links to libc, through one downcall handle of one shape: {@code (function,
 * errno capture, seven longs) -> long}, variadic from the second long. Kernel calls go to libc's
 * {@code syscall(long, ...)} through it, and the few libc functions without a syscall equivalent
 * (posix_spawn and its file actions, sigaction) are called through it too, their pointer and int
 * arguments passed as longs. That is exact on x86_64 (System V): every such argument travels in an
 * integer register or stack slot of 8 bytes whatever its C type, a callee ignores the argument
 * registers it does not read and the stack slots the caller pops, {@code %al} (set for a variadic
 * call) is read only by variadic callees, and an {@code int} result is the low half of the long
 * (callers truncate). Each distinct handle shape costs a generated stub and ~20 method-handle
 * classes the AOT cache cannot keep (10–25 ms at every start, docs/PERFORMANCE.md "start"); one
 * shape for every call is one stub. errno is captured on every call into a per-thread segment
 * and returned as {@code -errno}: callers never read a stale errno.
 */
final class Native {
    private Native() {}

    static final Linker LINKER = Linker.nativeLinker();
    static final SymbolLookup LIBC = LINKER.defaultLookup();
    private static final StructLayout CAPTURE = Linker.Option.captureStateLayout();
    /** errno's place in the capture segment (a plain read: a VarHandle of its own costs ~10 ms at start). */
    private static final long ERRNO_OFFSET = CAPTURE.byteOffset(
            java.lang.foreign.MemoryLayout.PathElement.groupElement("errno"));

    /** Per-thread errno capture segment; lives as long as the thread (auto arena). */
    private static final ThreadLocal<MemorySegment> CAPTURE_SEGMENT =
            ThreadLocal.withInitial(() -> Arena.ofAuto().allocate(CAPTURE));

    private static final class Downcall {
        static final MethodHandle CALL = LINKER.downcallHandle(
                FunctionDescriptor.of(ValueLayout.JAVA_LONG, ValueLayout.JAVA_LONG,
                        ValueLayout.JAVA_LONG, ValueLayout.JAVA_LONG, ValueLayout.JAVA_LONG,
                        ValueLayout.JAVA_LONG, ValueLayout.JAVA_LONG, ValueLayout.JAVA_LONG),
                Linker.Option.firstVariadicArg(1), Linker.Option.captureCallState("errno"));
        static final MemorySegment SYSCALL = symbol("syscall");
    }

    /** Raw system call: the result, or {@code -errno} on failure. */
    static long syscall(long nr, long a, long b, long c, long d, long e, long f) {
        MemorySegment cap = CAPTURE_SEGMENT.get();
        long r;
        try {
            r = (long) Downcall.CALL.invokeExact(Downcall.SYSCALL, cap, nr, a, b, c, d, e, f);
        } catch (Throwable t) {
            throw new AssertionError("syscall downcall failed", t);
        }
        return r == -1 ? -lastErrno(cap) : r;
    }

    /**
     * Calls the libc {@code function} with up to six integer or pointer arguments (0 for the ones
     * it does not take) and returns its raw result: truncate it to {@code int} for a function that
     * returns one. errno, where the function sets it, is left in {@code cap} ({@link #lastErrno}).
     */
    static long call(MemorySegment function, MemorySegment cap, long a, long b, long c, long d, long e, long f) {
        try {
            return (long) Downcall.CALL.invokeExact(function, cap, a, b, c, d, e, f, 0L);
        } catch (Throwable t) {
            throw new AssertionError("downcall failed", t);
        }
    }

    static long syscall(long nr) { return syscall(nr, 0, 0, 0, 0, 0, 0); }
    static long syscall(long nr, long a) { return syscall(nr, a, 0, 0, 0, 0, 0); }
    static long syscall(long nr, long a, long b) { return syscall(nr, a, b, 0, 0, 0, 0); }
    static long syscall(long nr, long a, long b, long c) { return syscall(nr, a, b, c, 0, 0, 0); }
    static long syscall(long nr, long a, long b, long c, long d) { return syscall(nr, a, b, c, d, 0, 0); }
    static long syscall(long nr, long a, long b, long c, long d, long e) { return syscall(nr, a, b, c, d, e, 0); }

    static MemorySegment captureSegment() { return CAPTURE_SEGMENT.get(); }

    static int lastErrno(MemorySegment cap) { return cap.get(ValueLayout.JAVA_INT, ERRNO_OFFSET); }

    static MemorySegment symbol(String name) {
        return LIBC.find(name).orElseThrow(() -> new UnsatisfiedLinkError("libc has no " + name));
    }
}
