#!/usr/bin/env bash
# Messages/s and latency through the bus's PostgreSQL transport and through a local Kafka broker,
# in one run, and the orders/s those messages stand for (msg/s / --messages-per-order, default 5).
# Options: --messages N --rate R --seconds S --rounds N --messages-per-order K.
# Builds in the reactor (nothing is installed into ~/.m2).
exec "$(dirname "$0")/run.sh" io.bulwark.bench.messaging.MessagingBench "$@"
