package dev.jsyd.supervisor;

import com.sun.management.HotSpotDiagnosticMXBean;
import java.lang.management.ManagementFactory;
import java.util.concurrent.CompletableFuture;

/**
 * The JVM that runs the supervisor, as a target. Its attach mechanism (jcmd, jstack, agents) lets
 * any process of the same uid that can create {@code /tmp/.attach_pid<pid>} and send it SIGQUIT
 * load native code into it: a sandboxed program did exactly that through an F_SETOWN signal and
 * then ran with the supervisor's capabilities and no filter. {@code bin/syd} starts the JVM with
 * {@code -XX:+DisableAttachMechanism -Xrs}; a sandbox refuses to start in a JVM whose attach
 * mechanism is on (note that {@code -Xrs} alone makes it worse: HotSpot then opens the attach
 * socket at start-up, no signal needed), unless the host says it accepts that with the system
 * property {@value #ALLOW_PROPERTY}{@code =true}.
 */
final class HostJvm {
    private HostJvm() {}

    /** The system property with which a host JVM keeps its attach mechanism anyway. */
    static final String ALLOW_PROPERTY = "jsyd.allowAttachMechanism";

    private static volatile CompletableFuture<String> check;

    /**
     * Why this JVM must not run a sandbox, or null; computed once per JVM on a thread of its own
     * (the management classes take some milliseconds to load: the supervisor launches meanwhile).
     */
    static CompletableFuture<String> problem() {
        CompletableFuture<String> c = check;
        if (c != null) return c;
        synchronized (HostJvm.class) {
            if (check == null) {
                CompletableFuture<String> f = new CompletableFuture<>();
                Thread.ofPlatform().name("syd_hostcheck").daemon(true).start(() -> {
                    f.complete(attachProblem());
                    StartupTimes.mark("attach check (own thread)");
                });
                check = f;
            }
            return check;
        }
    }

    private static String attachProblem() {
        if (Boolean.getBoolean(ALLOW_PROPERTY)) return null;
        try {
            HotSpotDiagnosticMXBean vm = ManagementFactory.getPlatformMXBean(HotSpotDiagnosticMXBean.class);
            if (vm == null || Boolean.parseBoolean(vm.getVMOption("DisableAttachMechanism").getValue())) return null;
        } catch (RuntimeException | LinkageError e) {
            return null; // not HotSpot: no such attach mechanism to worry about
        }
        return "the JVM's attach mechanism is on: a sandboxed program able to signal it could load code into the "
                + "supervisor; start the JVM with -XX:+DisableAttachMechanism (bin/syd does), or set -D"
                + ALLOW_PROPERTY + "=true to accept that";
    }
}
