package io.bulwark.commerce.events;

import java.time.Instant;
import java.util.Map;
import java.util.UUID;

/**
 * Something that happened in one bounded context that others may react to.
 *
 * @param id unique event id
 * @param type event type, like {@code InventoryReserved}
 * @param aggregateId what it happened to (an order id, a sku)
 * @param occurredAt when
 * @param version the aggregate's version after the event (1-based), or 0 when not versioned
 * @param payload event data, JSON-compatible values only
 */
public record DomainEvent(
    UUID id,
    String type,
    String aggregateId,
    Instant occurredAt,
    long version,
    Map<String, Object> payload) {}
