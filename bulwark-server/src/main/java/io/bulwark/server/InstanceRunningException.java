package io.bulwark.server;

/**
 * Another live process runs a server on the same instance directory (and owns its database);
 * nothing was started and nothing of the other one was touched.
 */
public final class InstanceRunningException extends IllegalStateException {

  InstanceRunningException(String message, Throwable cause) {
    super(message, cause);
  }
}
