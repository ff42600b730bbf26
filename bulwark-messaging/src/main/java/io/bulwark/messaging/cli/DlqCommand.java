package io.bulwark.messaging.cli;

import com.fasterxml.jackson.databind.JsonNode;
import io.bulwark.kernel.AdminApi;
import io.bulwark.kernel.Json;
import java.io.PrintWriter;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.UUID;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code bulwark dlq list|show|replay|discard}: the dead-letter queue of a running server, through
 * its admin API ({@code /api/v1/admin/dlq}). Exit 0 done, 2 bad input (an id that is not a UUID, no
 * such letter, not an administrator), 1 failed (the replay failed again, the letter was already
 * resolved the other way, the server is unreachable).
 */
@Command(
    name = "dlq",
    mixinStandardHelpOptions = true,
    description =
        "The dead-letter queue of a running server: messages (and saga tasks) that kept failing."
            + " List them, show one, replay it (applied at most once, however often you replay) or"
            + " discard it. Needs an administrator's token (--token or $BULWARK_TOKEN).",
    subcommands = {
      DlqCommand.ListLetters.class,
      DlqCommand.Show.class,
      DlqCommand.Replay.class,
      DlqCommand.Discard.class
    })
public final class DlqCommand implements Callable<Integer> {

  @Spec CommandSpec spec;

  @Override
  public Integer call() {
    spec.commandLine().usage(spec.commandLine().getErr());
    return 2;
  }

  /** Runs one admin call and prints its answer: the base of the subcommands. */
  abstract static class Remote implements Callable<Integer> {
    @Spec CommandSpec spec;
    @Mixin RemoteOptions remote;

    abstract String method();

    abstract String path();

    abstract void print(JsonNode answer, PrintWriter out);

    @Override
    public final Integer call() throws InterruptedException {
      PrintWriter out = spec.commandLine().getOut();
      try {
        JsonNode answer = AdminApi.call(remote.url, remote.token, method(), path(), null);
        if (remote.json) {
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
  }

  /** A subcommand about one letter, named by its id. */
  abstract static class OneLetter extends Remote {
    @Parameters(index = "0", paramLabel = "ID", description = "The dead letter's id (a UUID).")
    String id;

    String letterPath(String suffix) {
      try {
        return "/api/v1/admin/dlq/" + UUID.fromString(id) + suffix;
      } catch (IllegalArgumentException e) {
        throw new IllegalArgumentException(
            "ID must be a dead letter's UUID but was \"" + id + "\"", e);
      }
    }
  }

  /** {@code bulwark dlq list}. */
  @Command(
      name = "list",
      mixinStandardHelpOptions = true,
      description = "List dead letters, oldest first (default: those waiting).")
  static final class ListLetters extends Remote {
    @Option(
        names = "--status",
        defaultValue = "DEAD",
        description = "DEAD (waiting), REPLAYED, DISCARDED or all (default: ${DEFAULT-VALUE}).")
    String status;

    @Option(names = "--limit", defaultValue = "100", description = "At most this many (1..1000).")
    int limit;

    @Override
    String method() {
      return "GET";
    }

    @Override
    String path() {
      return "/api/v1/admin/dlq?status="
          + URLEncoder.encode(status, StandardCharsets.UTF_8)
          + "&limit="
          + limit;
    }

    @Override
    void print(JsonNode answer, PrintWriter out) {
      JsonNode items = answer.get("items");
      if (items.isEmpty()) {
        out.println("no dead letters (" + status + ")");
      } else {
        out.printf(
            "%-36s  %-9s  %-18s  %-20s  %8s  %-24s  %s%n",
            "ID", "STATUS", "CONSUMER", "TOPIC", "ATTEMPTS", "DEAD-LETTERED", "ERROR");
        for (JsonNode d : items) {
          out.printf(
              "%-36s  %-9s  %-18s  %-20s  %8d  %-24s  %s%n",
              d.get("id").asText(),
              d.get("status").asText(),
              d.get("consumer").asText(),
              d.get("topic").asText(),
              d.get("attempts").asInt(),
              d.get("deadLetteredAt").asText(),
              abbreviate(d.get("error").asText(), 80));
        }
      }
      out.println(answer.get("waiting").asLong() + " waiting");
    }
  }

  /** {@code bulwark dlq show ID}. */
  @Command(
      name = "show",
      mixinStandardHelpOptions = true,
      description = "Show one dead letter: its payload, last error, attempts and timestamps.")
  static final class Show extends OneLetter {
    @Override
    String method() {
      return "GET";
    }

    @Override
    String path() {
      return letterPath("");
    }

    @Override
    void print(JsonNode d, PrintWriter out) {
      for (String field :
          new String[] {
            "id",
            "status",
            "source",
            "consumer",
            "topic",
            "key",
            "messageId",
            "attempts",
            "createdAt",
            "deadLetteredAt",
            "resolvedAt",
            "error"
          }) {
        JsonNode v = d.get(field);
        out.printf("%-15s %s%n", field + ":", v == null || v.isNull() ? "-" : v.asText());
      }
      out.println("payload:");
      String payload = d.get("payload").asText();
      try {
        out.println(
            Json.mapper().writerWithDefaultPrettyPrinter().writeValueAsString(Json.parse(payload)));
      } catch (RuntimeException | com.fasterxml.jackson.core.JsonProcessingException e) {
        out.println(payload);
      }
    }
  }

  /** {@code bulwark dlq replay ID}. */
  @Command(
      name = "replay",
      mixinStandardHelpOptions = true,
      description =
          "Apply a dead letter again through its consumer and mark it replayed. Idempotent: a"
              + " letter is applied at most once however often (or from however many places) it"
              + " is replayed.")
  static final class Replay extends OneLetter {
    @Override
    String method() {
      return "POST";
    }

    @Override
    String path() {
      return letterPath("/replay");
    }

    @Override
    void print(JsonNode d, PrintWriter out) {
      out.println(
          "replayed "
              + d.get("id").asText()
              + " for "
              + d.get("consumer").asText()
              + (d.get("applied").asBoolean()
                  ? ": applied now"
                  : ": it had already taken effect, nothing applied again"));
    }
  }

  /** {@code bulwark dlq discard ID}. */
  @Command(
      name = "discard",
      mixinStandardHelpOptions = true,
      description = "Drop a dead letter without applying it (kept, marked DISCARDED).")
  static final class Discard extends OneLetter {
    @Override
    String method() {
      return "POST";
    }

    @Override
    String path() {
      return letterPath("/discard");
    }

    @Override
    void print(JsonNode d, PrintWriter out) {
      out.println("discarded " + d.get("id").asText() + " for " + d.get("consumer").asText());
    }
  }

  private static String abbreviate(String s, int max) {
    String line = s.replace('\n', ' ');
    return line.length() > max ? line.substring(0, max - 1) + "…" : line;
  }
}
