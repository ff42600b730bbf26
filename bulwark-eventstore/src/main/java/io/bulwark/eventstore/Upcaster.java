package io.bulwark.eventstore;

import com.fasterxml.jackson.databind.JsonNode;
import io.bulwark.kernel.Check;
import java.util.Objects;
import java.util.function.UnaryOperator;

/**
 * Turns the data of one event type from schema version {@code n} into version {@code n + 1}.
 * Registered upcasters run on read, chained until no upcaster matches, so stored events never
 * change and readers only see the newest shape.
 */
public interface Upcaster {

  /** The event type this upcaster applies to. */
  String eventType();

  /** The schema version it reads; it produces {@code fromSchemaVersion() + 1}. */
  int fromSchemaVersion();

  /** The data in the next schema version. Must not return null. */
  JsonNode upcast(JsonNode data);

  /** An upcaster of {@code eventType} from {@code fromSchemaVersion} doing {@code upcast}. */
  static Upcaster of(String eventType, int fromSchemaVersion, UnaryOperator<JsonNode> upcast) {
    Objects.requireNonNull(eventType, "eventType");
    Objects.requireNonNull(upcast, "upcast");
    Check.positive("fromSchemaVersion", fromSchemaVersion);
    return new Upcaster() {
      @Override
      public String eventType() {
        return eventType;
      }

      @Override
      public int fromSchemaVersion() {
        return fromSchemaVersion;
      }

      @Override
      public JsonNode upcast(JsonNode data) {
        return upcast.apply(data);
      }
    };
  }
}
