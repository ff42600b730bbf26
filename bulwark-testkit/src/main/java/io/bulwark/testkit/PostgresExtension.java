package io.bulwark.testkit;

import io.bulwark.postgres.Database;
import io.bulwark.postgres.PostgresServer;
import java.util.Locale;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * A fresh database on the JVM's shared {@link TestPostgres} server for each test class, migrated
 * with the given modules' Flyway scripts. Register it as a static field:
 *
 * <pre>{@code
 * @RegisterExtension static final PostgresExtension pg = PostgresExtension.migrating("eventstore");
 * }</pre>
 */
public final class PostgresExtension implements BeforeAllCallback, AfterAllCallback {

  private static final AtomicInteger COUNTER = new AtomicInteger();

  private final String[] modules;
  private String databaseName;
  private Database database;

  private PostgresExtension(String... modules) {
    this.modules = modules;
  }

  /** A fresh database per class with {@code modules}' migrations applied. */
  public static PostgresExtension migrating(String... modules) {
    return new PostgresExtension(modules);
  }

  @Override
  public void beforeAll(ExtensionContext context) {
    String cls = context.getRequiredTestClass().getSimpleName().toLowerCase(Locale.ROOT);
    String base = "t_" + cls.replaceAll("[^a-z0-9]", "_");
    databaseName =
        base.substring(0, Math.min(40, base.length()))
            + "_"
            + ProcessHandle.current().pid()
            + "_"
            + COUNTER.incrementAndGet();
    server().createDatabaseIfMissing(databaseName);
    database = Database.connect(jdbcUrl(), PostgresServer.SUPERUSER, "", 16);
    for (String module : modules) {
      database.migrate(module);
    }
  }

  @Override
  public void afterAll(ExtensionContext context) {
    if (database != null) {
      database.close();
    }
  }

  /** The database of the current test class. */
  public Database database() {
    return database;
  }

  /** JDBC URL of the current test class's database. */
  public String jdbcUrl() {
    return server().jdbcUrl(databaseName);
  }

  /** Name of the current test class's database. */
  public String databaseName() {
    return databaseName;
  }

  /** The shared server. */
  public PostgresServer server() {
    return TestPostgres.server();
  }
}
