package io.bulwark.cli;

import com.fasterxml.jackson.databind.JsonNode;
import io.bulwark.commerce.Commerce;
import io.bulwark.commerce.CommerceException;
import io.bulwark.commerce.auth.Caller;
import io.bulwark.commerce.auth.Role;
import io.bulwark.commerce.ordering.OrderLog;
import io.bulwark.http.HttpModule;
import io.bulwark.http.OpenApi;
import io.bulwark.kernel.Json;
import io.bulwark.messaging.BusOptions;
import io.bulwark.messaging.MessageBus;
import io.bulwark.messaging.feed.Envelope;
import io.bulwark.messaging.feed.EventLogSource;
import io.bulwark.messaging.feed.FeedSource;
import io.bulwark.messaging.feed.OutboxFeed;
import io.bulwark.messaging.feed.SequencedTableSource;
import io.bulwark.messaging.http.DeadLetterHttp;
import io.bulwark.messaging.kafka.KafkaMessageBus;
import io.bulwark.messaging.kafka.KafkaSettings;
import io.bulwark.messaging.postgres.PostgresDeadLetterQueue;
import io.bulwark.messaging.postgres.PostgresMessageBus;
import io.bulwark.platform.Platform;
import io.bulwark.server.BulwarkServer;
import io.javalin.Javalin;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import javax.sql.DataSource;

/**
 * The shop's event bus and dead-letter queue in a shop process.
 *
 * <p>Without Kafka the bus is the PostgreSQL outbox relayed to this process's consumers (the shop
 * has none yet), and the shop's events stay where they are recorded. With {@code --kafka host:port}
 * the outbox is relayed to Kafka, and the shop's events are fed into it: every order event (the
 * event store's {@code order-<id>} streams) to topic {@value #ORDERS}, keyed by order id, and every
 * inventory event ({@code inventory_events}) to {@value #INVENTORY}, keyed by sku; each body is an
 * {@link Envelope}. Either way the dead-letter queue is served to administrators at {@code
 * /api/v1/admin/dlq}, and holds the engine's failed saga tasks too ({@link TaskDeadLetters}).
 */
final class ShopMessaging implements HttpModule, AutoCloseable {

  /** Topic of the order events. */
  static final String ORDERS = "bulwark.orders";

  /** Topic of the inventory events. */
  static final String INVENTORY = "bulwark.inventory";

  private final MessageBus bus;
  private final List<OutboxFeed> feeds = new ArrayList<>();
  private final DeadLetterHttp http;

  private ShopMessaging(
      Platform platform, Commerce commerce, String kafka, TaskDeadLetters taskLetters) {
    DataSource ds = platform.database().dataSource();
    PostgresDeadLetterQueue dlq =
        PostgresDeadLetterQueue.of(ds, platform.clock(), platform.registry());
    taskLetters.attach(commerce.engine(), dlq);
    if (kafka == null) {
      bus =
          PostgresMessageBus.of(
              ds,
              dlq,
              BusOptions.builder()
                  .pollInterval(Duration.ofMillis(200))
                  .meterRegistry(platform.registry())
                  .build());
    } else {
      bus =
          KafkaMessageBus.of(
              ds,
              dlq,
              KafkaSettings.builder(kafka).topics(ORDERS, INVENTORY).build(),
              BusOptions.builder().meterRegistry(platform.registry()).build());
      feeds.add(
          OutboxFeed.builder(
                  "shop-orders",
                  ds,
                  new EventLogSource(platform.eventStore(), OrderLog.STREAM_PREFIX),
                  ORDERS)
              .meterRegistry(platform.registry())
              .build());
      feeds.add(
          OutboxFeed.builder(
                  "shop-inventory",
                  ds,
                  new SequencedTableSource(
                      "inventory_events",
                      "position",
                      rs ->
                          new FeedSource.Item(
                              rs.getString("sku"),
                              Envelope.of(
                                  rs.getString("id"),
                                  rs.getString("type"),
                                  rs.getString("sku"),
                                  0,
                                  rs.getTimestamp("occurred_at").toInstant(),
                                  Json.parse(rs.getString("payload"))))),
                  INVENTORY)
              .meterRegistry(platform.registry())
              .build());
    }
    bus.start();
    feeds.forEach(OutboxFeed::start);
    http = new DeadLetterHttp(dlq, ctx -> admin(commerce, ctx.header("Authorization"), ctx));
  }

  /**
   * Adds the messaging migrations and the bus to {@code builder}'s shop; {@code kafka} is the
   * cluster's {@code host:port}, or null for the PostgreSQL bus.
   */
  static void install(BulwarkServer.Builder builder, Commerce commerce, String kafka) {
    if (kafka != null) {
      KafkaSettings.checkBootstrap(kafka);
    }
    builder.migrate("messaging");
    TaskDeadLetters taskLetters = new TaskDeadLetters();
    commerce.onTaskFailure(taskLetters);
    builder.module(platform -> new ShopMessaging(platform, commerce, kafka, taskLetters));
  }

  /**
   * Lets the request go on only for an administrator's bearer token: 401 (with {@code
   * WWW-Authenticate}) without a valid one, 403 for another role. Also guards the diagnosis API.
   */
  static void admin(Commerce commerce, String authorization, io.javalin.http.Context ctx) {
    Caller caller;
    try {
      caller = commerce.accessTokens().authenticate(authorization);
    } catch (CommerceException.Unauthorized e) {
      ctx.header("WWW-Authenticate", "Bearer realm=\"bulwark\"");
      throw e;
    }
    if (!caller.role().equals(Role.ADMIN.name())) {
      throw new CommerceException.Forbidden(
          "the dead-letter queue is for administrators; "
              + caller.username()
              + " is "
              + caller.role());
    }
  }

  /** The dead-letter routes' part of the server's OpenAPI document. */
  @Override
  public Optional<JsonNode> openApi() {
    return Optional.of(OpenApi.resource(DeadLetterHttp.class, DeadLetterHttp.OPENAPI));
  }

  @Override
  public void register(Javalin app) {
    http.register(app);
  }

  @Override
  public void close() {
    feeds.forEach(OutboxFeed::close);
    bus.close();
  }
}
