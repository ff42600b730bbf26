package io.bulwark.testkit;

import io.bulwark.kernel.Trees;
import io.bulwark.postgres.PostgresServer;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The one real PostgreSQL server of a test JVM, started on first use and stopped when the JVM
 * exits. Tests trade durability for speed here ({@code fsync=off}); crash tests kill application
 * processes, not this server.
 */
public final class TestPostgres {

  private static PostgresServer server;

  private TestPostgres() {}

  /** The shared server, started if needed. */
  public static synchronized PostgresServer server() {
    if (server == null) {
      try {
        Path dir = Files.createTempDirectory("bulwark-test-pg-");
        PostgresServer s =
            PostgresServer.builder(dir.resolve("data"))
                .setting("fsync", "off")
                .setting("full_page_writes", "off")
                .setting("max_connections", "300")
                .build()
                .start();
        Runtime.getRuntime()
            .addShutdownHook(
                new Thread(
                    () -> {
                      s.close();
                      Trees.deleteQuietly(dir);
                    },
                    "test-postgres-stop"));
        server = s;
      } catch (IOException e) {
        throw new UncheckedIOException("cannot create a directory for the test PostgreSQL", e);
      }
    }
    return server;
  }
}
