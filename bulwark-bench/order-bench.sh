#!/usr/bin/env bash
# End-to-end order throughput (POST /api/v1/orders over HTTP) against PostgreSQL's commit rate,
# on this machine, in one run (~2 minutes). Builds the bench and runs
# io.bulwark.bench.commerce.OrderBench; options pass through (--clients 4,16,64 --seconds N).
exec "$(dirname "$0")/run.sh" io.bulwark.bench.commerce.OrderBench "$@"
