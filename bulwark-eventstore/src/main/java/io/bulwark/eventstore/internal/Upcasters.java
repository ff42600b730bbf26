package io.bulwark.eventstore.internal;

import com.fasterxml.jackson.databind.JsonNode;
import io.bulwark.eventstore.RecordedEvent;
import io.bulwark.eventstore.Upcaster;
import io.bulwark.kernel.Json;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/** The registered upcasters, applied in a chain until the newest schema version. */
public final class Upcasters {

  private final Map<String, Upcaster> byTypeAndVersion = new HashMap<>();

  /** Indexes {@code upcasters}; two for the same type and version are an error. */
  public Upcasters(List<Upcaster> upcasters) {
    for (Upcaster u : upcasters) {
      Upcaster previous =
          byTypeAndVersion.putIfAbsent(key(u.eventType(), u.fromSchemaVersion()), u);
      if (previous != null) {
        throw new IllegalArgumentException(
            "two upcasters for "
                + u.eventType()
                + " from schema version "
                + u.fromSchemaVersion()
                + "; register one");
      }
    }
  }

  /** {@code event} upcast to the newest known schema version (itself if none applies). */
  public RecordedEvent apply(RecordedEvent event) {
    if (byTypeAndVersion.isEmpty()) {
      return event;
    }
    Upcaster next = byTypeAndVersion.get(key(event.type(), event.schemaVersion()));
    if (next == null) {
      return event;
    }
    JsonNode data = event.dataTree();
    int version = event.schemaVersion();
    while (next != null) {
      data = next.upcast(data);
      if (data == null) {
        throw new IllegalStateException(
            "upcaster of " + event.type() + " from schema version " + version + " returned null");
      }
      version++;
      next = byTypeAndVersion.get(key(event.type(), version));
    }
    return event.withData(version, Json.write(data));
  }

  private static String key(String type, int version) {
    return type + '\u0000' + version;
  }
}
