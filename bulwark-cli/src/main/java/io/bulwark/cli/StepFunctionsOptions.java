package io.bulwark.cli;

import io.bulwark.states.aws.AwsOptions;
import java.util.ArrayList;
import java.util.List;
import picocli.CommandLine.Option;

/**
 * Options of the Step Functions API ({@code POST /} in the AWS JSON 1.0 protocol) that demo and
 * serve share: the access keys whose SigV4 signatures it accepts, the local flag that accepts
 * unsigned requests, and the region and account of its ARNs.
 */
final class StepFunctionsOptions {

  /** Where a process started by another (the HA demo's instances) finds its key pair. */
  static final String ACCESS_KEY_ENV = "BULWARK_AWS_ACCESS_KEY";

  @Option(
      names = "--aws-access-key",
      paramLabel = "ID:SECRET",
      defaultValue = "${env:" + ACCESS_KEY_ENV + "}",
      description =
          "Accept Step Functions API requests signed (SigV4) with this access key id and secret"
              + " access key; repeatable (default: $"
              + ACCESS_KEY_ENV
              + " when set, which keeps the secret off the command line). They may do what the"
              + " REST API lets operators do.")
  List<String> accessKeys = new ArrayList<>();

  @Option(
      names = "--aws-unsigned",
      description =
          "Accept Step Functions API requests without checking any signature (local development"
              + " only: anyone who reaches the port may run state machines).")
  boolean unsigned;

  @Option(
      names = "--aws-region",
      defaultValue = "us-east-1",
      description =
          "Region of the Step Functions API's ARNs and signatures (default: ${DEFAULT-VALUE}).")
  String region;

  @Option(
      names = "--aws-account",
      defaultValue = "123456789012",
      description =
          "12-digit account of the Step Functions API's ARNs (default: ${DEFAULT-VALUE}).")
  String account;

  /** Whether any key or the unsigned flag was given. */
  boolean configured() {
    return unsigned || !accessKeys.isEmpty();
  }

  /**
   * The API's options with these keys and {@code extraKeys} (pairs of id and secret).
   *
   * @throws UserInputException for a malformed key, region or account
   */
  AwsOptions options(String... extraKeys) {
    try {
      AwsOptions.Builder b =
          AwsOptions.builder().region(region).accountId(account).allowUnsigned(unsigned);
      for (int i = 0; i + 1 < extraKeys.length; i += 2) {
        b.accessKey(extraKeys[i], extraKeys[i + 1]);
      }
      for (String key : accessKeys) {
        int colon = key.indexOf(':');
        if (colon <= 0 || colon == key.length() - 1) {
          throw new UserInputException(
              "--aws-access-key must be ID:SECRET (both non-empty) but was " + mask(key));
        }
        b.accessKey(key.substring(0, colon), key.substring(colon + 1));
      }
      return b.build();
    } catch (IllegalArgumentException e) {
      String m = e.getMessage();
      throw new UserInputException(
          m.startsWith("region")
              ? "--aws-" + m
              : m.startsWith("accountId")
                  ? "--aws-account" + m.substring("accountId".length())
                  : "--aws-access-key: " + m,
          e);
    }
  }

  private static String mask(String key) {
    int colon = key.indexOf(':');
    return colon < 0 ? key : key.substring(0, colon + 1) + "***";
  }
}
