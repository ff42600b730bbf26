package io.bulwark.fleet.scenario;

import java.util.List;
import java.util.Optional;

/**
 * A self-contained failure scenario: starts its own gateway and fleet on free ports, runs load
 * through the gateway over real HTTP, injects its fault, stops everything and says whether its
 * claim held.
 */
public sealed interface Scenario
    permits InstanceCrash, RollingRefresh, ZoneLoss, Weights, HeaderRouting {

  /** Its name on the command line, e.g. {@code instance-crash}. */
  String name();

  /** What it claims, in a sentence. */
  String claim();

  /** Runs it; never throws for a failed claim (see {@link ScenarioResult#passed()}). */
  ScenarioResult run(ScenarioOptions options);

  /** Every scenario, in the order the documentation lists them. */
  static List<Scenario> all() {
    return List.of(
        new InstanceCrash(),
        new RollingRefresh(),
        new ZoneLoss(),
        new Weights(),
        new HeaderRouting());
  }

  /** The scenario called {@code name}, if any. */
  static Optional<Scenario> named(String name) {
    return all().stream().filter(s -> s.name().equals(name)).findFirst();
  }
}
