package io.bulwark.messaging.feed;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.bulwark.kernel.Json;
import java.time.Instant;

/**
 * The JSON body of a fed event: {@code {"eventId","type","aggregateId","version","occurredAt",
 * "data"}}, the seed's DomainEvent fields ({@code version} 0 for unversioned events).
 */
public final class Envelope {

  private Envelope() {}

  /** The message body of one event. */
  public static String of(
      String eventId,
      String type,
      String aggregateId,
      long version,
      Instant occurredAt,
      JsonNode data) {
    ObjectNode o = Json.object();
    o.put("eventId", eventId);
    o.put("type", type);
    o.put("aggregateId", aggregateId);
    o.put("version", version);
    o.put("occurredAt", occurredAt.toString());
    o.set("data", data);
    return o.toString();
  }
}
