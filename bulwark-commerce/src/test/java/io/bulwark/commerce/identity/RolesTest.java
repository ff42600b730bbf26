package io.bulwark.commerce.identity;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.github.benmanes.caffeine.cache.Ticker;
import io.bulwark.commerce.TestServer;
import io.bulwark.commerce.TestServer.Response;
import io.bulwark.commerce.auth.Permission;
import io.bulwark.commerce.auth.Role;
import io.bulwark.commerce.identity.jdbc.JdbcIdentityStore;
import io.bulwark.postgres.PostgresTransactions;
import io.bulwark.testkit.PostgresExtension;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * Roles as data: listed, created from permissions, changed, assigned, and checked through a cache.
 */
class RolesTest {

  @RegisterExtension static final PostgresExtension pg = PostgresExtension.migrating();
  @TempDir static Path home;
  static TestServer app;
  static String admin;

  @BeforeAll
  static void start() throws Exception {
    app = new TestServer(pg.jdbcUrl(), home, o -> o);
    admin = app.adminToken();
  }

  @AfterAll
  static void stop() {
    app.close();
  }

  @Test
  void listsTheSeededBuiltInRolesWithThePermissionsTheCodeExpects() throws Exception {
    Response r = app.get("/api/v1/roles", admin);
    assertThat(r.status()).as(r.body()).isEqualTo(200);
    List<Role> listed = new ArrayList<>();
    for (JsonNode role : r.json()) {
      Set<Permission> granted = EnumSet.noneOf(Permission.class);
      role.get("permissions")
          .forEach(p -> granted.add(Permission.ofSlug(p.asText()).orElseThrow()));
      listed.add(new Role(role.get("name").asText(), granted));
      assertThat(role.get("builtIn").asBoolean())
          .isEqualTo(Role.builtIn(role.get("name").asText()));
    }
    assertThat(listed).containsAll(Role.BUILT_IN);
    assertThat(r.json().toString()).contains("\"name\":\"admin\",\"builtIn\":true");

    String customer = app.customer("roles-reader");
    assertThat(app.get("/api/v1/roles", customer).status()).isEqualTo(403);
    assertThat(app.get("/api/v1/roles", null).status()).isEqualTo(401);
  }

  @Test
  void createsARoleFromPermissionsAndAssignsItToAUser() throws Exception {
    Response created =
        app.send(
            "POST",
            "/api/v1/roles",
            admin,
            "{\"name\":\"auditor\",\"permissions\":[\"user_read_any\",\"order_read_any\"]}");
    assertThat(created.status()).as(created.body()).isEqualTo(201);
    assertThat(created.raw().headers().firstValue("Location")).hasValue("/api/v1/roles/auditor");
    assertThat(created.json().get("permissions").toString())
        .isEqualTo("[\"order_read_any\",\"user_read_any\"]");
    assertThat(app.get("/api/v1/roles/auditor", admin).json().get("builtIn").asBoolean()).isFalse();

    String other = app.customer("audited");
    String otherId = app.get("/api/v1/users/me", other).json().get("id").asText();
    String token = app.customer("auditor-ann");
    String id = app.get("/api/v1/users/me", token).json().get("id").asText();
    assertThat(app.get("/api/v1/users/" + otherId, token).status()).isEqualTo(403);

    Response assigned = app.send("PUT", "/api/v1/users/" + id, admin, "{\"role\":\"Auditor\"}");
    assertThat(assigned.status()).as(assigned.body()).isEqualTo(200);
    assertThat(assigned.json().get("role").asText()).isEqualTo("auditor");
    assertThat(assigned.json().get("permissions").toString()).contains("user_read_any");

    String fresh = app.login("auditor-ann", "password-1");
    assertThat(app.get("/api/v1/users/" + otherId, fresh).status()).isEqualTo(200);
    assertThat(app.get("/api/v1/customers/" + otherId + "/orders", fresh).status()).isEqualTo(200);
    assertThat(app.send("POST", "/api/v1/orders", fresh, "{\"items\":[]}").status())
        .as("auditors may not order")
        .isEqualTo(403);
  }

  @Test
  void refusesUnknownPermissionsBadNamesDuplicatesAndNonAdministrators() throws Exception {
    Response unknown =
        app.send(
            "POST",
            "/api/v1/roles",
            admin,
            "{\"name\":\"shipper\",\"permissions\":[\"catalog_read\",\"ship_everything\"]}");
    assertThat(unknown.status()).isEqualTo(400);
    assertThat(unknown.contentType()).startsWith("application/problem+json");
    assertThat(unknown.json().get("field").asText()).isEqualTo("$.permissions[1]");
    assertThat(unknown.json().get("detail").asText()).contains("ship_everything");

    Response badName =
        app.send(
            "POST",
            "/api/v1/roles",
            admin,
            "{\"name\":\"Big Boss\",\"permissions\":[\"operate\"]}");
    assertThat(badName.status()).isEqualTo(400);
    assertThat(badName.json().get("field").asText()).isEqualTo("$.name");

    String body = "{\"name\":\"packer\",\"permissions\":[\"inventory_read\"]}";
    assertThat(app.send("POST", "/api/v1/roles", admin, body).status()).isEqualTo(201);
    Response duplicate = app.send("POST", "/api/v1/roles", admin, body);
    assertThat(duplicate.status()).isEqualTo(409);
    assertThat(duplicate.json().get("type").asText()).endsWith("role-exists");
    Response builtIn =
        app.send("PUT", "/api/v1/roles/customer", admin, "{\"permissions\":[\"operate\"]}");
    assertThat(builtIn.status()).isEqualTo(409);
    assertThat(app.get("/api/v1/roles/customer", admin).body()).doesNotContain("operate");

    String customer = app.customer("would-be-admin");
    String id = app.get("/api/v1/users/me", customer).json().get("id").asText();
    assertThat(
            app.send(
                    "POST",
                    "/api/v1/roles",
                    customer,
                    "{\"name\":\"mine\",\"permissions\":[\"operate\"]}")
                .status())
        .isEqualTo(403);
    Response noSuchRole = app.send("PUT", "/api/v1/users/" + id, admin, "{\"role\":\"wizard\"}");
    assertThat(noSuchRole.status()).isEqualTo(400);
    assertThat(noSuchRole.json().get("field").asText()).isEqualTo("$.role");
    assertThat(noSuchRole.json().get("detail").asText()).contains("wizard", "customer");
    assertThat(app.get("/api/v1/roles/mine", admin).status()).isEqualTo(404);
  }

  @Test
  void aChangedRoleAppliesToTokensAlreadyIssued() throws Exception {
    assertThat(
            app.send(
                    "POST",
                    "/api/v1/roles",
                    admin,
                    "{\"name\":\"stock-viewer\",\"permissions\":[\"inventory_read\"]}")
                .status())
        .isEqualTo(201);
    String token = app.customer("viewer-vic");
    String id = app.get("/api/v1/users/me", token).json().get("id").asText();
    app.send("PUT", "/api/v1/users/" + id, admin, "{\"role\":\"stock-viewer\"}");
    String viewer = app.login("viewer-vic", "password-1");
    assertThat(app.get("/api/v1/inventory-events", viewer).status()).isEqualTo(200);

    Response changed =
        app.send(
            "PUT", "/api/v1/roles/stock-viewer", admin, "{\"permissions\":[\"catalog_read\"]}");
    assertThat(changed.status()).as(changed.body()).isEqualTo(200);

    assertThat(app.get("/api/v1/inventory-events", viewer).status()).isEqualTo(403);
    assertThat(app.get("/api/v1/products", viewer).status()).isEqualTo(200);
  }

  @Test
  void aChangeMadeByAnotherProcessIsSeenOnceTheCacheExpires() {
    JdbcIdentityStore store =
        new JdbcIdentityStore(PostgresTransactions.of(pg.database().dataSource()));
    store.insert(new Role("night-shift", EnumSet.of(Permission.OPERATE)), Instant.now());
    AtomicLong nanos = new AtomicLong();
    Ticker ticker = nanos::get;
    CachedRoles here = new CachedRoles(store, ticker);
    assertThat(here.permissions("night-shift")).containsExactly(Permission.OPERATE);

    // another process changes the role: this one keeps its cached copy for at most the TTL
    store.replacePermissions(new Role("night-shift", EnumSet.of(Permission.CATALOG_READ)));
    nanos.addAndGet(CachedRoles.TTL.toNanos() - TimeUnit.MILLISECONDS.toNanos(1));
    assertThat(here.permissions("night-shift")).containsExactly(Permission.OPERATE);
    nanos.addAndGet(TimeUnit.MILLISECONDS.toNanos(1));
    assertThat(here.permissions("night-shift")).containsExactly(Permission.CATALOG_READ);
    assertThat(CachedRoles.TTL).isLessThanOrEqualTo(java.time.Duration.ofSeconds(5));
    assertThat(here.permissions("no-such-role")).isEmpty();
  }

  @Test
  void theLastReadPermissionsStandInWhileThePoolIsExhausted() throws Exception {
    try (io.bulwark.postgres.Database tiny =
        io.bulwark.postgres.Database.connect(
            pg.jdbcUrl(), io.bulwark.postgres.PostgresServer.SUPERUSER, "", 1)) {
      JdbcIdentityStore store = new JdbcIdentityStore(PostgresTransactions.of(tiny.dataSource()));
      store.insert(new Role("on-call", EnumSet.of(Permission.OPERATE)), Instant.now());
      AtomicLong nanos = new AtomicLong();
      CachedRoles roles = new CachedRoles(store, nanos::get);
      assertThat(roles.permissions("on-call")).containsExactly(Permission.OPERATE);

      try (java.sql.Connection held = tiny.dataSource().getConnection()) {
        assertThat(held.isValid(1)).isTrue(); // the pool's only connection: nothing else gets one
        nanos.addAndGet(CachedRoles.TTL.toNanos() + 1);
        assertThat(roles.permissions("on-call"))
            .as("read before: it stands in")
            .containsExactly(Permission.OPERATE);
        assertThatThrownBy(() -> roles.permissions("never-read"))
            .as("never read: nothing to stand in")
            .isInstanceOf(RuntimeException.class);
      }
    }
  }
}
