package io.bulwark.diagnose;

/**
 * A suspected cause: a fault on a component, with the posterior confidence the data gives it.
 *
 * @param component the component as the topology names it
 * @param fault the fault
 * @param confidence posterior probability, 0..1
 */
public record Cause(String component, Fault fault, double confidence) {}
