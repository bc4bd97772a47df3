package dev.jsyd.sys;

/**
 * One decoded {@code struct seccomp_notif}. Mutable and reused by one worker thread, so that
 * receiving a notification allocates nothing.
 */
public final class Notification {
    public long id;
    public int pid;
    public int flags;
    public int nr;
    public int arch;
    public long instructionPointer;
    public final long[] args = new long[6];

    public long arg(int i) { return args[i]; }

    @Override
    public String toString() {
        return "Notification[id=" + Long.toUnsignedString(id, 16) + ", pid=" + pid + ", nr=" + nr
                + ", arch=0x" + Integer.toHexString(arch) + "]";
    }
}
