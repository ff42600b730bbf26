package io.bulwark.topology;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * Who the runbook names.
 *
 * @param primary first responder
 * @param escalation escalation contact
 * @param vendorSupport vendor → support channel
 */
public record Contacts(
    Optional<String> primary, Optional<String> escalation, Map<String, String> vendorSupport) {

  public Contacts {
    Objects.requireNonNull(primary, "primary");
    Objects.requireNonNull(escalation, "escalation");
    vendorSupport = Collections.unmodifiableMap(new LinkedHashMap<>(vendorSupport));
  }

  /** Nobody named. */
  public static Contacts none() {
    return new Contacts(Optional.empty(), Optional.empty(), Map.of());
  }
}
