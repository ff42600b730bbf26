package io.bulwark.diagnose.http;

import io.bulwark.kernel.Check;
import java.time.Duration;
import java.util.Objects;

/**
 * How a server records telemetry and which table its slow-query fault locks.
 *
 * @param component how the topology names this server process, default {@code shop}
 * @param databaseComponent how it names the server's database, default {@code database}
 * @param dependencyComponent how it names the dependency the server calls, default {@code
 *     payment-network}
 * @param interval time between samples, default 1 s
 * @param retention how long samples are kept in memory, default 30 min
 * @param lockTable the table the {@code slow-query} fault locks, default {@code inventory_products}
 *     (the shop's catalog)
 */
public record DiagnoseOptions(
    String component,
    String databaseComponent,
    String dependencyComponent,
    Duration interval,
    Duration retention,
    String lockTable) {

  /** Checks every member. */
  public DiagnoseOptions {
    Check.notBlank("component", component);
    Check.notBlank("databaseComponent", databaseComponent);
    Check.notBlank("dependencyComponent", dependencyComponent);
    Check.positive("interval", interval);
    Check.atLeast("retention", retention, "interval", interval);
    Objects.requireNonNull(lockTable, "lockTable");
  }

  /** The defaults for a shop process. */
  public static DiagnoseOptions defaults() {
    return new DiagnoseOptions(
        "shop",
        "database",
        "payment-network",
        Duration.ofSeconds(1),
        Duration.ofMinutes(30),
        "inventory_products");
  }

  /** These options sampling every {@code interval}. */
  public DiagnoseOptions withInterval(Duration interval) {
    return new DiagnoseOptions(
        component, databaseComponent, dependencyComponent, interval, retention, lockTable);
  }

  /** These options with the slow-query fault locking {@code table}. */
  public DiagnoseOptions withLockTable(String table) {
    return new DiagnoseOptions(
        component, databaseComponent, dependencyComponent, interval, retention, table);
  }
}
