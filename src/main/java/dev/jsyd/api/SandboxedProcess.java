package dev.jsyd.api;

import dev.jsyd.supervisor.Supervisor;
import java.io.InputStream;
import java.io.OutputStream;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Supplier;

/**
 * A program running in its own sandbox, started by {@link SandboxBuilder#start}. Its exit status
 * follows syd (spec §2): the program's exit code, 128+N when a signal killed it, the errno of a
 * failed exec, 127 on {@code panic}, the deny errno on an {@code exit} action, 124 on timeout;
 * when the supervisor itself failed, the status {@code syd} would exit with and
 * {@link #failure()} says why. Streams are those of {@link java.lang.ProcessBuilder.Redirect#PIPE}
 * redirects; for other redirects they are empty (input) or discard (output).
 */
public final class SandboxedProcess {
    private final long pid;
    private final Supervisor supervisor;
    private final CompletableFuture<Integer> status;
    private final Supplier<String> failure;
    private final OutputStream stdin;
    private final InputStream stdout;
    private final InputStream stderr;

    SandboxedProcess(long pid, Supervisor supervisor, CompletableFuture<Integer> status, Supplier<String> failure,
            OutputStream stdin, InputStream stdout, InputStream stderr) {
        this.pid = pid;
        this.supervisor = supervisor;
        this.status = status;
        this.failure = failure;
        this.stdin = stdin;
        this.stdout = stdout;
        this.stderr = stderr;
    }

    /** A process that never ran and has already exited with {@code status} ({@code panic}). */
    static SandboxedProcess finished(int status) {
        return new SandboxedProcess(-1, null, CompletableFuture.completedFuture(status), () -> null,
                OutputStream.nullOutputStream(), InputStream.nullInputStream(), InputStream.nullInputStream());
    }

    /** The program's pid (the sandbox's first process); -1 if nothing ran. */
    public long pid() { return pid; }

    /** Waits for the sandbox to end and returns its exit status. */
    public int waitFor() throws InterruptedException {
        try {
            return status.get();
        } catch (ExecutionException e) {
            throw new AssertionError(e); // never completed exceptionally
        }
    }

    /** Waits at most {@code timeout}; true when the sandbox has ended. */
    public boolean waitFor(Duration timeout) throws InterruptedException {
        try {
            status.get(timeout.toNanos(), TimeUnit.NANOSECONDS);
            return true;
        } catch (TimeoutException e) {
            return false;
        } catch (ExecutionException e) {
            throw new AssertionError(e);
        }
    }

    /** Completes with the exit status when the sandbox ends. */
    public CompletableFuture<Integer> onExit() { return status.copy(); }

    /** True until the sandbox has ended. */
    public boolean isAlive() { return !status.isDone(); }

    /** The exit status; throws {@link IllegalThreadStateException} while the sandbox runs. */
    public int exitValue() {
        if (!status.isDone()) throw new IllegalThreadStateException("the sandbox is still running");
        return status.join();
    }

    /** Kills the program with SIGKILL (status 137); the rest of the sandbox follows it. */
    public void kill() {
        if (supervisor != null) supervisor.kill();
    }

    /** Why the supervisor failed after the start (the text {@code syd} prints after {@code syd: }), if it did. */
    public Optional<String> failure() {
        return status.isDone() ? Optional.ofNullable(failure.get()) : Optional.empty();
    }

    /** The program's standard output (a {@code PIPE} redirect). */
    public InputStream getInputStream() { return stdout; }

    /** The program's standard error (a {@code PIPE} redirect). */
    public InputStream getErrorStream() { return stderr; }

    /** The program's standard input (a {@code PIPE} redirect); close it to send end of file. */
    public OutputStream getOutputStream() { return stdin; }
}
