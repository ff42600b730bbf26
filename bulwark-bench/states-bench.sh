#!/usr/bin/env bash
# State transitions/s in memory and durable, order-saga executions/s, against the PostgreSQL
# commit rate of the same embedded server. Options: --executions N --workers N --seconds N.
exec "$(dirname "$0")/run.sh" io.bulwark.bench.states.StatesBench "$@"
