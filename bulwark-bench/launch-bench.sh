#!/usr/bin/env bash
# The read path as users start it: ./bulwark demo (its own JVM, the launcher's flags) against the same
# server in the bench's JVM, GET /api/v1/products, alternating rounds (~3 minutes). Builds the bench and runs
# io.bulwark.bench.commerce.LaunchBench; options pass through (--seconds N --rounds N --connections N).
exec "$(dirname "$0")/run.sh" io.bulwark.bench.commerce.LaunchBench "$@"
