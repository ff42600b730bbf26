package io.bulwark.platform;

import io.bulwark.eventstore.EventStore;
import io.bulwark.postgres.Database;
import io.bulwark.postgres.ReadPool;
import io.micrometer.core.instrument.MeterRegistry;
import java.nio.file.Path;
import java.time.Clock;
import java.util.Objects;

/**
 * What a capability module is given to build itself once the server's database is ready and
 * migrated: a factory passed to {@link ServerAssembly#module} receives it.
 *
 * @param database the server's database pool
 * @param reads where reads that tolerate slightly stale data may run: a replica when the server was
 *     given a read URL, else the primary's pool; never for reads that must see the caller's own
 *     writes
 * @param eventStore the event store on that database
 * @param registry where the module's metrics go (scraped at {@code /metrics})
 * @param clock the clock every module reads the time from
 * @param instanceDir this server instance's state directory, for files a module keeps (keys, …)
 */
public record Platform(
    Database database,
    ReadPool reads,
    EventStore eventStore,
    MeterRegistry registry,
    Clock clock,
    Path instanceDir) {

  /** The database name Bulwark uses on the embedded PostgreSQL server. */
  public static final String DATABASE = "bulwark";

  /** Checks that every member is present. */
  public Platform {
    Objects.requireNonNull(database, "database");
    Objects.requireNonNull(reads, "reads");
    Objects.requireNonNull(eventStore, "eventStore");
    Objects.requireNonNull(registry, "registry");
    Objects.requireNonNull(clock, "clock");
    Objects.requireNonNull(instanceDir, "instanceDir");
  }
}
