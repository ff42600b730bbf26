package io.bulwark.recovery.cli;

import io.bulwark.postgres.Database;
import io.bulwark.postgres.PostgresServer;
import io.bulwark.recovery.RunningTopology;
import java.nio.file.Path;

/**
 * The DR manager's own PostgreSQL server in {@code <home>/run/<topology>/dr/pg}, which holds its
 * durable executions (activations and failbacks), started for one {@code dr} command.
 */
final class ManagerState implements AutoCloseable {
  private final Path dir;
  private final PostgresServer server;
  private final Database database;

  private ManagerState(Path dir, PostgresServer server, Database database) {
    this.dir = dir;
    this.server = server;
    this.database = database;
  }

  /** Starts the state server of {@code running} (creating it on first use) and connects. */
  static ManagerState open(RunningTopology running) {
    return open(running.stateDir().resolve("pg"));
  }

  /** Starts the state server with its data in {@code dir} (created on first use) and connects. */
  static ManagerState open(Path dir) {
    PostgresServer server = PostgresServer.builder(dir).build().start();
    try {
      return new ManagerState(
          dir, server, Database.connect(server.jdbcUrl("postgres"), "postgres", "", 4));
    } catch (RuntimeException e) {
      server.close();
      throw e;
    }
  }

  /** Where its data is. */
  Path dir() {
    return dir;
  }

  /** The connection pool to it. */
  Database database() {
    return database;
  }

  @Override
  public void close() {
    database.close();
    server.close();
  }
}
