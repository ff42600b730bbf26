package io.bulwark.diagnose.notify;

import io.bulwark.diagnose.Cause;
import io.bulwark.diagnose.Diagnosis;
import io.bulwark.diagnose.Evidence;
import io.bulwark.diagnose.Solution;
import io.bulwark.kernel.Json;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;

/**
 * Posts a diagnosis to a webhook: its JSON object as {@code bulwark diagnose --json} prints it
 * ({@link Format#PLAIN}), or a Slack incoming-webhook message, {@code {"text": …}} in Slack's
 * mrkdwn ({@link Format#SLACK}). A 5xx, a 429 or a failed connection is retried (three attempts in
 * all, a second and then two apart, by default); any other answer but a 2xx fails at once.
 */
public final class Webhook {

  /** What the body carries. */
  public enum Format {
    /** The diagnosis's JSON object. */
    PLAIN,
    /** A Slack incoming-webhook message ({@code {"text": …}}). */
    SLACK
  }

  /** The webhook did not take the notification; the message says what it answered. */
  public static final class Failed extends RuntimeException {
    private static final long serialVersionUID = 1L;

    Failed(String message, Throwable cause) {
      super(message, cause);
    }
  }

  private static final Duration TIMEOUT = Duration.ofSeconds(10);

  private final URI url;
  private final Format format;
  private final int attempts;
  private final Duration backoff;
  private final HttpClient client;

  private Webhook(URI url, Format format, int attempts, Duration backoff) {
    this.url = url;
    this.format = format;
    this.attempts = attempts;
    this.backoff = backoff;
    this.client = HttpClient.newBuilder().connectTimeout(TIMEOUT).build();
  }

  /**
   * A webhook at {@code url} taking {@code format}.
   *
   * @throws IllegalArgumentException when {@code url} is not an absolute http(s) URL
   */
  public static Webhook of(String url, Format format) {
    Objects.requireNonNull(format, "format");
    URI u;
    try {
      u = URI.create(Objects.requireNonNull(url, "url"));
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("--webhook is not a URL: " + url, e);
    }
    if (!("http".equals(u.getScheme()) || "https".equals(u.getScheme())) || u.getHost() == null) {
      throw new IllegalArgumentException(
          "--webhook must be an http:// or https:// URL with a host but was " + url);
    }
    return new Webhook(u, format, 3, Duration.ofSeconds(1));
  }

  /** This webhook trying {@code attempts} times, {@code backoff} apart and then twice that. */
  public Webhook withRetries(int attempts, Duration backoff) {
    if (attempts < 1) {
      throw new IllegalArgumentException("attempts must be at least 1 but was " + attempts);
    }
    return new Webhook(url, format, attempts, Objects.requireNonNull(backoff, "backoff"));
  }

  /** Where it posts. */
  public URI url() {
    return url;
  }

  /**
   * Posts {@code diagnosis}.
   *
   * @return the status of the answer that took it (a 2xx)
   * @throws Failed when no attempt got a 2xx
   */
  public int post(Diagnosis diagnosis) {
    HttpRequest request =
        HttpRequest.newBuilder(url)
            .timeout(TIMEOUT)
            .header("Content-Type", "application/json")
            .POST(HttpRequest.BodyPublishers.ofString(body(diagnosis, format)))
            .build();
    String last = null;
    Throwable lastFailure = null;
    Duration pause = backoff;
    for (int attempt = 1; attempt <= attempts; attempt++) {
      try {
        HttpResponse<String> r = client.send(request, HttpResponse.BodyHandlers.ofString());
        int status = r.statusCode();
        if (status / 100 == 2) {
          return status;
        }
        last = "answered " + status + (r.body().isBlank() ? "" : ": " + abbreviate(r.body()));
        lastFailure = null;
        if (status != 429 && status < 500) {
          break; // the webhook refused this notification; sending it again changes nothing
        }
      } catch (IOException e) {
        last = "could not be reached: " + e;
        lastFailure = e;
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new Failed("interrupted while notifying " + url, e);
      }
      if (attempt < attempts) {
        sleep(pause);
        pause = pause.multipliedBy(2);
      }
    }
    throw new Failed("the webhook " + url + " " + last, lastFailure);
  }

  /** The body posted for {@code d} in {@code format}. */
  static String body(Diagnosis d, Format format) {
    return format == Format.PLAIN
        ? Json.write(d.toJson())
        : Json.write(Map.of("text", slackText(d)));
  }

  /** The diagnosis as a short Slack message: symptom, root cause, evidence, what to run. */
  static String slackText(Diagnosis d) {
    List<String> lines = new ArrayList<>();
    lines.add(
        "*Bulwark diagnosis*: "
            + escape(d.symptom().description())
            + " ("
            + d.symptom().severity()
            + ", since "
            + d.symptom().since()
            + ")");
    if (d.rootCause().isPresent()) {
      Cause c = d.rootCause().get();
      lines.add(
          String.format(
              Locale.ROOT,
              "*Root cause:* %s on %s (confidence %.2f)",
              c.fault().slug(),
              escape(c.component()),
              c.confidence()));
    } else {
      lines.add("*Root cause:* none cleared the bar; needs more investigation");
      d.collectNext().stream().limit(3).forEach(n -> lines.add("• collect: " + escape(n)));
    }
    d.evidence().stream().limit(3).map(Evidence::text).forEach(t -> lines.add("• " + escape(t)));
    for (Solution s : d.solutions().stream().limit(2).toList()) {
      lines.add(
          "*P"
              + s.priority()
              + "* ("
              + s.risk().name().toLowerCase(Locale.ROOT)
              + " risk) "
              + escape(s.description())
              + ": `"
              + s.command().replace("`", "'")
              + "`");
    }
    return String.join("\n", lines);
  }

  /** Slack's three control characters in mrkdwn text. */
  private static String escape(String text) {
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;");
  }

  private static String abbreviate(String body) {
    String oneLine = body.strip().replaceAll("\\s+", " ");
    return oneLine.length() <= 200 ? oneLine : oneLine.substring(0, 200) + "…";
  }

  private static void sleep(Duration d) {
    try {
      Thread.sleep(d);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new Failed("interrupted while notifying", e);
    }
  }
}
