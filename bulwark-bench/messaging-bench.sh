#!/usr/bin/env bash
# Messages/s and latency through the bus's PostgreSQL transport and through a local Kafka broker,
# in one run, and the orders/s those messages stand for (msg/s / --messages-per-order, default 5).
# Options: --messages N --rate R --seconds S --rounds N --messages-per-order K.
# Builds in the reactor (nothing is installed into ~/.m2).
set -euo pipefail
cd "$(dirname "$0")/.."
export JAVA_HOME="${JAVA_HOME:-/usr/lib/jvm/temurin-25-jdk-amd64}"
export MAVEN_OPTS="${MAVEN_OPTS:---sun-misc-unsafe-memory-access=allow}"
cpfile="$(mktemp)"
trap 'rm -f "$cpfile"' EXIT
./mvnw -B -q -pl bulwark-bench -am package dependency:build-classpath -DskipTests \
  -Dmdep.outputFile="$cpfile" >/dev/null
"$JAVA_HOME/bin/java" -Xmx1g -cp "bulwark-bench/target/classes:$(cat "$cpfile")" \
  io.bulwark.bench.messaging.MessagingBench "$@"
