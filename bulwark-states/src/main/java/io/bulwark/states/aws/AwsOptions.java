package io.bulwark.states.aws;

import io.bulwark.kernel.Check;
import java.time.Clock;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.regex.Pattern;

/**
 * How the Step Functions API presents itself and whom it lets in: the region and account its ARNs
 * carry, the access keys whose SigV4 signatures it accepts, and whether it accepts any request
 * unsigned (a local development flag; off by default).
 *
 * @param region the region of ARNs and of the credential scope signatures must use; default {@code
 *     us-east-1}
 * @param accountId the 12-digit account of ARNs; default {@code 123456789012} (as Step Functions
 *     Local)
 * @param accessKeys secret access keys by access key id; each grants what the REST API's operators
 *     may do
 * @param allowUnsigned accept every request, signed or not (no authentication at all)
 * @param clock the clock request dates are checked against (15 minutes either way)
 */
public record AwsOptions(
    String region,
    String accountId,
    Map<String, String> accessKeys,
    boolean allowUnsigned,
    Clock clock) {
  private static final Pattern REGION = Pattern.compile("[a-z]{2}(-[a-z]+)+-[0-9]+|local");
  private static final Pattern ACCOUNT = Pattern.compile("[0-9]{12}");
  private static final Pattern KEY_ID = Pattern.compile("[A-Za-z0-9_.-]{1,128}");

  /** Checks each value and that someone can get in. */
  public AwsOptions {
    Check.matches("region", region, REGION, "a region like us-east-1");
    Check.matches("accountId", accountId, ACCOUNT, "12 digits");
    accessKeys = Map.copyOf(accessKeys);
    Objects.requireNonNull(clock, "clock");
    if (accessKeys.isEmpty() && !allowUnsigned) {
      throw new IllegalArgumentException(
          "accessKeys must not be empty unless allowUnsigned is set (nobody could call the API)");
    }
  }

  /** A builder with the defaults. */
  public static Builder builder() {
    return new Builder();
  }

  /** Builder; every setting has a default except the access keys (or allowUnsigned). */
  public static final class Builder {
    private String region = "us-east-1";
    private String accountId = "123456789012";
    private final Map<String, String> accessKeys = new LinkedHashMap<>();
    private boolean allowUnsigned;
    private Clock clock = Clock.systemUTC();

    private Builder() {}

    /** The region of ARNs and signatures; default {@code us-east-1}. */
    public Builder region(String region) {
      this.region = Check.matches("region", region, REGION, "a region like us-east-1");
      return this;
    }

    /** The account of ARNs; default {@code 123456789012}. */
    public Builder accountId(String accountId) {
      this.accountId = Check.matches("accountId", accountId, ACCOUNT, "12 digits");
      return this;
    }

    /** Accepts requests signed with this key pair. */
    public Builder accessKey(String accessKeyId, String secretAccessKey) {
      Check.matches("accessKeyId", accessKeyId, KEY_ID, "1-128 of A-Z a-z 0-9 _ . -");
      Check.notBlank("secretAccessKey", secretAccessKey);
      accessKeys.put(accessKeyId, secretAccessKey);
      return this;
    }

    /** Accepts every request without checking its signature; default off. */
    public Builder allowUnsigned(boolean allowUnsigned) {
      this.allowUnsigned = allowUnsigned;
      return this;
    }

    /** The clock request dates are checked against; default the UTC system clock. */
    public Builder clock(Clock clock) {
      this.clock = Objects.requireNonNull(clock, "clock");
      return this;
    }

    /** The options; throws IllegalArgumentException when no one could call the API. */
    public AwsOptions build() {
      return new AwsOptions(region, accountId, accessKeys, allowUnsigned, clock);
    }
  }
}
