package io.bulwark.fleet;

/** Why the fleet could not do something. */
public sealed class FleetException extends RuntimeException
    permits LaunchException, ZoneUnavailableException {

  FleetException(String message, Throwable cause) {
    super(message, cause);
  }
}
