#!/usr/bin/env bash
# Bulwark gateway versus HAProxy versus direct calls, on this machine, in one run (~2 minutes).
# Installs HAProxy and wrk from Debian's packages when missing, builds the bench and runs
# io.bulwark.bench.gateway.GatewayBench. Options pass through: --seconds N --connections N.
set -euo pipefail
cd "$(dirname "$0")/.."

sudo=""
if [ "$(id -u)" -ne 0 ]; then sudo="sudo"; fi
install() {
  export DEBIAN_FRONTEND=noninteractive
  $sudo apt-get install -y -q "$@" >/dev/null 2>&1 \
    || { $sudo apt-get update -q >/dev/null && $sudo apt-get install -y -q "$@" >/dev/null; }
}
if ! command -v haproxy >/dev/null && [ ! -x /usr/sbin/haproxy ]; then
  echo "installing haproxy (apt-get install -y haproxy)" >&2
  install haproxy
fi
if ! command -v wrk >/dev/null; then
  echo "installing wrk (apt-get install -y wrk)" >&2
  install wrk || echo "wrk unavailable: saturation falls back to the built-in Netty client" >&2
fi

export JAVA_HOME="${JAVA_HOME:-/usr/lib/jvm/temurin-25-jdk-amd64}"
export MAVEN_OPTS="${MAVEN_OPTS:---sun-misc-unsafe-memory-access=allow}"
cpfile="$(mktemp)"
trap 'rm -f "$cpfile"' EXIT
# A reactor build: the bench's sibling modules resolve to their freshly built jars in target/,
# never to ~/.m2 (nothing is installed there, so parallel checkouts cannot see each other's).
# Each module writes the classpath file; bulwark-bench, built last, writes it last.
./mvnw -B -q -pl bulwark-bench -am package dependency:build-classpath -DskipTests \
  -Dspotless.check.skip=true -Dmdep.outputFile="$cpfile" >/dev/null
"$JAVA_HOME/bin/java" -Xms512m -Xmx512m --sun-misc-unsafe-memory-access=allow --enable-native-access=ALL-UNNAMED \
  -cp "bulwark-bench/target/classes:$(cat "$cpfile")" io.bulwark.bench.gateway.GatewayBench "$@"
