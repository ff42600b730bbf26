package io.bulwark.eventstore;

import io.bulwark.eventstore.internal.Text;
import io.bulwark.kernel.Check;
import io.bulwark.kernel.Ids;
import io.bulwark.kernel.Json;
import java.util.Objects;
import java.util.UUID;

/**
 * An event to append: its type, JSON data, schema version and tracing ids. The store adds the
 * stream, version, global position and timestamp.
 *
 * @param eventId unique id (UUIDv7 by default); appending the same id twice fails
 * @param type the event type, e.g. {@code OrderPlaced}
 * @param schemaVersion version of the data's shape, {@code >= 1}; old versions are upcast on read
 * @param data the event data as a JSON document
 * @param correlationId the id tying together everything one request caused; null when absent
 * @param causationId the id of the message or event that caused this one; null when absent
 */
public record NewEvent(
    UUID eventId,
    String type,
    int schemaVersion,
    String data,
    String correlationId,
    String causationId) {

  /** Checks required fields. */
  public NewEvent {
    Objects.requireNonNull(eventId, "eventId");
    Text.name("type", type, 200);
    Check.positive("schemaVersion", schemaVersion);
    Objects.requireNonNull(data, "data");
    Text.optional("correlationId", correlationId, 200);
    Text.optional("causationId", causationId, 200);
  }

  /** An event of {@code type} whose data is {@code data} serialised with {@link Json}. */
  public static NewEvent of(String type, Object data) {
    return builder(type).data(data).build();
  }

  /** A builder for an event of {@code type}; schema version 1, a fresh UUIDv7 id. */
  public static Builder builder(String type) {
    return new Builder(type);
  }

  /** Builds a {@link NewEvent}; each method checks its value. */
  public static final class Builder {
    private final String type;
    private UUID eventId = Ids.newId();
    private int schemaVersion = 1;
    private String data = "{}";
    private String correlationId;
    private String causationId;

    private Builder(String type) {
      this.type = type;
    }

    /** The event id (default: a fresh UUIDv7). */
    public Builder eventId(UUID eventId) {
      this.eventId = Objects.requireNonNull(eventId, "eventId");
      return this;
    }

    /** The data's schema version (default 1). */
    public Builder schemaVersion(int schemaVersion) {
      this.schemaVersion = Check.positive("schemaVersion", schemaVersion);
      return this;
    }

    /** The data as an object serialised with {@link Json} (default {@code {}}). */
    public Builder data(Object data) {
      this.data = Json.write(Objects.requireNonNull(data, "data"));
      return this;
    }

    /** The data as JSON text; throws {@link IllegalArgumentException} if it is not JSON. */
    public Builder json(String json) {
      Json.parse(Objects.requireNonNull(json, "json"));
      this.data = json;
      return this;
    }

    /** The correlation id (default none). */
    public Builder correlationId(String correlationId) {
      this.correlationId = correlationId;
      return this;
    }

    /** The causation id (default none). */
    public Builder causationId(String causationId) {
      this.causationId = causationId;
      return this;
    }

    /** The event. */
    public NewEvent build() {
      return new NewEvent(eventId, type, schemaVersion, data, correlationId, causationId);
    }
  }
}
