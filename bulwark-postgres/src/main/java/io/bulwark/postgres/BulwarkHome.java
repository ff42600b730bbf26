package io.bulwark.postgres;

import java.nio.file.Path;

/** Where Bulwark keeps its state: {@code $BULWARK_HOME}, else {@code ~/.bulwark}. */
public final class BulwarkHome {

  private BulwarkHome() {}

  /** The Bulwark home directory (not created by this call). */
  public static Path path() {
    String env = System.getenv("BULWARK_HOME");
    if (env != null && !env.isBlank()) {
      return Path.of(env);
    }
    return Path.of(System.getProperty("user.home"), ".bulwark");
  }
}
