package io.bulwark.eventstore;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.bulwark.testkit.PostgresExtension;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

class AppendCrashTest {

  @RegisterExtension static final PostgresExtension pg = PostgresExtension.migrating("eventstore");

  private static final Pattern ACK = Pattern.compile("ACK (\\S{36}) (\\S+) (\\d+)");

  record Ack(UUID eventId, String stream, long version) {}

  @Test
  void everyAppendAcknowledgedBeforeSigkillIsPresentAndAppendingResumesAfterRestart()
      throws Exception {
    List<Ack> acks = new CopyOnWriteArrayList<>();

    runChildUntilKilled(acks, 300);
    int beforeRestart = acks.size();
    runChildUntilKilled(acks, beforeRestart + 100);

    PostgresEventStore store = PostgresEventStore.builder(pg.database().dataSource()).build();
    Map<UUID, RecordedEvent> stored =
        readWholeLog(store).stream()
            .collect(Collectors.toMap(RecordedEvent::eventId, Function.identity()));
    assertThat(acks).hasSizeGreaterThanOrEqualTo(beforeRestart + 100);
    for (Ack ack : acks) {
      assertThat(stored).as("acknowledged event %s", ack.eventId()).containsKey(ack.eventId());
      assertThat(stored.get(ack.eventId()).stream()).isEqualTo(ack.stream());
      assertThat(stored.get(ack.eventId()).version()).isEqualTo(ack.version());
    }
    for (int s = 0; s < 4; s++) {
      List<RecordedEvent> stream = store.readStream("crash-" + s, 1, 10_000);
      assertThat(stream)
          .extracting(RecordedEvent::version)
          .as("versions of crash-%d have no holes", s)
          .containsExactlyElementsOf(
              java.util.stream.LongStream.rangeClosed(1, stream.size()).boxed().toList());
    }
  }

  static List<RecordedEvent> readWholeLog(EventStore store) {
    List<RecordedEvent> all = new java.util.ArrayList<>();
    for (List<RecordedEvent> page = store.readAll(LogPosition.START, 500);
        !page.isEmpty();
        page = store.readAll(page.getLast().logPosition(), 500)) {
      all.addAll(page);
    }
    return all;
  }

  private static void runChildUntilKilled(List<Ack> acks, int untilAcks) throws Exception {
    String java = ProcessHandle.current().info().command().orElseThrow();
    Process child =
        new ProcessBuilder(
                java,
                "-cp",
                System.getProperty("java.class.path"),
                AppendingChild.class.getName(),
                pg.jdbcUrl(),
                "crash-")
            .redirectError(ProcessBuilder.Redirect.DISCARD)
            .directory(Path.of(".").toFile())
            .start();
    Thread reader =
        Thread.ofPlatform()
            .start(
                () -> {
                  try (BufferedReader r =
                      new BufferedReader(
                          new InputStreamReader(child.getInputStream(), StandardCharsets.UTF_8))) {
                    for (String line; (line = r.readLine()) != null; ) {
                      Matcher m = ACK.matcher(line);
                      if (m.matches()) {
                        acks.add(
                            new Ack(
                                UUID.fromString(m.group(1)),
                                m.group(2),
                                Long.parseLong(m.group(3))));
                      }
                    }
                  } catch (IOException e) {
                    throw new UncheckedIOException(e);
                  }
                });
    try {
      await()
          .atMost(Duration.ofSeconds(30))
          .pollInterval(Duration.ofMillis(5))
          .until(() -> acks.size() >= untilAcks || !child.isAlive());
      assertThat(child.isAlive()).as("the child is still appending when killed").isTrue();
    } finally {
      child.destroyForcibly();
      assertThat(child.waitFor(10, TimeUnit.SECONDS)).isTrue();
      reader.join(10_000);
    }
    assertThat(child.exitValue()).as("killed by SIGKILL").isEqualTo(137);
  }
}
