package io.bulwark.traffic;

import io.bulwark.kernel.Problem;

/**
 * A request to change or inspect the gateway that cannot be carried out. The admin API renders it
 * as {@code application/problem+json}; the Java API throws it.
 */
public abstract sealed class TrafficException extends RuntimeException implements Problem
    permits UnknownPoolException,
        UnknownTargetException,
        TargetConflictException,
        InvalidRequestException,
        UnknownRuleException {

  TrafficException(String message) {
    super(message);
  }

  TrafficException(String message, Throwable cause) {
    super(message, cause);
  }

  @Override
  public String detail() {
    return getMessage();
  }
}
