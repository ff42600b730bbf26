package io.bulwark.messaging.cli;

import picocli.CommandLine.Option;

/** Where the server is and how to talk to it: options every {@code bulwark dlq} command takes. */
final class RemoteOptions {

  @Option(
      names = "--url",
      defaultValue = "http://127.0.0.1:8080",
      description = "Bulwark server base URL (default: ${DEFAULT-VALUE}).")
  String url;

  @Option(
      names = "--token",
      defaultValue = "${env:BULWARK_TOKEN}",
      description = "Bearer token of an administrator (default: $BULWARK_TOKEN).")
  String token;

  @Option(names = "--json", description = "Print the server's JSON answer instead of text.")
  boolean json;
}
