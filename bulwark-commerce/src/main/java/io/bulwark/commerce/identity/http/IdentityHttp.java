package io.bulwark.commerce.identity.http;

import io.bulwark.commerce.CommerceException;
import io.bulwark.commerce.auth.AccessTokens;
import io.bulwark.commerce.auth.Caller;
import io.bulwark.commerce.auth.Permission;
import io.bulwark.commerce.auth.Role;
import io.bulwark.commerce.identity.Identity;
import io.bulwark.commerce.identity.User;
import io.bulwark.commerce.internal.Fields;
import io.bulwark.commerce.internal.Requests;
import io.bulwark.http.HttpModule;
import io.javalin.Javalin;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * HTTP adapter of the identity context: {@code /api/v1/auth/*}, {@code /api/v1/users/*} and {@code
 * /api/v1/roles}.
 */
public final class IdentityHttp implements HttpModule {

  /** The most permissions a role may list (there are fewer distinct ones). */
  private static final int MAX_PERMISSIONS = 50;

  private final Identity identity;
  private final AccessTokens tokens;

  /** Routes for {@code identity}, authenticating with {@code tokens}. */
  public IdentityHttp(Identity identity, AccessTokens tokens) {
    this.identity = identity;
    this.tokens = tokens;
  }

  @Override
  public void register(Javalin app) {
    // answers that carry tokens must not be kept by a browser or a proxy on the way
    app.before("/api/v1/auth/*", ctx -> ctx.header("Cache-Control", "no-store"));
    app.post(
        "/api/v1/auth/register",
        ctx -> {
          Fields r = Fields.body(ctx, "username", "password", "name");
          User u =
              identity.register(
                  r.string("username", true, 200),
                  r.string("password", true, 200),
                  r.string("name", true, 200),
                  ctx.ip()); // 429 sets Retry-After
          ctx.status(201).header("Location", "/api/v1/users/" + u.id()).json(view(u));
        });
    app.post(
        "/api/v1/auth/login",
        ctx -> {
          Fields l = Fields.body(ctx, "username", "password");
          String username = l.string("username", true, 200);
          String password = l.string("password", true, 200);
          ctx.json(identity.login(username, password, ctx.ip())); // 429 sets Retry-After
        });
    app.post("/api/v1/auth/refresh", ctx -> ctx.json(identity.refresh(refreshToken(ctx))));
    app.post(
        "/api/v1/auth/logout",
        ctx -> {
          identity.logout(Requests.caller(ctx, tokens).userId(), refreshToken(ctx));
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
          Fields u = Fields.body(ctx, "name", "role");
          if (!u.has("name") && !u.has("role")) {
            throw new CommerceException.InvalidInput("$", "nothing to update: give name or role");
          }
          ctx.json(
              view(
                  identity.update(
                      caller, id, u.string("name", false, 200), u.string("role", false, 32))));
        });
    registerRoles(app);
  }

  private void registerRoles(Javalin app) {
    app.get(
        "/api/v1/roles",
        ctx ->
            ctx.json(
                identity.roles(Requests.caller(ctx, tokens)).stream()
                    .map(IdentityHttp::view)
                    .toList()));
    app.get(
        "/api/v1/roles/{name}",
        ctx -> ctx.json(view(identity.role(Requests.caller(ctx, tokens), ctx.pathParam("name")))));
    app.post(
        "/api/v1/roles",
        ctx -> {
          Caller caller = Requests.caller(ctx, tokens);
          caller.require(Permission.USER_WRITE_ANY);
          Fields r = Fields.body(ctx, "name", "permissions");
          Role role =
              identity.createRole(
                  caller,
                  r.string("name", true, 32),
                  r.strings("permissions", true, 1, MAX_PERMISSIONS, 64));
          ctx.status(201).header("Location", "/api/v1/roles/" + role.name()).json(view(role));
        });
    app.put(
        "/api/v1/roles/{name}",
        ctx -> {
          Caller caller = Requests.caller(ctx, tokens);
          caller.require(Permission.USER_WRITE_ANY);
          String name = ctx.pathParam("name");
          Fields r = Fields.body(ctx, "permissions");
          ctx.json(
              view(
                  identity.changeRole(
                      caller, name, r.strings("permissions", true, 1, MAX_PERMISSIONS, 64))));
        });
  }

  private static String refreshToken(io.javalin.http.Context ctx) {
    return Fields.body(ctx, "refreshToken").string("refreshToken", true, 200);
  }

  private User user(UUID id) {
    return identity.find(id).orElseThrow(() -> new CommerceException.NotFound("no user " + id));
  }

  static Map<String, Object> view(User u) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("id", u.id());
    m.put("username", u.username());
    m.put("name", u.name());
    m.put("role", u.role().name());
    m.put("permissions", slugs(u.role()));
    m.put("createdAt", u.createdAt());
    return m;
  }

  static Map<String, Object> view(Role r) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("name", r.name());
    m.put("builtIn", r.builtIn());
    m.put("permissions", slugs(r));
    return m;
  }

  private static List<String> slugs(Role r) {
    return r.permissions().stream().sorted().map(Permission::slug).toList();
  }
}
