package io.bulwark.commerce.identity.http;

import io.bulwark.commerce.CommerceException;
import io.bulwark.commerce.auth.AccessTokens;
import io.bulwark.commerce.auth.Caller;
import io.bulwark.commerce.auth.Permission;
import io.bulwark.commerce.identity.Identity;
import io.bulwark.commerce.identity.User;
import io.bulwark.commerce.internal.Requests;
import io.bulwark.server.http.HttpModule;
import io.bulwark.server.http.JsonBody;
import io.javalin.Javalin;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.UUID;

/** HTTP adapter of the identity context: {@code /api/v1/auth/*} and {@code /api/v1/users/*}. */
public final class IdentityHttp implements HttpModule {

  record Register(String username, String password, String name) {}

  record Login(String username, String password) {}

  record Refresh(String refreshToken) {}

  record UpdateUser(String name, String role) {}

  private final Identity identity;
  private final AccessTokens tokens;

  /** Routes for {@code identity}, authenticating with {@code tokens}. */
  public IdentityHttp(Identity identity, AccessTokens tokens) {
    this.identity = identity;
    this.tokens = tokens;
  }

  @Override
  public void register(Javalin app) {
    app.post(
        "/api/v1/auth/register",
        ctx -> {
          Register r = JsonBody.read(ctx, Register.class);
          User u = identity.register(r.username(), r.password(), r.name());
          ctx.status(201).header("Location", "/api/v1/users/" + u.id()).json(view(u));
        });
    app.post(
        "/api/v1/auth/login",
        ctx -> {
          Login l = JsonBody.read(ctx, Login.class);
          try {
            ctx.json(identity.login(l.username(), l.password(), ctx.ip()));
          } catch (CommerceException.TooManyRequests e) {
            ctx.header("Retry-After", Long.toString(e.retryAfterSeconds()));
            throw e;
          }
        });
    app.post(
        "/api/v1/auth/refresh",
        ctx -> ctx.json(identity.refresh(JsonBody.read(ctx, Refresh.class).refreshToken())));
    app.post(
        "/api/v1/auth/logout",
        ctx -> {
          Requests.caller(ctx, tokens);
          identity.logout(JsonBody.read(ctx, Refresh.class).refreshToken());
          ctx.status(204);
        });
    app.get("/api/v1/users/me", ctx -> ctx.json(view(user(Requests.caller(ctx, tokens).userId()))));
    app.get(
        "/api/v1/users/{id}",
        ctx -> {
          Caller caller = Requests.caller(ctx, tokens);
          UUID id = Requests.uuidPath(ctx, "id");
          caller.requireSelfOr(id, Permission.USER_READ_ANY);
          ctx.json(view(user(id)));
        });
    app.put(
        "/api/v1/users/{id}",
        ctx -> {
          Caller caller = Requests.caller(ctx, tokens);
          UUID id = Requests.uuidPath(ctx, "id");
          caller.requireSelfOr(id, Permission.USER_WRITE_ANY);
          UpdateUser u = JsonBody.read(ctx, UpdateUser.class);
          ctx.json(view(identity.update(caller, id, u.name(), u.role())));
        });
  }

  private User user(UUID id) {
    return identity.find(id).orElseThrow(() -> new CommerceException.NotFound("no user " + id));
  }

  static Map<String, Object> view(User u) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("id", u.id());
    m.put("username", u.username());
    m.put("name", u.name());
    m.put("role", u.role().slug());
    m.put("permissions", u.role().permissions().stream().map(p -> p.name().toLowerCase()).toList());
    m.put("createdAt", u.createdAt());
    return m;
  }
}
