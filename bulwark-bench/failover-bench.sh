#!/usr/bin/env bash
# Database failover time through the shop (kill -9 of the primary -> first accepted order) over
# N runs, and commits/s with a synchronous standby versus the primary alone, on this machine.
# Builds the reactor (no install) and runs io.bulwark.bench.commerce.FailoverBench; options pass
# through (--runs 10 --clients 2 --throughput-clients 4 --throughput-seconds 10). With
# `--launch ./bulwark` the failovers run against `./bulwark demo --ha` as a user starts it (the
# shop's serve processes behind the gateway), through the gateway.
set -euo pipefail
cd "$(dirname "$0")/.."
export JAVA_HOME="${JAVA_HOME:-/usr/lib/jvm/temurin-25-jdk-amd64}"
export MAVEN_OPTS="${MAVEN_OPTS:---sun-misc-unsafe-memory-access=allow}"
cpfile="$(mktemp)"
trap 'rm -f "$cpfile"' EXIT
./mvnw -B -q -pl bulwark-bench -am compile dependency:build-classpath -DskipTests \
  -Dmdep.outputFile="$cpfile" >/dev/null
cp=""
for d in bulwark-*/target/classes; do # every module, whatever the reactor adds next
  cp="$cp:$d"
done
"$JAVA_HOME/bin/java" -Xms256m -Xmx1g --sun-misc-unsafe-memory-access=allow \
  -cp "bulwark-bench/target/classes$cp:$(cat "$cpfile")" io.bulwark.bench.commerce.FailoverBench "$@"
