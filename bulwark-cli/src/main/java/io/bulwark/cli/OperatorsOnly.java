package io.bulwark.cli;

import io.bulwark.commerce.Commerce;
import io.bulwark.commerce.auth.Permission;
import io.bulwark.http.HttpModule;
import io.javalin.Javalin;
import java.util.List;

/**
 * Puts the state-machine API of a shop process behind the shop's own login: creating machines and
 * executions (which may call any {@code http(s)://} task resource) needs a bearer token whose role
 * may operate the shop (operator or admin).
 */
final class OperatorsOnly implements HttpModule {

  private static final List<String> PREFIXES =
      List.of("/api/v1/state-machines", "/api/v1/executions", "/api/v1/task-tokens");

  private final Commerce commerce;

  OperatorsOnly(Commerce commerce) {
    this.commerce = commerce;
  }

  @Override
  public void register(Javalin app) {
    app.before(
        ctx -> {
          if (PREFIXES.stream().noneMatch(p -> ctx.path().startsWith(p))) {
            return;
          }
          try {
            commerce
                .accessTokens()
                .authenticate(ctx.header("Authorization"))
                .require(Permission.OPERATE);
          } catch (RuntimeException e) {
            ctx.header("WWW-Authenticate", "Bearer realm=\"bulwark\"");
            throw e;
          }
        });
  }
}
