#!/usr/bin/env bash
# End-to-end order throughput (POST /api/v1/orders over HTTP) against PostgreSQL's commit rate,
# on this machine, in one run (~2 minutes). Builds the bench and runs
# io.bulwark.bench.commerce.OrderBench; options pass through (--clients 4,16,64 --seconds N).
set -euo pipefail
cd "$(dirname "$0")/.."
export JAVA_HOME="${JAVA_HOME:-/usr/lib/jvm/temurin-25-jdk-amd64}"
export MAVEN_OPTS="${MAVEN_OPTS:---sun-misc-unsafe-memory-access=allow}"
./mvnw -B -q -pl bulwark-bench -am install -DskipTests
cpfile="$(mktemp)"
trap 'rm -f "$cpfile"' EXIT
./mvnw -B -q -pl bulwark-bench dependency:build-classpath -Dmdep.outputFile="$cpfile" >/dev/null
"$JAVA_HOME/bin/java" -Xms512m -Xmx1g --sun-misc-unsafe-memory-access=allow \
  -cp "bulwark-bench/target/classes:$(cat "$cpfile")" io.bulwark.bench.commerce.OrderBench "$@"
