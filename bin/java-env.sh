# Sourced by bin/* scripts: finds Java 25 and the project root, builds the jar when it is stale.
# The JDK found is JSYD_JAVA_HOME, not exported: the sandboxed program must not see it (JAVA_HOME
# is left as the user has it); only the build is given it as JAVA_HOME.
# Parameter expansion, not dirname/grep: no process is started on the way to the JVM but find's.
case $0 in */*) JSYD_HOME=$(cd "${0%/*}/.." && pwd) ;; *) JSYD_HOME=$(cd .. && pwd) ;; esac
JSYD_JAVA_HOME=${JAVA_HOME:-}
# Java 25 or later? The JDK's release file says so without starting a JVM (~35 ms of CPU a start).
jsyd_java_ok() {
  [ -x "$1/bin/java" ] || return 1
  if [ -r "$1/release" ]; then
    while IFS= read -r jsyd_line; do
      case $jsyd_line in
        JAVA_VERSION=\"2[5-9]*|JAVA_VERSION=\"[3-9][0-9]*) return 0 ;;
        JAVA_VERSION=*) return 1 ;;
      esac
    done < "$1/release"
  fi
  "$1/bin/java" -version 2>&1 | grep -q 'version "2[5-9]'
}
if [ -z "$JSYD_JAVA_HOME" ] || ! jsyd_java_ok "$JSYD_JAVA_HOME"; then
  for j in /usr/lib/jvm/temurin-25-jdk-amd64 /usr/lib/jvm/java-25-openjdk-amd64 /usr/lib/jvm/jdk-25*; do
    if [ -x "$j/bin/java" ]; then JSYD_JAVA_HOME=$j; break; fi
  done
fi
if [ ! -x "${JSYD_JAVA_HOME:-}/bin/java" ]; then
  echo "syd: Java 25 not found; set JAVA_HOME to a JDK 25" >&2
  exit 1
fi
JSYD_JAR=$JSYD_HOME/target/jsyd.jar

# Builds quietly: Maven's output is shown only when the build fails. Offline first (no network
# needed once ~/.m2 has the plugins), then online for a first build.
jsyd_build() {
  local log
  log=$(mktemp) || exit 1
  [ -t 2 ] && echo "syd: building jsyd (first run or sources changed) ..." >&2
  if ! (cd "$JSYD_HOME" && JAVA_HOME=$JSYD_JAVA_HOME MAVEN_OPTS="${MAVEN_OPTS:-} --sun-misc-unsafe-memory-access=allow" \
        mvn -B -q -o -Dstyle.color=never -DskipTests package </dev/null >"$log" 2>&1 \
        || JAVA_HOME=$JSYD_JAVA_HOME MAVEN_OPTS="${MAVEN_OPTS:-} --sun-misc-unsafe-memory-access=allow" \
        mvn -B -q -Dstyle.color=never -DskipTests package </dev/null >"$log" 2>&1); then
    cat "$log" >&2
    rm -f "$log"
    echo "syd: build failed" >&2
    exit 1
  fi
  rm -f "$log"
}

JSYD_AOT=$JSYD_HOME/target/jsyd.aot
JSYD_LAUNCHER=$JSYD_HOME/target/classes/dev/jsyd/native/syd-launch
# -XX:+DisableAttachMechanism -Xrs: no way into the supervisor through the JDK attach mechanism or
# its signal handlers (docs/DECISIONS.md "supervisor JVM"); -XX:-UsePerfData: no shared hsperfdata file.
# -XX:Tier3*Threshold: C1 compiles a method after 2 000 calls, not 200, so the ~450 methods start-up
# runs a few hundred times are no longer compiled at every start (C1's CPU −70 ms with -p user,
# docs/PERFORMANCE.md "start"); what the workers run per call is compiled all the same, and loops
# (the workers' receive loop: on-stack replacement) keep the default back-edge threshold.
# -XX:-AOTReplayTraining: the method profiles of the AOT training run are not replayed (with C1 alone
# they only made it compile the training run's hot methods at every start: −25 ms of CPU).
# -XX:CompileCommandFile (bin/jit-thresholds.txt): the supervisor's own classes (kernel, sys,
# supervisor: what runs per notification, per ptrace stop and per spawn) are compiled after 200
# calls, not 2 000 (CompileThresholdScaling 0.1 for those packages only). Much of it runs once or
# a few times per spawn (the tracer's stops, execve's checks, the first calls of a new process),
# so a run of 1 000 spawns kept a quarter of the workers' samples and a fifth of the tracer's in
# the bytecode interpreter; with the file: −0.57 ms of CPU per spawn (−9.5 %). Start-up compiles
# ~30 small methods more (getters), the policy and command-line code keeps the high thresholds;
# `quiet` keeps stdout clean.
# -Xmn16m: a young generation of 16 MB, not a third of the default initial heap (~128 MB), so that
# the first pass over eden (each 4 KB page faulted in once; in a stat loop ~3 200 faults a second took 4 % of the workers' CPU) ends after ~1 s
# of notifications instead of lasting a whole run: on C1 every notification allocates ~600 bytes
# (the FFM downcall's errno capture slice, 8 times); the workers' CPU per checked stat −3 µs, −10 %.
# -XX:+UseTransparentHugePages: the heap and code cache madvised for 2 MB pages (where the kernel's
# THP mode is madvise or always, below): ~2 000 page faults less at every start, −18 to −34 ms of CPU.
# Both measured in docs/PERFORMANCE.md "Page faults".
JSYD_JVM_FLAGS="-XX:CompileCommandFile=$JSYD_HOME/bin/jit-thresholds.txt -XX:+UseSerialGC -Xmn16m -XX:TieredStopAtLevel=1 -XX:Tier3InvocationThreshold=2000 -XX:Tier3MinInvocationThreshold=1000 -XX:Tier3CompileThreshold=20000 -Xss1m -XX:-UsePerfData -XX:+DisableAttachMechanism -Xrs -XX:+UnlockDiagnosticVMOptions -XX:-AOTReplayTraining"
# Only where the kernel offers THP to madvise: elsewhere the JVM would print a warning on stdout,
# which is the program's (the file is read with the shell's own read, no process started).
jsyd_thp=
[ -r /sys/kernel/mm/transparent_hugepage/enabled ] && read -r jsyd_thp < /sys/kernel/mm/transparent_hugepage/enabled
case $jsyd_thp in *"[madvise]"*|*"[always]"*) JSYD_JVM_FLAGS="$JSYD_JVM_FLAGS -XX:+UseTransparentHugePages" ;; esac

# The JDK 25 AOT cache (JEP 483/514): class loading and linking recorded by one training run of
# a small sandbox, then reused by every start. Rebuilt whenever the jar is. The training run uses
# Syd's everyday profile (-p user: its rules, addresses and host variables) and lists, stats and
# writes, so the classes those need are in the cache too; exec is left to the profile's rules, so
# that the checks of executable mappings (which run only where an exec rule can refuse) are in it.
jsyd_aot() {
  rm -f "$JSYD_AOT"
  "$JSYD_JAVA_HOME/bin/java" $JSYD_JVM_FLAGS -XX:AOTCacheOutput="$JSYD_AOT" -Xlog:aot=off -Xlog:cds=off \
    -Djsyd.launcher="$JSYD_LAUNCHER" -jar "$JSYD_JAR" -p user -m sandbox/read,exec:on -m 'allow/read+/***' \
    -m 'deny/read+/dev/zero' -m rlimit/nofile:1024 -m sandbox/lock:on -m default/lock:warn -m 'allow/lock/all+/' \
    -- sh -c 'cat /dev/null; cat /dev/zero; ls -l / >/dev/null; echo x >/dev/null; exit 0' >/dev/null 2>&1 || true
}

# Build on first use, and again when a source file is newer than the jar.
if [ ! -f "$JSYD_JAR" ] || [ -n "$(find "$JSYD_HOME/src/main" "$JSYD_HOME/pom.xml" -newer "$JSYD_JAR" -print -quit 2>/dev/null)" ]; then
  jsyd_build
  jsyd_aot
elif [ ! -f "$JSYD_AOT" ] || [ "$JSYD_JAR" -nt "$JSYD_AOT" ]; then
  jsyd_aot
fi
JSYD_AOT_FLAG=
[ -f "$JSYD_AOT" ] && JSYD_AOT_FLAG="-XX:AOTCache=$JSYD_AOT -Xlog:aot=off -Xlog:cds=off"

# JSYD_JIT=c2: the C2 compiler as well, for long-running sandboxes. Each notified call then costs
# ~10 µs of CPU less once the notification path is compiled by C2, which costs ~1.2 s of CPU once
# (it pays back after ~150 000 notified calls) and 30–45 ms more at every start; the default, c1,
# is the better trade for short runs (docs/PERFORMANCE.md "jit"). Applied after the AOT cache,
# which is built with the default flags and serves both.
case ${JSYD_JIT:-c1} in
  c1) ;;
  c2) JSYD_JVM_FLAGS=${JSYD_JVM_FLAGS/ -XX:TieredStopAtLevel=1 -XX:Tier3InvocationThreshold=2000 -XX:Tier3MinInvocationThreshold=1000 -XX:Tier3CompileThreshold=20000/} ;;
  *) echo "syd: JSYD_JIT must be c1 (the default) or c2, not '$JSYD_JIT'" >&2; exit 2 ;;
esac
