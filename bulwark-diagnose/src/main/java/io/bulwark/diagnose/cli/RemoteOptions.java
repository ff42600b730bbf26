package io.bulwark.diagnose.cli;

import picocli.CommandLine.Option;

/** Where the server is and who asks: options of {@code bulwark diagnose} and {@code chaos}. */
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
}
