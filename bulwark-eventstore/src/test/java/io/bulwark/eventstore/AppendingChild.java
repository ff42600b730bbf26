package io.bulwark.eventstore;

import io.bulwark.postgres.Database;
import io.bulwark.postgres.PostgresServer;
import java.io.PrintStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The child JVM of {@link AppendCrashTest}: appends to a few streams forever and prints one {@code
 * ACK <eventId> <stream> <version>} line per event after its append returned (committed).
 */
public final class AppendingChild {

  private AppendingChild() {}

  /** Arguments: JDBC URL, stream prefix. */
  public static void main(String[] args) {
    PrintStream out = System.out;
    try (Database db = Database.connect(args[0], PostgresServer.SUPERUSER, "", 4)) {
      EventStore store = PostgresEventStore.builder(db.dataSource()).build();
      for (long i = 0; ; i++) {
        String stream = args[1] + (i % 4);
        int size = 1 + (int) (i % 3);
        List<NewEvent> events = new ArrayList<>();
        for (int k = 0; k < size; k++) {
          events.add(NewEvent.of("Appended", Map.of("i", i, "k", k)));
        }
        AppendResult result = store.append(stream, ExpectedVersion.ANY, events);
        for (RecordedEvent e : result.events()) {
          out.println("ACK " + e.eventId() + " " + e.stream() + " " + e.version());
        }
        out.flush();
      }
    }
  }
}
