#!/usr/bin/env bash
# State transitions/s in memory and durable, order-saga executions/s, against the PostgreSQL
# commit rate of the same embedded server. Options: --executions N --workers N --seconds N.
set -euo pipefail
cd "$(dirname "$0")/.."
export JAVA_HOME="${JAVA_HOME:-/usr/lib/jvm/temurin-25-jdk-amd64}"
export MAVEN_OPTS="${MAVEN_OPTS:---sun-misc-unsafe-memory-access=allow}"
./mvnw -B -q -pl bulwark-bench -am install -DskipTests
cpfile="$(mktemp)"
trap 'rm -f "$cpfile"' EXIT
./mvnw -B -q -pl bulwark-bench dependency:build-classpath -Dmdep.outputFile="$cpfile" >/dev/null
"$JAVA_HOME/bin/java" -Xmx1g -cp "bulwark-bench/target/classes:$(cat "$cpfile")" \
  io.bulwark.bench.states.StatesBench "$@"
