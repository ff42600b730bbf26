package io.bulwark.platform;

import io.bulwark.http.HttpModule;
import java.util.function.Function;

/**
 * A server being put together, as a capability module sees it: the module adds the Flyway
 * migrations it needs and a factory for its HTTP routes. The server (the wiring root) implements
 * this; capability modules depend on it, never on the server.
 *
 * <pre>{@code
 * public static Shop install(ServerAssembly server, ShopOptions options) {
 *   server.migrate("shop");                                  // db/migration/shop
 *   server.module(platform -> new ShopHttp(platform.database(), options));
 *   ...
 * }
 * }</pre>
 */
public interface ServerAssembly {

  /**
   * Applies the Flyway migrations in {@code db/migration/<module>} before the HTTP server starts;
   * adding the same module twice migrates it once.
   */
  ServerAssembly migrate(String module);

  /**
   * Adds a capability built from the {@link Platform} once the database is ready. When the module
   * it returns is also {@link AutoCloseable}, the server closes it on shutdown, in reverse order.
   */
  ServerAssembly module(Function<Platform, HttpModule> factory);
}
