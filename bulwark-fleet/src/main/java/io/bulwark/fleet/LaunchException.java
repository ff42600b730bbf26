package io.bulwark.fleet;

/** An instance could not be started (the command failed to run, no free port, ...). */
public final class LaunchException extends FleetException {

  public LaunchException(String message, Throwable cause) {
    super(message, cause);
  }
}
