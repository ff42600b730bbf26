package io.bulwark.commerce.identity;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.bulwark.commerce.TestServer;
import io.bulwark.commerce.TestServer.Response;
import io.bulwark.commerce.auth.AccessTokens;
import io.bulwark.commerce.auth.Caller;
import io.bulwark.commerce.auth.Role;
import io.bulwark.commerce.auth.Roles;
import io.bulwark.testkit.PostgresExtension;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

class AuthTest {

  @RegisterExtension static final PostgresExtension pg = PostgresExtension.migrating();
  @TempDir static Path home;
  static TestServer app;

  @BeforeAll
  static void start() {
    app = new TestServer(pg.jdbcUrl(), home, o -> o.loginFailuresPerAccount(3));
  }

  @AfterAll
  static void stop() {
    app.close();
  }

  @Test
  void registersLogsInAndReadsOwnProfile() throws Exception {
    Response reg =
        app.send(
            "POST",
            "/api/v1/auth/register",
            null,
            "{\"username\":\"alice\",\"password\":\"correct-horse\",\"name\":\"Alice\"}");
    assertThat(reg.status()).isEqualTo(201);
    String id = reg.json().get("id").asText();

    Response login =
        app.send(
            "POST",
            "/api/v1/auth/login",
            null,
            "{\"username\":\"alice\",\"password\":\"correct-horse\"}");
    assertThat(login.status()).isEqualTo(200);
    JsonNode tokens = login.json();
    assertThat(tokens.get("tokenType").asText()).isEqualTo("Bearer");
    assertThat(tokens.get("expiresIn").asLong()).isEqualTo(900);

    Response me = app.get("/api/v1/users/" + id, tokens.get("accessToken").asText());
    assertThat(me.status()).isEqualTo(200);
    assertThat(me.json().get("name").asText()).isEqualTo("Alice");
    assertThat(me.json().get("role").asText()).isEqualTo("customer");
    assertThat(me.body()).doesNotContain("password");
  }

  @Test
  void storesOnlyASaltedSlowHashOfThePassword() throws Exception {
    app.customer("hashcheck");
    try (var c = pg.database().dataSource().getConnection();
        var rs =
            c.createStatement()
                .executeQuery(
                    "select password_hash from identity_users where username = 'hashcheck'")) {
      assertThat(rs.next()).isTrue();
      assertThat(rs.getString(1)).startsWith("$2a$04$").doesNotContain("password-1");
    }
  }

  @Test
  void rejectsADuplicateUsernameWithConflict() throws Exception {
    app.customer("bob");
    Response again =
        app.send(
            "POST",
            "/api/v1/auth/register",
            null,
            "{\"username\":\"BOB\",\"password\":\"password-2\",\"name\":\"Bob 2\"}");
    assertThat(again.status()).isEqualTo(409);
    assertThat(again.contentType()).startsWith("application/problem+json");
  }

  @Test
  void answers401WithoutATokenWithAForgedOneAndWithAnExpiredOne() throws Exception {
    String token = app.customer("carol");
    assertThat(app.get("/api/v1/products", null).status()).isEqualTo(401);
    assertThat(app.get("/api/v1/products", "not-a-jwt").status()).isEqualTo(401);
    String forged =
        new AccessTokens(
                "another-secret-another-secret-another".getBytes(StandardCharsets.UTF_8),
                Duration.ofMinutes(5),
                Clock.systemUTC(),
                Roles.builtIn())
            .issue(new Caller(UUID.randomUUID(), "x", Role.ADMIN));
    assertThat(app.get("/api/v1/products", forged).status()).isEqualTo(401);
    String expired =
        new AccessTokens(
                TestServer.SECRET.getBytes(StandardCharsets.UTF_8),
                Duration.ofMinutes(1),
                Clock.fixed(Instant.now().minus(Duration.ofHours(1)), ZoneOffset.UTC),
                Roles.builtIn())
            .issue(new Caller(UUID.randomUUID(), "carol", Role.CUSTOMER));
    Response r = app.get("/api/v1/products", expired);
    assertThat(r.status()).isEqualTo(401);
    assertThat(r.json().get("detail").asText()).contains("expired");
    assertThat(app.get("/api/v1/products", token).status()).isEqualTo(200);
  }

  @Test
  void answers403WhenACustomerReadsAnotherUserOrUsesAdminEndpoints() throws Exception {
    String dave = app.customer("dave");
    String erin = app.customer("erin");
    String erinId = app.get("/api/v1/users/me", erin).json().get("id").asText();
    assertThat(app.get("/api/v1/users/" + erinId, dave).status()).isEqualTo(403);
    assertThat(app.send("PUT", "/api/v1/users/" + erinId, dave, "{\"name\":\"Hacked\"}").status())
        .isEqualTo(403);
    Response selfPromotion =
        app.send(
            "PUT",
            "/api/v1/users/" + app.get("/api/v1/users/me", dave).json().get("id").asText(),
            dave,
            "{\"role\":\"admin\"}");
    assertThat(selfPromotion.status()).isEqualTo(403);
    assertThat(
            app.send(
                    "POST",
                    "/api/v1/products",
                    dave,
                    "{\"sku\":\"X1\",\"name\":\"X\",\"price\":100}")
                .status())
        .isEqualTo(403);
    assertThat(app.get("/api/v1/users/" + erinId, erin).json().get("name").asText())
        .isEqualTo("Name erin");
  }

  @Test
  void letsAnAdminReadAndChangeAnyUser() throws Exception {
    String admin = app.adminToken();
    String frank = app.customer("frank");
    String id = app.get("/api/v1/users/me", frank).json().get("id").asText();
    Response r =
        app.send("PUT", "/api/v1/users/" + id, admin, "{\"name\":\"Frank F\",\"role\":\"vip\"}");
    assertThat(r.status()).isEqualTo(200);
    assertThat(r.json().get("role").asText()).isEqualTo("vip");
    assertThat(app.get("/api/v1/users/" + id, admin).json().get("name").asText())
        .isEqualTo("Frank F");
  }

  @Test
  void rotatesRefreshTokensAndRevokesTheFamilyWhenOneIsReused() throws Exception {
    app.customer("grace");
    JsonNode first =
        app.send(
                "POST",
                "/api/v1/auth/login",
                null,
                "{\"username\":\"grace\",\"password\":\"password-1\"}")
            .json();
    String r1 = first.get("refreshToken").asText();
    Response second = refresh(r1);
    assertThat(second.status()).isEqualTo(200);
    String r2 = second.json().get("refreshToken").asText();
    assertThat(r2).isNotEqualTo(r1);
    assertThat(app.get("/api/v1/users/me", second.json().get("accessToken").asText()).status())
        .isEqualTo(200);

    Response reuse = refresh(r1);
    assertThat(reuse.status()).isEqualTo(401);
    assertThat(reuse.json().get("detail").asText()).contains("already used");
    assertThat(refresh(r2).status()).as("the whole family is revoked").isEqualTo(401);
    assertThat(app.get("/api/v1/users/me", second.json().get("accessToken").asText()).status())
        .as("and the access tokens of the user")
        .isEqualTo(401);
    assertThat(refresh("garbage").status()).isEqualTo(401);
  }

  @Test
  void logoutRevokesTheRefreshToken() throws Exception {
    app.customer("heidi");
    JsonNode t =
        app.send(
                "POST",
                "/api/v1/auth/login",
                null,
                "{\"username\":\"heidi\",\"password\":\"password-1\"}")
            .json();
    String refresh = t.get("refreshToken").asText();
    Response out =
        app.send(
            "POST",
            "/api/v1/auth/logout",
            t.get("accessToken").asText(),
            "{\"refreshToken\":\"" + refresh + "\"}");
    assertThat(out.status()).isEqualTo(204);
    assertThat(refresh(refresh).status()).isEqualTo(401);
  }

  @Test
  void logoutRefusesARefreshTokenOfAnotherUserAndTokenAnswersAreNotCached() throws Exception {
    String ivan = app.customer("mallory");
    Response judy =
        app.send(
            "POST",
            "/api/v1/auth/register",
            null,
            "{\"username\":\"jude\",\"password\":" + "\"password-1\",\"name\":\"Judy\"}");
    assertThat(judy.raw().headers().firstValue("Cache-Control")).hasValue("no-store");
    Response login =
        app.send(
            "POST",
            "/api/v1/auth/login",
            null,
            "{\"username\":\"jude\",\"password\":\"password-1\"}");
    assertThat(login.raw().headers().firstValue("Cache-Control")).hasValue("no-store");
    String judysRefresh = login.json().get("refreshToken").asText();

    Response out =
        app.send(
            "POST", "/api/v1/auth/logout", ivan, "{\"refreshToken\":\"" + judysRefresh + "\"}");
    assertThat(out.status()).isEqualTo(403);
    assertThat(out.contentType()).startsWith("application/problem+json");
    assertThat(app.get("/api/v1/users/me", login.json().get("accessToken").asText()).status())
        .as("judy's access token still works")
        .isEqualTo(200);
    Response refreshed = refresh(judysRefresh);
    assertThat(refreshed.status()).as("judy's session is intact").isEqualTo(200);
    assertThat(refreshed.raw().headers().firstValue("Cache-Control")).hasValue("no-store");
  }

  @Test
  void logoutRetiresTheCallersAccessTokensAtOnce() throws Exception {
    app.customer("kim");
    JsonNode laptop = loginJson("kim");
    JsonNode phone = loginJson("kim");
    String access = laptop.get("accessToken").asText();
    assertThat(app.get("/api/v1/users/me", access).status()).isEqualTo(200);

    Response out =
        app.send(
            "POST",
            "/api/v1/auth/logout",
            access,
            "{\"refreshToken\":\"" + laptop.get("refreshToken").asText() + "\"}");
    assertThat(out.status()).isEqualTo(204);

    Response after = app.get("/api/v1/users/me", access);
    assertThat(after.status()).isEqualTo(401);
    assertThat(after.json().get("detail").asText()).contains("revoked");
    assertThat(app.get("/api/v1/users/me", phone.get("accessToken").asText()).status())
        .as("every access token of the user ends")
        .isEqualTo(401);
    Response phoneRefresh = refresh(phone.get("refreshToken").asText());
    assertThat(phoneRefresh.status()).as("the other session goes on").isEqualTo(200);
    assertThat(
            app.get("/api/v1/users/me", phoneRefresh.json().get("accessToken").asText()).status())
        .isEqualTo(200);
  }

  @Test
  void aRoleChangeRetiresTheUsersAccessTokensAndTheNextRefreshCarriesTheNewRole() throws Exception {
    String admin = app.adminToken();
    app.customer("lena");
    JsonNode lena = loginJson("lena");
    String old = lena.get("accessToken").asText();
    String id = app.get("/api/v1/users/me", old).json().get("id").asText();

    Response demoted = app.send("PUT", "/api/v1/users/" + id, admin, "{\"role\":\"operator\"}");
    assertThat(demoted.status()).isEqualTo(200);

    assertThat(app.get("/api/v1/users/me", old).status()).isEqualTo(401);
    Response renamed = app.send("PUT", "/api/v1/users/" + id, admin, "{\"name\":\"Lena L\"}");
    assertThat(renamed.status()).isEqualTo(200);
    Response refreshed = refresh(lena.get("refreshToken").asText());
    assertThat(refreshed.status()).isEqualTo(200);
    String fresh = refreshed.json().get("accessToken").asText();
    assertThat(app.commerce.accessTokens().verify(fresh).role()).isEqualTo(Role.OPERATOR.name());
    assertThat(app.get("/api/v1/users/me", fresh).status())
        .as("a change of name alone retires nothing")
        .isEqualTo(200);
    assertThat(app.get("/api/v1/users/me", admin).status()).isEqualTo(200);
  }

  @Test
  void rateLimitsFailedLoginsPerAccountWithRetryAfter() throws Exception {
    app.customer("ivan");
    for (int i = 0; i < 3; i++) {
      assertThat(login("ivan", "wrong-password").status()).isEqualTo(401);
    }
    Response limited = login("ivan", "password-1");
    assertThat(limited.status()).isEqualTo(429);
    assertThat(limited.contentType()).startsWith("application/problem+json");
    long retryAfter = Long.parseLong(limited.raw().headers().firstValue("Retry-After").orElse("0"));
    assertThat(retryAfter).isBetween(1L, 15 * 60L);
    assertThat(login("judy-unknown", "whatever-1").status())
        .as("other accounts are not affected")
        .isEqualTo(401);
  }

  private static Response login(String user, String password) throws Exception {
    return app.send(
        "POST",
        "/api/v1/auth/login",
        null,
        "{\"username\":\"" + user + "\",\"password\":\"" + password + "\"}");
  }

  private static JsonNode loginJson(String user) throws Exception {
    Response r = login(user, "password-1");
    assertThat(r.status()).isEqualTo(200);
    return r.json();
  }

  private static Response refresh(String token) throws Exception {
    return app.send("POST", "/api/v1/auth/refresh", null, "{\"refreshToken\":\"" + token + "\"}");
  }
}
