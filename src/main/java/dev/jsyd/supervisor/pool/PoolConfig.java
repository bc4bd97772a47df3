package dev.jsyd.supervisor.pool;

import java.time.Duration;
import java.util.Map;
import java.util.Objects;

/**
 * Sizes and timings of a {@link WorkerPool}.
 *
 * @param core         workers started at once that never exit ({@code >= 1})
 * @param max          upper bound of workers, core plus extras ({@code core <= max <= MAX_WORKERS})
 * @param keepAlive    how long an extra worker waits for a request before it retires (>= 1 ms)
 * @param monitorCycle how often the monitor re-checks without being woken (> 0)
 */
public record PoolConfig(int core, int max, Duration keepAlive, Duration monitorCycle) {
    /** Environment variable overriding {@link #core}. */
    public static final String ENV_NPROC = "SYD_NPROC";
    /** Environment variable overriding {@link #max}. */
    public static final String ENV_NPROC_MAX = "SYD_NPROC_MAX";
    /** Sanity bound on {@link #max}: 65535, Syd's pool sizes are {@code u16}. */
    public static final int MAX_WORKERS = 65_535;
    /** Default number of extra workers on top of the core ones. */
    public static final int DEFAULT_EXTRA = 32;
    /** Default keep-alive of extra workers. */
    public static final Duration DEFAULT_KEEP_ALIVE = Duration.ofSeconds(3);
    /** Default monitor cycle. */
    public static final Duration DEFAULT_MONITOR_CYCLE = Duration.ofMillis(250);

    /** Validates the values. */
    public PoolConfig {
        Objects.requireNonNull(keepAlive, "keepAlive");
        Objects.requireNonNull(monitorCycle, "monitorCycle");
        if (core < 1) {
            throw new IllegalArgumentException("core must be at least 1, got " + core);
        }
        if (max < core || max > MAX_WORKERS) {
            throw new IllegalArgumentException(
                    "max must be between core (" + core + ") and " + MAX_WORKERS + ", got " + max);
        }
        if (keepAlive.compareTo(Duration.ofMillis(1)) < 0) {
            throw new IllegalArgumentException("keepAlive must be at least 1 ms, got " + keepAlive);
        }
        if (monitorCycle.isNegative() || monitorCycle.isZero()) {
            throw new IllegalArgumentException("monitorCycle must be positive, got " + monitorCycle);
        }
    }

    /** {@code core} and {@code max} with the default keep-alive and monitor cycle. */
    public static PoolConfig of(int core, int max) {
        return new PoolConfig(core, max, DEFAULT_KEEP_ALIVE, DEFAULT_MONITOR_CYCLE);
    }

    /** The configuration for this process: {@code fromEnvironment(System.getenv())}. */
    public static PoolConfig fromSystemEnvironment() {
        return fromEnvironment(System.getenv());
    }

    /** {@link #fromEnvironment(Map, int)} with the JVM's {@code availableProcessors()}. */
    public static PoolConfig fromEnvironment(Map<String, String> env) {
        return fromEnvironment(env, Runtime.getRuntime().availableProcessors());
    }

    /**
     * Reads {@code SYD_NPROC} and {@code SYD_NPROC_MAX} from {@code env}.
     *
     * <ul>
     *   <li>core = {@code SYD_NPROC}, else {@code cpus};</li>
     *   <li>max = {@code SYD_NPROC_MAX}, else {@code core + 32} (capped at {@link #MAX_WORKERS});</li>
     *   <li>if only {@code SYD_NPROC_MAX} is set and it is below {@code cpus}, core is lowered to
     *       it (the user asked for at most that many threads); if both are set and
     *       {@code SYD_NPROC_MAX < SYD_NPROC}, that is an error.</li>
     * </ul>
     * Values must be plain decimal digits, 1 to 65535; an empty or malformed value is an error
     * (not "unset").
     *
     * @throws IllegalArgumentException naming the variable and the bad value
     */
    public static PoolConfig fromEnvironment(Map<String, String> env, int cpus) {
        Integer nproc = parse(env, ENV_NPROC);
        Integer nprocMax = parse(env, ENV_NPROC_MAX);
        int core = nproc != null ? nproc : Math.max(1, Math.min(cpus, MAX_WORKERS));
        int max;
        if (nprocMax == null) {
            max = Math.min(core + DEFAULT_EXTRA, MAX_WORKERS);
        } else if (nprocMax >= core) {
            max = nprocMax;
        } else if (nproc == null) {
            core = nprocMax;
            max = nprocMax;
        } else {
            throw new IllegalArgumentException(ENV_NPROC_MAX + " (" + nprocMax
                    + ") must not be less than " + ENV_NPROC + " (" + nproc + ")");
        }
        return new PoolConfig(core, max, DEFAULT_KEEP_ALIVE, DEFAULT_MONITOR_CYCLE);
    }

    /** This configuration with another keep-alive. */
    public PoolConfig withKeepAlive(Duration keepAlive) {
        return new PoolConfig(core, max, keepAlive, monitorCycle);
    }

    /** This configuration with another monitor cycle. */
    public PoolConfig withMonitorCycle(Duration monitorCycle) {
        return new PoolConfig(core, max, keepAlive, monitorCycle);
    }

    private static Integer parse(Map<String, String> env, String name) {
        String s = env.get(name);
        if (s == null) {
            return null;
        }
        if (s.isEmpty() || !s.chars().allMatch(c -> c >= '0' && c <= '9')) {
            throw badValue(name, s);
        }
        String digits = s.replaceFirst("^0+", "");
        if (digits.isEmpty()) {
            throw badValue(name, s);
        }
        if (digits.length() > 5 || Integer.parseInt(digits) > MAX_WORKERS) {
            throw new IllegalArgumentException(name + " must be at most " + MAX_WORKERS + ", got '" + s + "'");
        }
        return Integer.parseInt(digits);
    }

    private static IllegalArgumentException badValue(String name, String value) {
        return new IllegalArgumentException(name + " must be a positive integer, got '" + value + "'");
    }
}
