package dev.jsyd.supervisor;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import dev.jsyd.abi.Errno;
import dev.jsyd.policy.Bytes;
import dev.jsyd.policy.Category;
import dev.jsyd.policy.LockState;
import dev.jsyd.policy.Origin;
import dev.jsyd.policy.Policy;
import dev.jsyd.policy.PolicyException;
import dev.jsyd.policy.RuleEntry;
import dev.jsyd.policy.Sandbox;
import java.io.IOException;
import java.io.InputStream;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.atomic.AtomicReference;

/**
 * The sandbox's mutable policy behind the /dev/syd API: runtime commands are applied to one
 * {@link Policy} under a lock and published as a new immutable {@link Sandbox} snapshot, which
 * every worker picks up at its next request. The lock state decides who may change what:
 * {@code off} anyone; {@code exec} only the initial process (by identity, {@link dev.jsyd.kernel.Members}:
 * its threads and its own execs included, never a later process that gets its pid); {@code drop} only changes that take
 * privileges away; {@code read} nothing (state still readable); {@code on}/{@code ipc} the API is
 * invisible. With no {@code lock:} given the lock becomes {@code on} when the program is executed.
 * An accepted {@code cmd/exec!} command is run outside the sandbox ({@link OutsideCommand}), on
 * a thread of its own started by the supervisor before the program runs: a worker thread is
 * confined ({@link ThreadRole}) and everything it spawned would inherit its filter, which refuses
 * exec.
 */
final class RuntimeApi {
    private final Policy policy;
    private final AtomicReference<Sandbox> current;
    private final Object lock = new Object();
    private final dev.jsyd.kernel.Members members;
    private volatile Runnable onPanic = () -> { };
    private volatile java.util.concurrent.ThreadPoolExecutor outside;

    RuntimeApi(Policy policy, dev.jsyd.kernel.Members members) {
        this.policy = policy;
        this.members = members;
        this.current = new AtomicReference<>(policy.snapshot());
    }

    Sandbox sandbox() { return current.get(); }

    void onPanic(Runnable r) { onPanic = r; }

    /**
     * Starts the thread that runs {@code cmd/exec!} commands, when the lock given lets the program
     * ever send one ({@code off}, {@code exec}); called on the unconfined supervisor thread.
     */
    void startOutsideRunner() {
        LockState l = policy.lock();
        if (l != LockState.OFF && l != LockState.EXEC) return;
        var pool = new java.util.concurrent.ThreadPoolExecutor(1, 1, 0, java.util.concurrent.TimeUnit.SECONDS,
                new java.util.concurrent.LinkedBlockingQueue<>(),
                r -> Thread.ofPlatform().name("syd_exec").daemon(true).unstarted(r));
        pool.prestartCoreThread(); // created here, so it inherits this thread's (un)confinement
        outside = pool;
    }

    /** Stops the {@code cmd/exec!} thread, if any. */
    void close() {
        var pool = outside;
        if (pool != null) pool.shutdownNow();
    }

    private int runOutside(String command) {
        var pool = outside;
        if (pool == null) return Errno.EPERM;
        try {
            return pool.submit(() -> OutsideCommand.run(command)).get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return Errno.EINTR;
        } catch (java.util.concurrent.ExecutionException | java.util.concurrent.RejectedExecutionException e) {
            return Errno.EPERM;
        }
    }

    /** The program was executed: with no lock given, lock the sandbox now. */
    void programExecuted() {
        synchronized (lock) {
            policy.lockIfUnset();
            current.set(policy.snapshot());
        }
    }

    boolean visible(int tid) {
        LockState l = current.get().lock().orElse(null);
        if (l == null) return true; // not yet executed
        return switch (l) {
            case OFF, DROP, READ -> true;
            case EXEC -> members.isInitial(tid);
            case ON, IPC -> false;
        };
    }

    /**
     * Runs {@code command} for thread {@code tid}. {@code stillWaiting} (the notification is still
     * valid) is asked after the last look at who {@code tid} is: while it waits, {@code tid} names
     * the task that asked, so the decision was about that task, not one that got its id later.
     */
    int command(int tid, String command, java.util.function.BooleanSupplier stillWaiting) {
        if (!visible(tid) || !stillWaiting.getAsBoolean()) return Errno.ENOENT;
        synchronized (lock) {
            try {
                if (command.endsWith("?")) return policy.query(Bytes.toUtf8(command)) ? 0 : Errno.ENOENT;
                if (policy.startupOnly(command)) return Errno.EBUSY; // launch-time settings (docs/CONFINE.md)
                policy.applyBytes(command, Origin.runtime());
            } catch (PolicyException e) {
                LockState l = policy.lock();
                return l == LockState.DROP || l == LockState.READ ? Errno.EPERM : Errno.EINVAL;
            }
            current.set(policy.snapshot());
            if (policy.panicked()) onPanic.run();
        }
        // accepted under the lock rules above: run it (outside the lock, a spawn takes time)
        if (OutsideCommand.is(command)) return runOutside(command);
        return 0;
    }

    /** The state as JSON: lock, categories on/off, defaults, rules in order (last wins). */
    String stateJson() {
        Sandbox s = current.get();
        StringWriter out = new StringWriter();
        try (JsonGenerator g = new JsonFactory().createGenerator(out)) {
            g.useDefaultPrettyPrinter();
            g.writeStartObject();
            g.writeNumberField("api", 3);
            g.writeStringField("lock", s.lock().map(LockState::sydName).orElse("unset"));
            g.writeObjectFieldStart("sandbox");
            for (Category c : Category.values()) if (c.canToggle()) g.writeBooleanField(c.sydName(), s.enabled(c));
            g.writeEndObject();
            g.writeObjectFieldStart("default");
            for (Category c : Category.values()) {
                if (s.defaultAction(c) != null) g.writeStringField(c.sydName(), s.defaultAction(c).sydName());
            }
            g.writeEndObject();
            g.writeArrayFieldStart("rules");
            for (Category c : Category.values()) {
                for (RuleEntry r : s.rules(c)) {
                    g.writeStartObject();
                    g.writeStringField("act", r.action().sydName());
                    g.writeStringField("cap", c.sydName());
                    g.writeStringField("pat", Bytes.forLog(r.pattern()));
                    g.writeEndObject();
                }
            }
            g.writeEndArray();
            g.writeEndObject();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toString() + "\n";
    }

    /** The esyd shell functions (resource {@code dev/jsyd/esyd.sh}). */
    static String esydScript() {
        try (InputStream in = RuntimeApi.class.getResourceAsStream("/dev/jsyd/esyd.sh")) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException | NullPointerException e) {
            throw new IllegalStateException("esyd.sh is missing from the jar", e);
        }
    }
}
