package io.bulwark.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.bulwark.commerce.Commerce;
import io.bulwark.commerce.CommerceOptions;
import io.bulwark.commerce.DemoData;
import io.bulwark.commerce.ordering.OrderStatus;
import io.bulwark.commerce.ordering.PlaceOrder;
import io.bulwark.kernel.Json;
import io.bulwark.messaging.Failure;
import io.bulwark.messaging.kafka.LocalKafkaBroker;
import io.bulwark.messaging.postgres.PostgresDeadLetterQueue;
import io.bulwark.server.BulwarkServer;
import io.bulwark.server.ServerConfig;
import io.bulwark.testkit.PostgresExtension;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * A shop started with {@code --kafka}: its order and inventory events reach their Kafka topics, and
 * its dead-letter queue is served to administrators only, over HTTP and through {@code bulwark
 * dlq}.
 */
class ShopMessagingTest {

  @RegisterExtension static final PostgresExtension pg = PostgresExtension.migrating();

  @TempDir Path home;

  final HttpClient http = HttpClient.newHttpClient();

  @Test
  void relaysOrderAndInventoryEventsToKafkaAndServesTheDeadLetterQueueToAdministrators()
      throws Exception {
    try (LocalKafkaBroker broker = LocalKafkaBroker.start(home.resolve("kafka"), 0)) {
      BulwarkServer.Builder builder =
          BulwarkServer.builder(
              ServerConfig.builder()
                  .name("shop")
                  .home(home)
                  .httpPort(0)
                  .jdbcUrl(pg.jdbcUrl())
                  .poolSize(16)
                  .shutdownGrace(Duration.ofSeconds(2))
                  .build());
      Commerce commerce =
          DemoCommand.installShop(
              builder,
              CommerceOptions.builder()
                  .jwtSecret("test-secret-test-secret-test-secret-0123")
                  .bcryptCost(4)
                  .pollInterval(Duration.ofMillis(100))
                  .build(),
              broker.bootstrapServers());
      try (BulwarkServer server = builder.start()) {
        DemoData.Seeded seeded = DemoData.seed(commerce, "admin-password-1");
        UUID order =
            commerce
                .orders()
                .place(
                    new PlaceOrder(
                        seeded.customerId(), List.of(new PlaceOrder.Line("BOOK-1", 1)), "k-1"))
                .order()
                .id();
        await()
            .atMost(Duration.ofSeconds(120))
            .until(
                () ->
                    commerce.orderQueries().order(order).orElseThrow().status()
                        != OrderStatus.PENDING);
        // On a loaded machine a payment may time out and the order fail: either end is an event.
        String last =
            commerce.orderQueries().order(order).orElseThrow().status() == OrderStatus.CONFIRMED
                ? "OrderConfirmed"
                : "OrderFailed";

        List<JsonNode> orderEvents = new ArrayList<>();
        List<JsonNode> inventoryEvents = new ArrayList<>();
        try (KafkaConsumer<String, String> consumer = consumer(broker)) {
          consumer.subscribe(List.of("bulwark.orders", "bulwark.inventory"));
          await()
              .atMost(Duration.ofSeconds(120))
              .until(
                  () -> {
                    for (ConsumerRecord<String, String> r : consumer.poll(Duration.ofMillis(200))) {
                      (r.topic().equals("bulwark.orders") ? orderEvents : inventoryEvents)
                          .add(((ObjectNode) Json.parse(r.value())).put("key", r.key()));
                    }
                    return types(orderEvents).contains(last)
                        && types(inventoryEvents).contains("InventoryReserved");
                  });
        }
        assertThat(orderEvents)
            .allSatisfy(e -> assertThat(e.get("key").asText()).isEqualTo(order.toString()))
            .allSatisfy(e -> assertThat(e.get("aggregateId").asText()).isEqualTo(order.toString()));
        assertThat(types(orderEvents)).startsWith("OrderPlaced").endsWith(last);
        assertThat(orderEvents.stream().map(e -> e.get("version").asLong()).toList()).isSorted();
        assertThat(inventoryEvents)
            .filteredOn(e -> e.get("type").asText().equals("InventoryUpdated"))
            .anySatisfy(e -> assertThat(e.get("key").asText()).isEqualTo("BOOK-1"));

        deadLetterQueueIsForAdministrators(server, commerce, broker);
      }
    }
  }

  private void deadLetterQueueIsForAdministrators(
      BulwarkServer server, Commerce commerce, LocalKafkaBroker broker) throws Exception {
    String url = server.baseUrl();
    String admin = login(url, "admin", "admin-password-1");
    String customer = login(url, DemoData.CUSTOMER, DemoData.CUSTOMER_PASSWORD);
    assertThat(get(url + "/api/v1/admin/dlq", null).statusCode()).isEqualTo(401);
    HttpResponse<String> forbidden = get(url + "/api/v1/admin/dlq", customer);
    assertThat(forbidden.statusCode()).isEqualTo(403);
    assertThat(forbidden.body()).contains("for administrators");
    HttpResponse<String> badId = get(url + "/api/v1/admin/dlq/not-a-uuid", admin);
    assertThat(badId.statusCode()).isEqualTo(400);
    assertThat(badId.headers().firstValue("Content-Type"))
        .hasValue("application/problem+json; charset=utf-8");
    assertThat(Json.parse(get(url + "/api/v1/admin/dlq", admin).body()).get("waiting").asLong())
        .isZero();

    // A message Kafka refused, set aside for the relay; replaying it produces it to Kafka.
    UUID messageId = UUID.randomUUID();
    PostgresDeadLetterQueue.of(server.database().dataSource())
        .add(
            new Failure(
                Failure.MESSAGE,
                "kafka-relay",
                "bulwark.orders",
                "replayed-key",
                messageId.toString(),
                "{\"replayed\":true}",
                "RecordTooLargeException: too large",
                5,
                Instant.now()));
    CliRun list = CliRun.bulwark("dlq", "list", "--url", url, "--token", admin, "--json");
    assertThat(list.exit()).isZero();
    JsonNode letters = Json.parse(list.out()).get("items");
    assertThat(letters).hasSize(1);
    String id = letters.get(0).get("id").asText();
    assertThat(letters.get(0).get("consumer").asText()).isEqualTo("kafka-relay");

    CliRun replay = CliRun.bulwark("dlq", "replay", id, "--url", url, "--token", admin);
    assertThat(replay.exit()).as(replay.err()).isZero();
    assertThat(replay.out()).contains("replayed " + id + " for kafka-relay: applied now");
    CliRun again = CliRun.bulwark("dlq", "replay", id, "--url", url, "--token", admin, "--json");
    assertThat(again.exit()).isZero();
    assertThat(Json.parse(again.out()).get("applied").asBoolean()).isFalse();
    assertThat(Json.parse(again.out()).get("status").asText()).isEqualTo("REPLAYED");
    try (KafkaConsumer<String, String> consumer = consumer(broker)) {
      consumer.subscribe(List.of("bulwark.orders"));
      List<String> keys = new ArrayList<>();
      await()
          .atMost(Duration.ofSeconds(30))
          .until(
              () -> {
                consumer.poll(Duration.ofMillis(200)).forEach(r -> keys.add(r.key()));
                return keys.contains("replayed-key");
              });
      assertThat(keys).containsOnlyOnce("replayed-key");
    }

    CliRun notAdmin = CliRun.bulwark("dlq", "list", "--url", url, "--token", customer);
    assertThat(notAdmin.exit()).isEqualTo(2);
    assertThat(notAdmin.err()).contains("for administrators");
    CliRun badArg = CliRun.bulwark("dlq", "show", "nope", "--url", url, "--token", admin);
    assertThat(badArg.exit()).isEqualTo(2);
    assertThat(badArg.err()).contains("ID must be a dead letter's UUID but was \"nope\"");
    CliRun discardReplayed = CliRun.bulwark("dlq", "discard", id, "--url", url, "--token", admin);
    assertThat(discardReplayed.exit()).isEqualTo(1);
    assertThat(discardReplayed.err()).contains("was replayed at");

    String metrics = get(url + "/metrics", null).body();
    assertThat(metrics).contains("bulwark_dlq_messages", "bulwark_dlq_replayed_total 1.0");
  }

  private static List<String> types(List<JsonNode> events) {
    return events.stream().map(e -> e.get("type").asText()).toList();
  }

  private static KafkaConsumer<String, String> consumer(LocalKafkaBroker broker) {
    return new KafkaConsumer<>(
        Map.of(
            "bootstrap.servers",
            broker.bootstrapServers(),
            "group.id",
            "test-" + UUID.randomUUID(),
            "auto.offset.reset",
            "earliest"),
        new StringDeserializer(),
        new StringDeserializer());
  }

  private String login(String url, String user, String password) throws Exception {
    HttpResponse<String> r =
        http.send(
            HttpRequest.newBuilder(URI.create(url + "/api/v1/auth/login"))
                .header("Content-Type", "application/json")
                .POST(
                    HttpRequest.BodyPublishers.ofString(
                        "{\"username\":\"" + user + "\",\"password\":\"" + password + "\"}"))
                .build(),
            HttpResponse.BodyHandlers.ofString());
    return Json.parse(r.body()).get("accessToken").asText();
  }

  private HttpResponse<String> get(String url, String token) throws Exception {
    HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(url));
    if (token != null) {
      b.header("Authorization", "Bearer " + token);
    }
    return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
  }
}
