package io.bulwark.messaging.http;

import io.bulwark.messaging.DeadLetter;
import io.bulwark.messaging.DeadLetterQueue;
import io.bulwark.messaging.MessagingException;
import io.javalin.Javalin;
import io.javalin.http.Context;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.UUID;

/**
 * The dead-letter queue over HTTP, for administrators:
 *
 * <ul>
 *   <li>{@code GET /api/v1/admin/dlq[?status=DEAD|REPLAYED|DISCARDED&limit=1..1000]}: {@code
 *       {"items":[letter…],"waiting":n}}, oldest first (default: the waiting ones, 100);
 *   <li>{@code GET /api/v1/admin/dlq/{id}}: one letter;
 *   <li>{@code POST /api/v1/admin/dlq/{id}/replay}: the letter after replay, with {@code "applied"}
 *       (false when it had already taken effect); idempotent;
 *   <li>{@code POST /api/v1/admin/dlq/{id}/discard}: the letter, discarded; idempotent.
 * </ul>
 *
 * A letter is {@code {"id","source","consumer","topic","key","messageId","payload","error",
 * "attempts","createdAt","deadLetteredAt","status","resolvedAt"}}. Every route first runs the guard
 * given at construction (the server's admin check); errors are {@link MessagingException} problems.
 */
public final class DeadLetterHttp {

  /** Checks the caller may manage the queue; throws a problem (401/403) when not. */
  @FunctionalInterface
  public interface Guard {
    /** Returns normally when the request may go on. */
    void check(Context ctx);
  }

  /** Where the routes live. */
  public static final String PATH = "/api/v1/admin/dlq";

  /**
   * The classpath resource describing these routes for the OpenAPI document of a server that serves
   * them.
   */
  public static final String OPENAPI = "/openapi/dead-letters-v1.json";

  private final DeadLetterQueue queue;
  private final Guard guard;

  /** Routes over {@code queue}, each behind {@code guard}. */
  public DeadLetterHttp(DeadLetterQueue queue, Guard guard) {
    this.queue = Objects.requireNonNull(queue, "queue");
    this.guard = Objects.requireNonNull(guard, "guard");
  }

  /** Adds the routes to {@code app}. */
  public void register(Javalin app) {
    app.get(
        PATH,
        ctx -> {
          guard.check(ctx);
          String status = ctx.queryParam("status");
          DeadLetter.Status wanted = status(status);
          int limit = limit(ctx.queryParam("limit"));
          List<Map<String, Object>> items =
              queue.list(wanted, limit).stream().map(DeadLetterHttp::view).toList();
          Map<String, Object> body = new LinkedHashMap<>();
          body.put("items", items);
          body.put("waiting", queue.waiting());
          ctx.json(body);
        });
    app.get(
        PATH + "/{id}",
        ctx -> {
          guard.check(ctx);
          UUID id = id(ctx);
          ctx.json(
              view(
                  queue
                      .find(id)
                      .orElseThrow(() -> new MessagingException.NotFound("no dead letter " + id))));
        });
    app.post(
        PATH + "/{id}/replay",
        ctx -> {
          guard.check(ctx);
          DeadLetterQueue.Replayed r = queue.replay(id(ctx));
          Map<String, Object> body = view(r.letter());
          body.put("applied", r.applied());
          ctx.json(body);
        });
    app.post(
        PATH + "/{id}/discard",
        ctx -> {
          guard.check(ctx);
          ctx.json(view(queue.discard(id(ctx))));
        });
  }

  /** The JSON shape of a letter. */
  public static Map<String, Object> view(DeadLetter d) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("id", d.id());
    m.put("source", d.source());
    m.put("consumer", d.consumer());
    m.put("topic", d.topic());
    m.put("key", d.key());
    m.put("messageId", d.messageId());
    m.put("payload", d.payload());
    m.put("error", d.error());
    m.put("attempts", d.attempts());
    m.put("createdAt", d.createdAt());
    m.put("deadLetteredAt", d.deadLetteredAt());
    m.put("status", d.status().name());
    m.put("resolvedAt", d.resolvedAt());
    return m;
  }

  private static UUID id(Context ctx) {
    String raw = ctx.pathParam("id");
    try {
      return UUID.fromString(raw);
    } catch (IllegalArgumentException e) {
      throw new MessagingException.InvalidInput(
          "id", "id must be a dead letter's UUID but was \"" + abbreviate(raw) + "\"");
    }
  }

  private static DeadLetter.Status status(String raw) {
    if (raw == null || raw.isEmpty()) {
      return DeadLetter.Status.DEAD;
    }
    if (raw.equalsIgnoreCase("all")) {
      return null;
    }
    try {
      return DeadLetter.Status.of(raw);
    } catch (MessagingException.InvalidInput e) {
      throw new MessagingException.InvalidInput(
          "status",
          "status must be DEAD, REPLAYED, DISCARDED or all but was \"" + abbreviate(raw) + "\"");
    }
  }

  private static int limit(String raw) {
    if (raw == null || raw.isEmpty()) {
      return 100;
    }
    try {
      int n = Integer.parseInt(raw);
      if (n >= 1 && n <= 1000) {
        return n;
      }
    } catch (NumberFormatException e) {
      // reported below
    }
    throw new MessagingException.InvalidInput(
        "limit", "limit must be an integer in 1..1000 but was \"" + abbreviate(raw) + "\"");
  }

  private static String abbreviate(String s) {
    return s.length() > 60 ? s.substring(0, 60) + "…" : s;
  }
}
