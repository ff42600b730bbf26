package io.bulwark.diagnose.cli;

import com.fasterxml.jackson.databind.JsonNode;
import io.bulwark.diagnose.http.DiagnoseHttp;
import io.bulwark.kernel.AdminApi;
import java.io.PrintWriter;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code bulwark chaos inject|list|stop}: fault injection in a running server, through its admin
 * API. Exit 0 done, 2 bad input (unknown fault or target, duration out of range, not an
 * administrator, no such injection), 1 failed (server unreachable, the injection could not start).
 */
@Command(
    name = "chaos",
    mixinStandardHelpOptions = true,
    description =
        "Injects a fault into a running server for a bounded time, to rehearse a diagnosis:"
            + " cpu-hog, gc-pressure, memory-leak, pool-exhaustion and disk-fill on the server process"
            + " (target shop), dependency-down on the payment network (target payment-network,"
            + " the shop's own simulator),"
            + " slow-query on its database (target database). Each ends by itself, on"
            + " `chaos stop` or when the server stops, and is recorded as a change event. Needs an"
            + " administrator's token (--token or $BULWARK_TOKEN).",
    subcommands = {
      ChaosCommand.Inject.class,
      ChaosCommand.ListInjections.class,
      ChaosCommand.Stop.class
    })
public final class ChaosCommand implements Callable<Integer> {

  @Spec CommandSpec spec;

  @Override
  public Integer call() {
    spec.commandLine().usage(spec.commandLine().getErr());
    return 2;
  }

  /** One admin call and its printed answer: the base of the subcommands. */
  abstract static class Remote implements Callable<Integer> {
    @Spec CommandSpec spec;
    @Mixin RemoteOptions remote;

    @Option(names = "--json", description = "Print the server's JSON answer instead of text.")
    boolean json;

    abstract JsonNode send() throws AdminApi.Failed, InterruptedException;

    abstract void print(JsonNode answer, PrintWriter out);

    @Override
    public final Integer call() throws InterruptedException {
      PrintWriter out = spec.commandLine().getOut();
      try {
        JsonNode answer = send();
        if (json) {
          out.println(answer.toString());
        } else {
          print(answer, out);
        }
        out.flush();
        return 0;
      } catch (AdminApi.Failed e) {
        spec.commandLine().getErr().println("bulwark: " + e.getMessage());
        spec.commandLine().getErr().flush();
        return e.exitCode();
      }
    }

    static void line(JsonNode i, PrintWriter out) {
      out.println(
          i.get("id").asText()
              + "  "
              + i.get("fault").asText()
              + " on "
              + i.get("target").asText()
              + "  "
              + i.get("status").asText()
              + "  "
              + i.get("startedAt").asText()
              + " .. "
              + (i.hasNonNull("endedAt") ? i.get("endedAt").asText() : i.get("until").asText())
              + "  "
              + i.get("description").asText());
    }
  }

  /** {@code chaos inject FAULT --target COMPONENT [--duration D]}. */
  @Command(
      name = "inject",
      mixinStandardHelpOptions = true,
      description = "Starts a fault; prints its id.")
  static final class Inject extends Remote {
    @Parameters(
        index = "0",
        paramLabel = "FAULT",
        description =
            "cpu-hog, gc-pressure, memory-leak, pool-exhaustion, disk-fill, slow-query or"
                + " dependency-down.")
    String fault;

    @Option(
        names = "--target",
        required = true,
        description = "Component: shop, database or payment-network.")
    String target;

    @Option(
        names = "--duration",
        defaultValue = "60s",
        description = "How long, 1s..10m (default: ${DEFAULT-VALUE}).")
    String duration;

    @Override
    JsonNode send() throws AdminApi.Failed, InterruptedException {
      Map<String, Object> body = new LinkedHashMap<>();
      body.put("fault", fault);
      body.put("target", target);
      body.put("duration", duration);
      return AdminApi.call(remote.url, remote.token, "POST", DiagnoseHttp.CHAOS, body);
    }

    @Override
    void print(JsonNode answer, PrintWriter out) {
      line(answer, out);
    }
  }

  /** {@code chaos list}. */
  @Command(
      name = "list",
      mixinStandardHelpOptions = true,
      description = "Lists running and recently ended injections.")
  static final class ListInjections extends Remote {
    @Override
    JsonNode send() throws AdminApi.Failed, InterruptedException {
      return AdminApi.call(remote.url, remote.token, "GET", DiagnoseHttp.CHAOS, null);
    }

    @Override
    void print(JsonNode answer, PrintWriter out) {
      if (answer.get("items").isEmpty()) {
        out.println("no injections");
      }
      answer.get("items").forEach(i -> line(i, out));
    }
  }

  /** {@code chaos stop [ID]}: one injection, or all running ones. */
  @Command(
      name = "stop",
      mixinStandardHelpOptions = true,
      description = "Stops an injection (undoing it), or every running one without an ID.")
  static final class Stop extends Remote {
    @Parameters(index = "0", arity = "0..1", paramLabel = "ID", description = "The injection's id.")
    String id;

    @Override
    JsonNode send() throws AdminApi.Failed, InterruptedException {
      String path =
          id == null
              ? DiagnoseHttp.CHAOS
              : DiagnoseHttp.CHAOS + "/" + URLEncoder.encode(id, StandardCharsets.UTF_8);
      return AdminApi.call(remote.url, remote.token, "DELETE", path, null);
    }

    @Override
    void print(JsonNode answer, PrintWriter out) {
      if (answer.has("items")) {
        if (answer.get("items").isEmpty()) {
          out.println("nothing was running");
        }
        answer.get("items").forEach(i -> line(i, out));
      } else {
        line(answer, out);
      }
    }
  }
}
