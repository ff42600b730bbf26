#!/usr/bin/env bash
# Builds the bench in the reactor (nothing is installed into ~/.m2) and runs one of its classes:
#   bulwark-bench/run.sh io.bulwark.bench.commerce.OrderBench --clients 4,16
# The *-bench.sh scripts next to this one call it with their class.
set -euo pipefail
if [ $# -lt 1 ]; then
  echo "usage: $0 MAIN_CLASS [options...]" >&2
  exit 2
fi
main="$1"
shift
cd "$(dirname "$0")/.."
export JAVA_HOME="${JAVA_HOME:-/usr/lib/jvm/temurin-25-jdk-amd64}"
export MAVEN_OPTS="${MAVEN_OPTS:---sun-misc-unsafe-memory-access=allow}"
cpfile="$(mktemp)"
trap 'rm -f "$cpfile"' EXIT
./mvnw -B -q -pl bulwark-bench -am package dependency:build-classpath -DskipTests \
  -Dmdep.outputFile="$cpfile" >/dev/null
"$JAVA_HOME/bin/java" -Xms512m -Xmx1g --sun-misc-unsafe-memory-access=allow \
  -cp "bulwark-bench/target/classes:$(cat "$cpfile")" "$main" "$@"
