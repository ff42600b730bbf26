package io.bulwark.http;

import com.fasterxml.jackson.databind.JsonNode;
import io.javalin.Javalin;
import java.util.Optional;

/**
 * A capability's HTTP adapter: registers its routes on the server. Handlers throw domain exceptions
 * implementing {@link io.bulwark.kernel.Problem}; the server renders them.
 */
@FunctionalInterface
public interface HttpModule {

  /** Adds this module's routes to {@code app}. */
  void register(Javalin app);

  /**
   * This module's part of the server's OpenAPI document (see {@link OpenApi}): the routes {@link
   * #register} adds, with their schemas. Empty by default, for a module that adds no documented
   * route.
   */
  default Optional<JsonNode> openApi() {
    return Optional.empty();
  }
}
