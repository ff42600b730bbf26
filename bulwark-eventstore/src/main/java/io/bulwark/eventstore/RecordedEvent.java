package io.bulwark.eventstore;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import io.bulwark.kernel.Json;
import java.time.Instant;
import java.util.Objects;
import java.util.UUID;

/**
 * An event as stored, with all its metadata. Events read back have been upcast to the newest schema
 * version the store knows (see {@link Upcaster}).
 *
 * @param eventId unique id (UUIDv7)
 * @param stream the stream it belongs to
 * @param version its version within the stream (1 for the first event)
 * @param position its global position (unique across all streams; see {@link LogPosition})
 * @param transactionId id of the transaction that appended it
 * @param type the event type
 * @param schemaVersion the schema version of {@link #data()}
 * @param data the event data, JSON
 * @param recordedAt when it was appended
 * @param correlationId correlation id, null when absent
 * @param causationId causation id, null when absent
 */
public record RecordedEvent(
    UUID eventId,
    String stream,
    long version,
    long position,
    long transactionId,
    String type,
    int schemaVersion,
    String data,
    Instant recordedAt,
    String correlationId,
    String causationId) {

  /** Checks required fields. */
  public RecordedEvent {
    Objects.requireNonNull(eventId, "eventId");
    Objects.requireNonNull(stream, "stream");
    Objects.requireNonNull(type, "type");
    Objects.requireNonNull(data, "data");
    Objects.requireNonNull(recordedAt, "recordedAt");
  }

  /** Where this event sits in the whole log, in commit order. */
  public LogPosition logPosition() {
    return new LogPosition(transactionId, position);
  }

  /** The data as a JSON tree. */
  public JsonNode dataTree() {
    return Json.parse(data);
  }

  /** The data mapped to {@code type} with the shared {@link Json} mapper. */
  public <T> T dataAs(Class<T> type) {
    try {
      return Json.mapper().readValue(data, type);
    } catch (JsonProcessingException e) {
      throw new IllegalArgumentException(
          "event " + eventId + " data does not map to " + type.getSimpleName(), e);
    }
  }

  /** A copy with other data and schema version (used by upcasting). */
  public RecordedEvent withData(int newSchemaVersion, String newData) {
    return new RecordedEvent(
        eventId,
        stream,
        version,
        position,
        transactionId,
        type,
        newSchemaVersion,
        newData,
        recordedAt,
        correlationId,
        causationId);
  }
}
