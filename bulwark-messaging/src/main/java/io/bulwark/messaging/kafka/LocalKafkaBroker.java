package io.bulwark.messaging.kafka;

import io.bulwark.kernel.Check;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Properties;
import kafka.server.KafkaConfig;
import kafka.server.KafkaRaftServer;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.utils.Time;
import org.apache.kafka.metadata.storage.Formatter;
import org.apache.kafka.server.common.MetadataVersion;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A single-node Apache Kafka in this JVM: one KRaft process that is both broker and controller,
 * listening on 127.0.0.1, keeping its logs in a directory so that a restart on the same directory
 * finds every acknowledged record. It is for trying Bulwark's Kafka bus on one machine ({@code
 * bulwark kafka}) and for tests; a production cluster is the user's own.
 *
 * <p>The directory holds {@code bulwark-kafka.properties} (cluster id and controller port, chosen
 * on the first start) and {@code data/} (the formatted log directory). Topics are created on first
 * use with {@link #DEFAULT_PARTITIONS} partitions; every internal topic has one replica.
 */
public final class LocalKafkaBroker implements AutoCloseable {

  /** Partitions of a topic created on first use. */
  public static final int DEFAULT_PARTITIONS = 3;

  private static final Logger log = LoggerFactory.getLogger(LocalKafkaBroker.class);
  private static final String STATE_FILE = "bulwark-kafka.properties";
  private static final int NODE_ID = 1;

  private final Path dir;
  private final int port;
  private final KafkaRaftServer server;

  private LocalKafkaBroker(Path dir, int port, KafkaRaftServer server) {
    this.dir = dir;
    this.port = port;
    this.server = server;
  }

  /**
   * Starts a broker keeping its state in {@code dir} (created and formatted when new) and accepting
   * clients on {@code 127.0.0.1:port}; returns once it serves requests.
   *
   * @param port the client port, 1..65535, or 0 for a free one
   * @throws IllegalArgumentException a port out of range
   * @throws KafkaBrokerException the directory is unusable or the broker failed to start
   */
  public static LocalKafkaBroker start(Path dir, int port) {
    Objects.requireNonNull(dir, "dir");
    Check.within("port", port, 0, 65535);
    try {
      Files.createDirectories(dir);
      Properties state = loadOrCreateState(dir);
      int clientPort = port == 0 ? freePort() : port;
      int controllerPort = Integer.parseInt(state.getProperty("controller.port"));
      Path data = dir.resolve("data");
      Map<String, Object> props = config(data, clientPort, controllerPort);
      KafkaConfig config = new KafkaConfig(props, false);
      if (!Files.exists(data.resolve("meta.properties"))) {
        format(data, state.getProperty("cluster.id"));
      }
      KafkaRaftServer server = new KafkaRaftServer(config, Time.SYSTEM);
      try {
        server.startup();
      } catch (RuntimeException e) {
        server.shutdown();
        throw e;
      }
      log.info("Kafka broker listening on 127.0.0.1:{} (data in {})", clientPort, data);
      return new LocalKafkaBroker(dir, clientPort, server);
    } catch (IOException e) {
      throw new KafkaBrokerException("cannot use " + dir + " for a Kafka broker", e);
    } catch (RuntimeException e) {
      throw new KafkaBrokerException("the Kafka broker in " + dir + " failed to start", e);
    }
  }

  /** {@code 127.0.0.1:port}, what clients put in {@code bootstrap.servers}. */
  public String bootstrapServers() {
    return "127.0.0.1:" + port;
  }

  /** The client port. */
  public int port() {
    return port;
  }

  /** Where the broker keeps its state. */
  public Path directory() {
    return dir;
  }

  /** Blocks until the broker has shut down (by {@link #close()} or a fatal error). */
  public void awaitShutdown() {
    server.awaitShutdown();
  }

  /** Shuts the broker down cleanly and waits for it. */
  @Override
  public void close() {
    server.shutdown();
    server.awaitShutdown();
  }

  private static Map<String, Object> config(Path data, int clientPort, int controllerPort) {
    Map<String, Object> p = new HashMap<>();
    p.put("process.roles", "broker,controller");
    p.put("node.id", Integer.toString(NODE_ID));
    p.put("controller.quorum.voters", NODE_ID + "@127.0.0.1:" + controllerPort);
    p.put(
        "listeners",
        "PLAINTEXT://127.0.0.1:" + clientPort + ",CONTROLLER://127.0.0.1:" + controllerPort);
    p.put("advertised.listeners", "PLAINTEXT://127.0.0.1:" + clientPort);
    p.put("controller.listener.names", "CONTROLLER");
    p.put("inter.broker.listener.name", "PLAINTEXT");
    p.put("listener.security.protocol.map", "PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT");
    p.put("log.dirs", data.toString());
    p.put("metadata.log.dir", data.toString());
    p.put("num.partitions", Integer.toString(DEFAULT_PARTITIONS));
    p.put("default.replication.factor", "1");
    p.put("min.insync.replicas", "1");
    p.put("offsets.topic.replication.factor", "1");
    p.put("offsets.topic.num.partitions", "5");
    p.put("transaction.state.log.replication.factor", "1");
    p.put("transaction.state.log.min.isr", "1");
    p.put("transaction.state.log.num.partitions", "5");
    p.put("share.coordinator.state.topic.replication.factor", "1");
    p.put("share.coordinator.state.topic.min.isr", "1");
    p.put("group.initial.rebalance.delay.ms", "0");
    p.put("num.network.threads", "2");
    p.put("num.io.threads", "4");
    p.put("log.cleaner.dedupe.buffer.size", Integer.toString(2 * 1024 * 1024));
    return p;
  }

  private static void format(Path data, String clusterId) {
    try {
      new Formatter()
          .setPrintStream(new PrintStream(OutputStream.nullOutputStream()))
          .setNodeId(NODE_ID)
          .setClusterId(clusterId)
          .setControllerListenerName("CONTROLLER")
          .setMetadataLogDirectory(data.toString())
          .addDirectory(data.toString())
          .setReleaseVersion(MetadataVersion.latestProduction())
          .run();
    } catch (Exception e) {
      throw new KafkaBrokerException("cannot format the Kafka log directory " + data, e);
    }
  }

  private static Properties loadOrCreateState(Path dir) throws IOException {
    Path file = dir.resolve(STATE_FILE);
    Properties state = new Properties();
    if (Files.exists(file)) {
      try (InputStream in = Files.newInputStream(file)) {
        state.load(in);
      }
      if (state.getProperty("cluster.id") == null || state.getProperty("controller.port") == null) {
        throw new KafkaBrokerException(
            file
                + ": cluster.id and controller.port must be set; delete the directory to start over",
            null);
      }
      return state;
    }
    state.setProperty("cluster.id", Uuid.randomUuid().toString());
    state.setProperty("controller.port", Integer.toString(freePort()));
    Path tmp = dir.resolve(STATE_FILE + ".tmp");
    try (OutputStream out = Files.newOutputStream(tmp)) {
      state.store(out, "Bulwark's local Kafka broker: keep with data/");
    }
    Files.move(tmp, file, java.nio.file.StandardCopyOption.ATOMIC_MOVE);
    return state;
  }

  private static int freePort() {
    try (ServerSocket s = new ServerSocket()) {
      s.bind(new InetSocketAddress("127.0.0.1", 0));
      return s.getLocalPort();
    } catch (IOException e) {
      throw new UncheckedIOException("cannot find a free port on 127.0.0.1", e);
    }
  }
}
