#!/usr/bin/env bash
# JMH micro-benchmarks of jsyd's hot paths (bench/jmh). Usage: bench/jmh.sh [JMH options]
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
. "$ROOT/bin/java-env.sh"
export MAVEN_OPTS="${MAVEN_OPTS:-} --sun-misc-unsafe-memory-access=allow"
(cd "$ROOT" && mvn -B -q -o -DskipTests install)
(cd "$ROOT/bench/jmh" && { mvn -B -q -o package 2>/dev/null || mvn -B -q package; })
cd "$ROOT/bench/jmh"
exec "$JSYD_JAVA_HOME/bin/java" --enable-native-access=ALL-UNNAMED -cp "target/jsyd-jmh.jar:target/lib/*" org.openjdk.jmh.Main "$@"
