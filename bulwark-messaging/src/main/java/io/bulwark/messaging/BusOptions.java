package io.bulwark.messaging;

import io.bulwark.kernel.Check;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.util.Objects;

/**
 * How a bus relays and retries, whatever its transport.
 *
 * @param redelivery retries before a message is dead-lettered
 * @param batchSize messages the relay claims per round, 1..10000 (on Kafka: records in flight
 *     together, one round trip)
 * @param pollInterval the relay's wait when the outbox is empty, {@code > 0}
 * @param registry where the bus's meters go
 */
public record BusOptions(
    Redelivery redelivery, int batchSize, Duration pollInterval, MeterRegistry registry) {

  /** Checks the values. */
  public BusOptions {
    Objects.requireNonNull(redelivery, "redelivery");
    Check.within("batchSize", batchSize, 1, 10_000);
    Check.positive("pollInterval", pollInterval);
    Objects.requireNonNull(registry, "registry");
  }

  /** The defaults of {@link Builder}. */
  public static BusOptions defaults() {
    return builder().build();
  }

  /** A builder with the defaults. */
  public static Builder builder() {
    return new Builder();
  }

  /** Builds {@link BusOptions}; each method checks its value. */
  public static final class Builder {
    private Redelivery redelivery = Redelivery.defaults();
    private int batchSize = 100;
    private Duration pollInterval = Duration.ofMillis(50);
    private MeterRegistry registry = new SimpleMeterRegistry();

    private Builder() {}

    /** Retries before dead-lettering (default {@link Redelivery#defaults()}). */
    public Builder redelivery(Redelivery redelivery) {
      this.redelivery = Objects.requireNonNull(redelivery, "redelivery");
      return this;
    }

    /**
     * Messages the relay claims per round (default 100), 1..10000; on Kafka they are sent in one
     * round trip.
     */
    public Builder batchSize(int batchSize) {
      this.batchSize = Check.within("batchSize", batchSize, 1, 10_000);
      return this;
    }

    /** The relay's wait when the outbox is empty (default 50 ms), {@code > 0}. */
    public Builder pollInterval(Duration pollInterval) {
      this.pollInterval = Check.positive("pollInterval", pollInterval);
      return this;
    }

    /** Where the meters go (default a private registry). */
    public Builder meterRegistry(MeterRegistry registry) {
      this.registry = Objects.requireNonNull(registry, "registry");
      return this;
    }

    /** The options. */
    public BusOptions build() {
      return new BusOptions(redelivery, batchSize, pollInterval, registry);
    }
  }
}
