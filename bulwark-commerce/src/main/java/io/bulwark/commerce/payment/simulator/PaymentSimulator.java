package io.bulwark.commerce.payment.simulator;

import com.fasterxml.jackson.databind.JsonNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.bulwark.kernel.Json;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A card-network stand-in speaking HTTP on 127.0.0.1: {@code POST /charges} (with an {@code
 * Idempotency-Key} header), {@code POST /refunds}, {@code GET /charges/{key}}, {@code GET /stats},
 * {@code GET /health}. It injects latency, transient 503s, declines and slow answers as {@link
 * SimulatorOptions} say; {@code POST /outage {"seconds":n}} makes it answer every charge, refund
 * and health check with 503 for the next n seconds (0 ends an outage early), as a network that is
 * down ({@code bulwark chaos inject dependency-down}). {@code POST /burst {"seconds":n,
 * "latencyMs":m,"errorRate":r}} is a payment spike for the next n seconds: every charge and refund
 * takes m ms more, and a share r of them answers 503 (0 seconds ends it); {@code GET /stats} shows
 * a running burst. A charge is remembered under its idempotency key, so a retried charge replays
 * the first answer and never charges twice; refunding a key that never charged voids it, so a
 * charge arriving late under that key is declined.
 */
public final class PaymentSimulator implements AutoCloseable {

  private static final int MAX_BODY = 64 * 1024;

  private final SimulatorOptions options;
  private final HttpServer server;
  private final ExecutorService executor = Executors.newVirtualThreadPerTaskExecutor();
  private final Random random;
  private final Map<String, Entry> charges = new ConcurrentHashMap<>();
  private final Map<String, Object> locks = new ConcurrentHashMap<>();
  private final AtomicLong sequence = new AtomicLong();
  private final AtomicLong calls = new AtomicLong();
  private final AtomicLong injectedFailures = new AtomicLong();
  private volatile long outageUntilNanos = System.nanoTime();
  private volatile Burst burst = new Burst(System.nanoTime(), 0, 0);

  /** A payment spike until {@code untilNanos}: extra latency, and a share of 503s. */
  private record Burst(long untilNanos, long latencyMs, double errorRate) {
    boolean active() {
      return System.nanoTime() - untilNanos < 0;
    }
  }

  private static final class Entry {
    final String reference;
    final long amount;
    final String currency;
    final String chargeId;
    String status;
    String reason;

    Entry(
        String reference,
        long amount,
        String currency,
        String chargeId,
        String status,
        String reason) {
      this.reference = reference;
      this.amount = amount;
      this.currency = currency;
      this.chargeId = chargeId;
      this.status = status;
      this.reason = reason;
    }
  }

  private PaymentSimulator(SimulatorOptions options) throws IOException {
    this.options = options;
    this.random = new Random(options.seed());
    this.server =
        HttpServer.create(
            new InetSocketAddress(InetAddress.getLoopbackAddress(), options.port()), 200);
    server.setExecutor(executor);
    server.createContext("/", this::handle);
    server.start();
  }

  /** Starts a simulator in this process. */
  public static PaymentSimulator start(SimulatorOptions options) {
    try {
      return new PaymentSimulator(options);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot listen on port " + options.port(), e);
    }
  }

  /** The bound port. */
  public int port() {
    return server.getAddress().getPort();
  }

  @Override
  public void close() {
    server.stop(0);
    executor.shutdownNow();
  }

  private void handle(HttpExchange ex) throws IOException {
    // a 400 is written before the exchange closes (a try-with-resources catch runs after it)
    try (ex) {
      try {
        route(ex);
      } catch (IllegalArgumentException e) {
        reply(ex, 400, Map.of("error", e.getMessage()));
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private void route(HttpExchange ex) throws IOException, InterruptedException {
    calls.incrementAndGet();
    String path = ex.getRequestURI().getPath();
    String method = ex.getRequestMethod();
    if (method.equals("POST") && path.equals("/outage")) {
      long seconds = body(ex).path("seconds").asLong(-1);
      if (seconds < 0 || seconds > 3600) {
        throw new IllegalArgumentException("seconds must be in 0..3600");
      }
      outageUntilNanos = System.nanoTime() + seconds * 1_000_000_000L;
      reply(ex, 200, Map.of("outageSeconds", seconds));
    } else if (method.equals("POST") && path.equals("/burst")) {
      JsonNode b = body(ex);
      long seconds = b.path("seconds").asLong(-1);
      long latencyMs = b.path("latencyMs").asLong(0);
      double errorRate = b.path("errorRate").asDouble(0);
      if (seconds < 0 || seconds > 3600) {
        throw new IllegalArgumentException("seconds must be in 0..3600");
      }
      if (latencyMs < 0 || latencyMs > 60_000) {
        throw new IllegalArgumentException("latencyMs must be in 0..60000");
      }
      if (!(errorRate >= 0 && errorRate <= 1)) {
        throw new IllegalArgumentException("errorRate must be in 0..1");
      }
      burst = new Burst(System.nanoTime() + seconds * 1_000_000_000L, latencyMs, errorRate);
      reply(
          ex, 200, Map.of("burstSeconds", seconds, "latencyMs", latencyMs, "errorRate", errorRate));
    } else if (down() && !path.equals("/stats")) {
      injectedFailures.incrementAndGet();
      reply(ex, 503, Map.of("error", "payment network is down"));
    } else if (method.equals("GET") && path.equals("/health")) {
      reply(ex, 200, Map.of("status", "UP"));
    } else if (method.equals("GET") && path.equals("/stats")) {
      reply(ex, 200, stats());
    } else if (method.equals("GET") && path.startsWith("/charges/")) {
      Entry e = charges.get(path.substring("/charges/".length()));
      if (e == null) {
        reply(ex, 404, Map.of("error", "no charge under that key"));
      } else {
        reply(ex, 200, view(e));
      }
    } else if (method.equals("POST") && path.equals("/charges")) {
      charge(ex);
    } else if (method.equals("POST") && path.equals("/refunds")) {
      refund(ex);
    } else {
      reply(ex, 404, Map.of("error", "no route " + method + " " + path));
    }
  }

  private boolean down() {
    return System.nanoTime() - outageUntilNanos < 0;
  }

  private void charge(HttpExchange ex) throws IOException, InterruptedException {
    String key = ex.getRequestHeaders().getFirst("Idempotency-Key");
    if (key == null || key.isBlank() || key.length() > 200) {
      throw new IllegalArgumentException("Idempotency-Key header is required (1..200 chars)");
    }
    JsonNode body = body(ex);
    long amount = body.path("amount").asLong(-1);
    String currency = body.path("currency").asText("");
    String reference = body.path("reference").asText("");
    if (amount <= 0 || !currency.matches("[A-Z]{3}")) {
      throw new IllegalArgumentException("amount must be > 0 and currency an ISO 4217 code");
    }
    latency();
    if (burstFails()) {
      reply(ex, 503, Map.of("error", "payment network overloaded"));
      return;
    }
    boolean slow = false;
    Entry result;
    synchronized (locks.computeIfAbsent(key, k -> new Object())) {
      Entry existing = charges.get(key);
      if (existing != null) {
        if (existing.amount != amount && !existing.status.equals("VOIDED")) {
          reply(ex, 409, Map.of("error", "idempotency key reused with a different amount"));
          return;
        }
        result = existing;
      } else {
        double roll = random.nextDouble();
        if (roll < options.failureRate()) {
          injectedFailures.incrementAndGet();
          reply(ex, 503, Map.of("error", "gateway temporarily unavailable"));
          return;
        }
        if (roll < options.failureRate() + options.declineRate()) {
          result = new Entry(reference, amount, currency, null, "DECLINED", "card declined");
        } else {
          result =
              new Entry(
                  reference,
                  amount,
                  currency,
                  "ch_" + sequence.incrementAndGet(),
                  "SUCCEEDED",
                  null);
          slow = roll < options.failureRate() + options.declineRate() + options.timeoutRate();
        }
        charges.put(key, result);
      }
    }
    if (slow) {
      Thread.sleep(options.timeoutDelay());
    }
    int status = result.status.equals("SUCCEEDED") || result.status.equals("REFUNDED") ? 201 : 402;
    reply(ex, status, view(result));
  }

  private void refund(HttpExchange ex) throws IOException, InterruptedException {
    String key = body(ex).path("chargeKey").asText("");
    if (key.isBlank()) {
      throw new IllegalArgumentException("chargeKey is required");
    }
    latency();
    if (burstFails()) {
      reply(ex, 503, Map.of("error", "payment network overloaded"));
      return;
    }
    if (random.nextDouble() < options.failureRate()) {
      injectedFailures.incrementAndGet();
      reply(ex, 503, Map.of("error", "gateway temporarily unavailable"));
      return;
    }
    String outcome;
    synchronized (locks.computeIfAbsent(key, k -> new Object())) {
      Entry e = charges.get(key);
      if (e == null) {
        charges.put(key, new Entry("", 0, "XXX", null, "VOIDED", "voided before any charge"));
        outcome = "VOIDED";
      } else if (e.status.equals("SUCCEEDED") || e.status.equals("REFUNDED")) {
        e.status = "REFUNDED";
        outcome = "REFUNDED";
      } else {
        outcome = "NOTHING_TO_REFUND";
      }
    }
    reply(ex, 200, Map.of("status", outcome, "chargeKey", key));
  }

  Map<String, Object> stats() {
    long succeeded = 0;
    long refunded = 0;
    long declined = 0;
    long voided = 0;
    long net = 0;
    Map<String, Integer> perReference = new ConcurrentHashMap<>();
    for (Entry e : charges.values()) {
      switch (e.status) {
        case "SUCCEEDED" -> {
          succeeded++;
          net += e.amount;
          perReference.merge(e.reference, 1, Integer::sum);
        }
        case "REFUNDED" -> {
          refunded++;
          perReference.merge(e.reference, 1, Integer::sum);
        }
        case "DECLINED" -> declined++;
        default -> voided++;
      }
    }
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("succeeded", succeeded);
    m.put("refunded", refunded);
    m.put("declined", declined);
    m.put("voided", voided);
    m.put("netCharged", net);
    m.put("duplicateCharges", perReference.values().stream().filter(n -> n > 1).count());
    m.put("injectedFailures", injectedFailures.get());
    m.put("calls", calls.get());
    Burst b = burst;
    if (b.active()) {
      m.put(
          "burst",
          Map.of(
              "secondsLeft",
              Math.max(0, (b.untilNanos() - System.nanoTime()) / 1_000_000_000L),
              "latencyMs",
              b.latencyMs(),
              "errorRate",
              b.errorRate()));
    }
    return m;
  }

  private static Map<String, Object> view(Entry e) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("status", e.status);
    m.put("chargeId", e.chargeId);
    m.put("reference", e.reference);
    m.put("amount", e.amount);
    m.put("currency", e.currency);
    if (e.reason != null) {
      m.put("reason", e.reason);
    }
    return m;
  }

  /** Whether a running burst fails this call (counted as an injected failure). */
  private boolean burstFails() {
    Burst b = burst;
    if (b.active() && b.errorRate() > 0 && random.nextDouble() < b.errorRate()) {
      injectedFailures.incrementAndGet();
      return true;
    }
    return false;
  }

  private void latency() throws InterruptedException {
    long min = options.minLatency().toMillis();
    long max = options.maxLatency().toMillis();
    long ms = min + (max > min ? (long) (random.nextDouble() * (max - min + 1)) : 0);
    Burst b = burst;
    if (b.active()) {
      ms += b.latencyMs();
    }
    if (ms > 0) {
      Thread.sleep(Duration.ofMillis(ms));
    }
  }

  private static JsonNode body(HttpExchange ex) throws IOException {
    try (InputStream in = ex.getRequestBody()) {
      byte[] bytes = in.readNBytes(MAX_BODY + 1);
      if (bytes.length > MAX_BODY) {
        throw new IllegalArgumentException("body larger than " + MAX_BODY + " bytes");
      }
      JsonNode node = Json.parse(new String(bytes, StandardCharsets.UTF_8));
      if (node == null || !node.isObject()) {
        throw new IllegalArgumentException("body must be a JSON object");
      }
      return node;
    }
  }

  private static void reply(HttpExchange ex, int status, Object body) throws IOException {
    byte[] bytes = Json.write(body).getBytes(StandardCharsets.UTF_8);
    ex.getResponseHeaders().set("Content-Type", "application/json");
    ex.sendResponseHeaders(status, bytes.length);
    try (OutputStream out = ex.getResponseBody()) {
      out.write(bytes);
    }
  }
}
