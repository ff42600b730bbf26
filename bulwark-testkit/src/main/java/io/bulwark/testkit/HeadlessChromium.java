package io.bulwark.testkit;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.bulwark.kernel.OwnedProcesses;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * A real headless Chromium ({@code /usr/bin/chromium}, Debian's {@code chromium}) driven over the
 * Chrome DevTools Protocol with nothing but {@link java.net.http.WebSocket} and Jackson: one page,
 * {@link #navigate} and {@link #evaluate}. {@link #close} kills the browser and deletes its
 * profile. When Chromium is missing it fails, naming {@code .ci/prerequisites.sh} (never skips).
 */
public final class HeadlessChromium implements AutoCloseable {

  /** Where Debian's package puts the browser. */
  public static final Path BINARY = Path.of("/usr/bin/chromium");

  private static final Pattern LISTENING = Pattern.compile("DevTools listening on (ws://\\S+)");
  private static final Duration CALL_TIMEOUT = Duration.ofSeconds(20);

  private final ObjectMapper json = new ObjectMapper();
  private final Process process;
  private final Path profile;
  private final WebSocket socket;
  private final Map<Integer, CompletableFuture<JsonNode>> calls = new ConcurrentHashMap<>();
  private final AtomicInteger ids = new AtomicInteger();
  private final String session;

  private HeadlessChromium(Process process, Path profile, String wsUrl) throws Exception {
    this.process = process;
    this.profile = profile;
    this.socket =
        HttpClient.newHttpClient()
            .newWebSocketBuilder()
            .connectTimeout(Duration.ofSeconds(10))
            .buildAsync(URI.create(wsUrl), new Listener())
            .get(10, TimeUnit.SECONDS);
    String target =
        call(null, "Target.createTarget", Map.of("url", "about:blank")).get("targetId").asText();
    this.session =
        call(null, "Target.attachToTarget", Map.of("targetId", target, "flatten", true))
            .get("sessionId")
            .asText();
    call(session, "Page.enable", Map.of());
    call(session, "Runtime.enable", Map.of());
  }

  /**
   * Starts Chromium headless with a new profile and opens one blank page; throws when the browser
   * is missing or does not start within 30 s.
   */
  public static HeadlessChromium start() {
    if (!Files.isExecutable(BINARY)) {
      throw new IllegalStateException(
          BINARY
              + " is missing: install Debian's chromium package (.ci/prerequisites.sh does,"
              + " as root: apt-get install -y chromium; ./bulwark test runs it)");
    }
    Path profile;
    try {
      profile = Files.createTempDirectory("bulwark-chromium-");
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    Process p = null;
    try {
      p =
          OwnedProcesses.startDyingWithOwner(
              new ProcessBuilder(
                      BINARY.toString(),
                      "--headless",
                      "--no-sandbox",
                      "--disable-gpu",
                      "--disable-quic",
                      "--no-first-run",
                      "--disable-background-networking",
                      "--disable-component-update",
                      "--disable-sync",
                      "--disable-dev-shm-usage",
                      "--user-data-dir=" + profile,
                      "--remote-debugging-port=0",
                      "about:blank")
                  .redirectOutput(ProcessBuilder.Redirect.DISCARD),
              "SIGTERM");
      CompletableFuture<String> ws = new CompletableFuture<>();
      List<String> lines = java.util.Collections.synchronizedList(new ArrayList<>());
      Process started = p;
      Thread.ofPlatform()
          .daemon()
          .name("chromium-stderr")
          .start(
              () -> {
                try (BufferedReader r =
                    new BufferedReader(
                        new InputStreamReader(started.getErrorStream(), StandardCharsets.UTF_8))) {
                  String line;
                  while ((line = r.readLine()) != null) {
                    if (lines.size() < 200) {
                      lines.add(line);
                    }
                    Matcher m = LISTENING.matcher(line);
                    if (m.find()) {
                      ws.complete(m.group(1));
                    }
                  }
                } catch (IOException e) {
                  // the browser is gone; whoever waits times out with its output
                }
                ws.completeExceptionally(
                    new IllegalStateException("chromium exited; its stderr: " + lines));
              });
      String url;
      try {
        url = ws.get(30, TimeUnit.SECONDS);
      } catch (TimeoutException e) {
        throw new IllegalStateException(
            "chromium printed no DevTools address within 30 s; its stderr: " + lines, e);
      }
      return new HeadlessChromium(p, profile, url);
    } catch (Exception e) {
      if (p != null) {
        p.descendants().forEach(ProcessHandle::destroyForcibly);
        p.destroyForcibly();
      }
      deleteQuietly(profile);
      throw e instanceof RuntimeException r
          ? r
          : new IllegalStateException("chromium failed to start: " + e.getMessage(), e);
    }
  }

  /** Loads {@code url} in the page and waits for its load event (at most 20 s). */
  public void navigate(String url) {
    JsonNode r = call(session, "Page.navigate", Map.of("url", url));
    if (r.hasNonNull("errorText")) {
      throw new IllegalStateException("navigating to " + url + " failed: " + r.get("errorText"));
    }
    // Page.navigate answers once the new document is committed; the promise settles on its load
    // event (or at once when it already fired), so no polling
    String state =
        evaluate(
            """
            new Promise(done => document.readyState === 'complete'
                ? done(document.readyState)
                : addEventListener('load', () => done(document.readyState), {once: true}))""");
    if (!"complete".equals(state)) {
      throw new IllegalStateException(url + " did not finish loading: readyState " + state);
    }
  }

  /**
   * The value of JavaScript {@code expression} in the page, as a string (null for null or
   * undefined); throws with the page's exception when it throws.
   */
  public String evaluate(String expression) {
    JsonNode r =
        call(
            session,
            "Runtime.evaluate",
            Map.of("expression", expression, "returnByValue", true, "awaitPromise", true));
    if (r.hasNonNull("exceptionDetails")) {
      throw new IllegalStateException(
          "evaluating " + expression + " threw: " + r.get("exceptionDetails"));
    }
    JsonNode value = r.path("result").path("value");
    return value.isMissingNode() || value.isNull() ? null : value.asText();
  }

  private JsonNode call(String sessionId, String method, Map<String, Object> params) {
    int id = ids.incrementAndGet();
    ObjectNode message = json.createObjectNode();
    message.put("id", id);
    message.put("method", method);
    message.set("params", json.valueToTree(params));
    if (sessionId != null) {
      message.put("sessionId", sessionId);
    }
    CompletableFuture<JsonNode> answer = new CompletableFuture<>();
    calls.put(id, answer);
    try {
      synchronized (socket) {
        socket.sendText(message.toString(), true).get(CALL_TIMEOUT.toSeconds(), TimeUnit.SECONDS);
      }
      JsonNode r = answer.get(CALL_TIMEOUT.toSeconds(), TimeUnit.SECONDS);
      if (r.has("error")) {
        throw new IllegalStateException(method + " failed: " + r.get("error"));
      }
      return r.path("result");
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted during " + method, e);
    } catch (ExecutionException | TimeoutException e) {
      throw new IllegalStateException(
          method + " got no answer within " + CALL_TIMEOUT + ": " + e.getMessage(), e);
    } finally {
      calls.remove(id);
    }
  }

  /** Answers calls by id; events are ignored. */
  private final class Listener implements WebSocket.Listener {
    private final StringBuilder partial = new StringBuilder();

    @Override
    public CompletionStage<?> onText(WebSocket ws, CharSequence data, boolean last) {
      partial.append(data);
      if (last) {
        String text = partial.toString();
        partial.setLength(0);
        try {
          JsonNode m = json.readTree(text);
          if (m.has("id")) {
            CompletableFuture<JsonNode> f = calls.get(m.get("id").asInt());
            if (f != null) {
              f.complete(m);
            }
          }
        } catch (IOException e) {
          // not JSON: nothing waits for it
        }
      }
      ws.request(1);
      return null;
    }
  }

  /** Kills the browser and deletes its profile. */
  @Override
  public void close() {
    socket.abort();
    // renderers and the zygote are the browser's children: kill them too, not only the browser
    process.descendants().forEach(ProcessHandle::destroyForcibly);
    process.destroyForcibly();
    try {
      process.waitFor(10, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    deleteQuietly(profile);
  }

  private static void deleteQuietly(Path dir) {
    try (Stream<Path> paths = Files.walk(dir)) {
      paths.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    } catch (IOException | UncheckedIOException e) {
      // a temp dir left behind harms nothing
    }
  }
}
