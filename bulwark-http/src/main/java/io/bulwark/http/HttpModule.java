package io.bulwark.http;

import io.javalin.Javalin;

/**
 * A capability's HTTP adapter: registers its routes on the server. Handlers throw domain exceptions
 * implementing {@link io.bulwark.kernel.Problem}; the server renders them.
 */
@FunctionalInterface
public interface HttpModule {

  /** Adds this module's routes to {@code app}. */
  void register(Javalin app);
}
