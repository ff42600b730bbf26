package io.bulwark.messaging.kafka;

import io.bulwark.kernel.Check;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * How Bulwark talks to a Kafka cluster.
 *
 * @param bootstrapServers {@code host:port[,host:port…]}
 * @param clientId prefix of the producer's and consumers' client ids
 * @param partitions partitions of topics the bus creates (1..1000)
 * @param replicationFactor replicas of topics the bus creates, or -1 for the broker's default
 * @param sendTimeout how long a relayed record may take to be acknowledged by every in-sync replica
 *     before the relay retries it (a relay round's records are in flight together, so a round waits
 *     about this long at most)
 * @param topics topics to create when the bus starts, besides its consumers' (those it publishes
 *     to)
 */
public record KafkaSettings(
    String bootstrapServers,
    String clientId,
    int partitions,
    short replicationFactor,
    Duration sendTimeout,
    List<String> topics) {

  /** Checks the values; see {@link Builder}. */
  public KafkaSettings {
    checkBootstrap(bootstrapServers);
    if (clientId == null || !clientId.matches("[A-Za-z0-9._-]{1,100}")) {
      throw new IllegalArgumentException(
          "clientId must be 1..100 of [A-Za-z0-9._-] but was \"" + clientId + "\"");
    }
    Check.within("partitions", partitions, 1, 1000);
    if (replicationFactor != -1 && (replicationFactor < 1 || replicationFactor > 10)) {
      throw new IllegalArgumentException(
          "replicationFactor must be -1 (broker default) or 1..10 but was " + replicationFactor);
    }
    Check.positive("sendTimeout", sendTimeout);
    topics = List.copyOf(topics);
    topics.forEach(KafkaSettings::checkTopic);
  }

  /** Settings for the cluster at {@code bootstrapServers}, with the defaults of {@link Builder}. */
  public static KafkaSettings of(String bootstrapServers) {
    return builder(bootstrapServers).build();
  }

  /** A builder for the cluster at {@code bootstrapServers} ({@code host:port[,host:port…]}). */
  public static Builder builder(String bootstrapServers) {
    return new Builder(bootstrapServers);
  }

  /**
   * Returns {@code value} when it is a list of {@code host:port}.
   *
   * @throws IllegalArgumentException naming the bad entry otherwise
   */
  public static String checkBootstrap(String value) {
    return Check.hostPorts("bootstrapServers", value);
  }

  /**
   * Returns {@code topic} when Kafka allows it as a topic name.
   *
   * @throws IllegalArgumentException otherwise
   */
  public static String checkTopic(String topic) {
    if (topic == null || !topic.matches("[A-Za-z0-9._-]{1,200}")) {
      throw new IllegalArgumentException(
          "a Kafka topic must be 1..200 of [A-Za-z0-9._-] but was \"" + topic + "\"");
    }
    return topic;
  }

  /** Builds {@link KafkaSettings}; each method checks its value. */
  public static final class Builder {
    private final String bootstrapServers;
    private String clientId = "bulwark";
    private int partitions = 3;
    private short replicationFactor = -1;
    private Duration sendTimeout = Duration.ofSeconds(15);
    private final List<String> topics = new ArrayList<>();

    private Builder(String bootstrapServers) {
      this.bootstrapServers = checkBootstrap(bootstrapServers);
    }

    /** Client id prefix (default {@code bulwark}). */
    public Builder clientId(String clientId) {
      this.clientId = Objects.requireNonNull(clientId, "clientId");
      return this;
    }

    /** Partitions of created topics (default 3), 1..1000. */
    public Builder partitions(int partitions) {
      this.partitions = Check.within("partitions", partitions, 1, 1000);
      return this;
    }

    /** Replicas of created topics (default -1, the broker's default), -1 or 1..10. */
    public Builder replicationFactor(int replicationFactor) {
      this.replicationFactor = (short) Check.within("replicationFactor", replicationFactor, -1, 10);
      return this;
    }

    /** Time for a relayed record to be acknowledged (default 15 s), {@code > 0}. */
    public Builder sendTimeout(Duration sendTimeout) {
      this.sendTimeout = Check.positive("sendTimeout", sendTimeout);
      return this;
    }

    /** Topics to create at start besides the consumers' (the ones published to). */
    public Builder topics(String... names) {
      for (String n : names) {
        topics.add(checkTopic(n));
      }
      return this;
    }

    /** The settings. */
    public KafkaSettings build() {
      return new KafkaSettings(
          bootstrapServers, clientId, partitions, replicationFactor, sendTimeout, topics);
    }
  }
}
