package io.bulwark.eventstore;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.bulwark.postgres.Database;
import io.bulwark.postgres.PostgresServer;
import io.bulwark.testkit.TestPostgres;
import java.util.List;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.lifecycle.AfterContainer;
import net.jqwik.api.lifecycle.BeforeContainer;

/** Any stream name, type or tracing id is either stored exactly or refused with a clear error. */
class BadInputProperties {

  private static Database database;
  private static PostgresEventStore store;

  @BeforeContainer
  static void createDatabase() {
    String name = "t_es_bad_input_" + ProcessHandle.current().pid();
    PostgresServer server = TestPostgres.server();
    server.createDatabaseIfMissing(name);
    database = Database.connect(server.jdbcUrl(name), PostgresServer.SUPERUSER, "", 4);
    database.migrate("eventstore");
    store = PostgresEventStore.builder(database.dataSource()).build();
  }

  @AfterContainer
  static void closeDatabase() {
    database.close();
  }

  @Property(tries = 150)
  void anyStreamNameIsStoredExactlyOrRefusedAsBadInput(@ForAll String stream) {
    NewEvent event = NewEvent.of("Tried", List.of());
    try {
      store.append(stream, ExpectedVersion.ANY, event);
    } catch (IllegalArgumentException refused) {
      assertThat(refused).hasMessageContaining("stream must be");
      return;
    }
    assertThat(store.readStream(stream, 1, 10_000))
        .extracting(RecordedEvent::eventId)
        .contains(event.eventId());
  }

  @Property(tries = 150)
  void anyTypeOrTracingIdIsStoredExactlyOrRefusedAsBadInput(
      @ForAll String type, @ForAll String correlationId) {
    NewEvent event;
    try {
      event = NewEvent.builder(type).correlationId(correlationId).causationId(type).build();
    } catch (IllegalArgumentException refused) {
      assertThat(refused.getMessage()).matches("(?s)(type|correlationId|causationId) must .*");
      return;
    }
    RecordedEvent stored =
        store.append("bad-input", ExpectedVersion.ANY, event).events().getFirst();

    assertThat(store.readStream("bad-input", stored.version(), 1))
        .singleElement()
        .satisfies(
            e -> {
              assertThat(e.type()).isEqualTo(type);
              assertThat(e.correlationId()).isEqualTo(correlationId);
            });
  }

  @Property(tries = 50)
  void readingWithABadLimitIsRefused(@ForAll int max) {
    if (max >= 1 && max <= 10_000) {
      assertThat(store.readAll(LogPosition.START, max)).hasSizeLessThanOrEqualTo(max);
    } else {
      assertThatThrownBy(() -> store.readAll(LogPosition.START, max))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("max must be in 1..10000");
    }
  }
}
