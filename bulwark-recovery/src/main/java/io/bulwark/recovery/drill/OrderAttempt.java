package io.bulwark.recovery.drill;

import java.time.Instant;
import java.util.Objects;
import java.util.Optional;

/**
 * One order the drill's load sent through the gateway.
 *
 * @param id the order's id
 * @param sentAt when the request was sent
 * @param answeredAt when the answer (or the failure) came
 * @param status the HTTP status, or 0 when no answer came (refused, reset, timed out)
 * @param region the region that answered ({@code X-Region}), if one did
 */
public record OrderAttempt(
    String id, Instant sentAt, Instant answeredAt, int status, Optional<String> region) {

  public OrderAttempt {
    Objects.requireNonNull(id, "id");
    Objects.requireNonNull(sentAt, "sentAt");
    Objects.requireNonNull(answeredAt, "answeredAt");
    Objects.requireNonNull(region, "region");
  }

  /** Whether the API acknowledged the order: a 2xx answer, so it claims to have recorded it. */
  public boolean acknowledged() {
    return status >= 200 && status < 300;
  }
}
