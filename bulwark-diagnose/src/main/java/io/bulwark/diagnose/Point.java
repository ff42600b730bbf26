package io.bulwark.diagnose;

import java.time.Instant;

/** One sampled value of a metric. */
public record Point(Instant at, double value) {}
