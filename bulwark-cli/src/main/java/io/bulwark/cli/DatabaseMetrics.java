package io.bulwark.cli;

import io.bulwark.dr.ReplicationMeters;
import io.bulwark.http.HttpModule;
import io.javalin.Javalin;

/** Puts the database's replication lag on {@code /metrics}; no routes of its own. */
final class DatabaseMetrics implements HttpModule, AutoCloseable {

  private final ReplicationMeters meters;

  DatabaseMetrics(ReplicationMeters meters) {
    this.meters = meters;
  }

  @Override
  public void register(Javalin app) {
    // metrics only: the registry is scraped by the server's /metrics
  }

  @Override
  public void close() {
    meters.close();
  }
}
