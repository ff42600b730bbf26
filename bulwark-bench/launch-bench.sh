#!/usr/bin/env bash
# The read path as users start it: ./bulwark demo (its own JVM, the launcher's flags) against the same
# server in the bench's JVM, GET /api/v1/products, alternating rounds (~3 minutes). Builds the bench and runs
# io.bulwark.bench.commerce.LaunchBench; options pass through (--seconds N --rounds N --connections N).
set -euo pipefail
cd "$(dirname "$0")/.."
export JAVA_HOME="${JAVA_HOME:-/usr/lib/jvm/temurin-25-jdk-amd64}"
export MAVEN_OPTS="${MAVEN_OPTS:---sun-misc-unsafe-memory-access=allow}"
./mvnw -B -q -pl bulwark-bench -am install -DskipTests
cpfile="$(mktemp)"
trap 'rm -f "$cpfile"' EXIT
./mvnw -B -q -pl bulwark-bench dependency:build-classpath -Dmdep.outputFile="$cpfile" >/dev/null
"$JAVA_HOME/bin/java" -Xms512m -Xmx1g --sun-misc-unsafe-memory-access=allow \
  -cp "bulwark-bench/target/classes:$(cat "$cpfile")" io.bulwark.bench.commerce.LaunchBench "$@"
