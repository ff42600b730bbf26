package io.bulwark.cli;

import io.bulwark.kernel.Json;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** {@code bulwark demo} started as a real process the way a user runs it, with test defaults. */
final class DemoProcess {

  private DemoProcess() {}

  /**
   * Starts {@code bulwark demo --port 0 --home HOME --admin-password admin-secret-1} plus {@code
   * extra}; stderr goes to {@code HOME/stderr.txt}.
   */
  static Process start(Path home, String... extra) throws IOException {
    return start(home, home.resolve("stderr.txt"), extra);
  }

  /** As {@link #start(Path, String...)}, with stderr going to {@code stderr}. */
  static Process start(Path home, Path stderr, String... extra) throws IOException {
    List<String> args =
        new ArrayList<>(
            List.of(
                "demo",
                "--port",
                "0",
                "--home",
                home.toString(),
                "--admin-password",
                "admin-secret-1"));
    args.addAll(List.of(extra));
    return bulwark(stderr, args.toArray(String[]::new));
  }

  /** {@code bulwark ARGS} as a real process on the test's class path, stderr to {@code stderr}. */
  static Process bulwark(Path stderr, String... args) throws IOException {
    List<String> argv =
        new ArrayList<>(
            List.of(
                ProcessHandle.current().info().command().orElse("java"),
                "-cp",
                System.getProperty("java.class.path"),
                Main.class.getName()));
    argv.addAll(List.of(args));
    return new ProcessBuilder(argv).redirectError(stderr.toFile()).start();
  }

  /** The first line the demo prints on stdout: its URL, once ready (null if it exited first). */
  static String url(Process demo) {
    try {
      return new BufferedReader(
              new InputStreamReader(demo.getInputStream(), StandardCharsets.UTF_8))
          .readLine();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /**
   * {@code aws stepfunctions list-state-machines} against {@code url}, signed with the demo
   * operator's key pair as the banner says, with no AWS configuration of this machine's user;
   * returns the state machines' names and fails when the CLI does.
   */
  static List<String> stateMachinesListedByTheAwsCli(String url, Path home)
      throws IOException, InterruptedException {
    ProcessBuilder aws =
        new ProcessBuilder(
                "aws",
                "stepfunctions",
                "--endpoint-url",
                url,
                "--region",
                "us-east-1",
                "--output",
                "json",
                "list-state-machines")
            .redirectErrorStream(true);
    aws.environment().put("AWS_ACCESS_KEY_ID", "operator");
    aws.environment().put("AWS_SECRET_ACCESS_KEY", "operator-password");
    aws.environment().put("AWS_CONFIG_FILE", home.resolve("no-aws-config").toString());
    aws.environment().put("AWS_SHARED_CREDENTIALS_FILE", home.resolve("no-aws-creds").toString());
    aws.environment().remove("AWS_PROFILE");
    Process listing = aws.start();
    String listed = new String(listing.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    if (!listing.waitFor(60, TimeUnit.SECONDS) || listing.exitValue() != 0) {
      throw new AssertionError("aws stepfunctions list-state-machines failed: " + listed);
    }
    return Json.parse(listed).path("stateMachines").findValuesAsText("name");
  }

  /**
   * {@code method url} with a JSON {@code body} (or none) and a bearer {@code token} (or none),
   * answered within 30 s.
   */
  static HttpResponse<String> send(
      HttpClient http, String method, String url, String token, String body) throws Exception {
    HttpRequest.Builder r =
        HttpRequest.newBuilder(URI.create(url))
            .timeout(Duration.ofSeconds(30))
            .method(
                method,
                body == null
                    ? HttpRequest.BodyPublishers.noBody()
                    : HttpRequest.BodyPublishers.ofString(body));
    if (body != null) {
      r.header("Content-Type", "application/json");
    }
    if (token != null) {
      r.header("Authorization", "Bearer " + token);
    }
    return http.send(r.build(), HttpResponse.BodyHandlers.ofString());
  }
}
