package dev.jsyd.cli;

import java.io.ByteArrayOutputStream;
import java.util.function.Consumer;

/** The in-memory copy of a sandbox's log that the learner and the report read ({@code SandboxBuilder.logCopy}). */
final class LogBuffer implements Consumer<byte[]> {
    private final ByteArrayOutputStream buffer = new ByteArrayOutputStream(1 << 16);

    /** Appends one record; called from the supervisor's threads, never blocks on I/O. */
    @Override
    public synchronized void accept(byte[] line) { buffer.writeBytes(line); }

    /** Everything recorded so far. */
    synchronized byte[] bytes() { return buffer.toByteArray(); }
}
