package io.bulwark.states.aws;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * Verifies AWS Signature Version 4 ({@code Authorization: AWS4-HMAC-SHA256 Credential=…,
 * SignedHeaders=…, Signature=…}) of a request against known secret keys: it rebuilds the canonical
 * request from the method, path, query, the signed headers and the body's SHA-256, signs it with
 * the key derived for the credential's date, region and service, and compares in constant time. The
 * request's {@code X-Amz-Date} must be within 15 minutes of the clock.
 */
final class SigV4 {
  private static final String ALGORITHM = "AWS4-HMAC-SHA256";
  private static final Duration SKEW = Duration.ofMinutes(15);
  private static final DateTimeFormatter AMZ_DATE =
      DateTimeFormatter.ofPattern("yyyyMMdd'T'HHmmss'Z'");

  private final Map<String, String> secrets;
  private final String region;
  private final String service;
  private final Clock clock;

  SigV4(Map<String, String> secrets, String region, String service, Clock clock) {
    this.secrets = secrets;
    this.region = region;
    this.service = service;
    this.clock = clock;
  }

  /**
   * The access key id of a correctly signed request; throws AwsError otherwise.
   *
   * @param headers the values of a header by lower-case name (empty list when absent)
   */
  String verify(
      String method,
      String path,
      String query,
      Function<String, List<String>> headers,
      byte[] body) {
    List<String> auth = headers.apply("authorization");
    if (auth.isEmpty()) {
      throw new AwsError(
          403,
          "MissingAuthenticationTokenException",
          "Missing Authentication Token: sign requests with SigV4 (access key id and secret"
              + " access key configured for this server)",
          null);
    }
    String header = auth.getFirst().strip();
    if (!header.startsWith(ALGORITHM + " ")) {
      throw incomplete("the Authorization header must start with " + ALGORITHM);
    }
    String credential = null;
    String signedHeaders = null;
    String signature = null;
    for (String part : header.substring(ALGORITHM.length()).split(",")) {
      String p = part.strip();
      int eq = p.indexOf('=');
      if (eq < 0) {
        continue;
      }
      String value = p.substring(eq + 1);
      switch (p.substring(0, eq)) {
        case "Credential" -> credential = value;
        case "SignedHeaders" -> signedHeaders = value;
        case "Signature" -> signature = value;
        default -> {}
      }
    }
    if (credential == null || signedHeaders == null || signature == null) {
      throw incomplete("the Authorization header needs Credential, SignedHeaders and Signature");
    }
    String[] scope = credential.split("/", -1);
    if (scope.length != 5 || !"aws4_request".equals(scope[4])) {
      throw incomplete(
          "Credential must be <access key id>/<date>/<region>/<service>/aws4_request but was "
              + credential);
    }
    String keyId = scope[0];
    String secret = secrets.get(keyId);
    if (secret == null) {
      throw AwsError.of(
          "UnrecognizedClientException",
          "The security token included in the request is invalid: access key id "
              + keyId
              + " is not configured for this server");
    }
    if (!region.equals(scope[2])) {
      throw signatureError("Credential should be scoped to a valid region: '" + region + "'");
    }
    if (!service.equals(scope[3])) {
      throw signatureError("Credential should be scoped to correct service: '" + service + "'");
    }
    List<String> dates = headers.apply("x-amz-date");
    if (dates.isEmpty()) {
      throw incomplete("the request must carry an X-Amz-Date header");
    }
    String amzDate = dates.getFirst().strip();
    Instant signedAt;
    try {
      signedAt = LocalDateTime.parse(amzDate, AMZ_DATE).toInstant(ZoneOffset.UTC);
    } catch (DateTimeParseException e) {
      throw incomplete("X-Amz-Date must look like 20240101T120000Z but was " + amzDate);
    }
    if (!amzDate.startsWith(scope[1])) {
      throw signatureError(
          "Date in Credential scope does not match YYYYMMDD from ISO-8601 version of date");
    }
    Instant now = clock.instant();
    if (Duration.between(signedAt, now).abs().compareTo(SKEW) > 0) {
      throw signatureError(
          "Signature expired: " + amzDate + " is more than 15 minutes from the server's " + now);
    }

    List<String> names = Arrays.asList(signedHeaders.split(";"));
    if (!names.contains("host")) {
      throw signatureError("'Host' must be a signed header");
    }
    StringBuilder canonical = new StringBuilder();
    canonical.append(method).append('\n');
    canonical.append(path.isEmpty() ? "/" : path).append('\n');
    canonical.append(canonicalQuery(query)).append('\n');
    for (String name : names) {
      List<String> values = new ArrayList<>();
      for (String v : headers.apply(name)) {
        values.add(v.strip().replaceAll(" +", " "));
      }
      canonical.append(name).append(':').append(String.join(",", values)).append('\n');
    }
    canonical.append('\n').append(signedHeaders).append('\n');
    // the signature covers the body through its hash: a hash the client states must be the body's
    String bodyHash = hex(sha256(body));
    List<String> contentSha = headers.apply("x-amz-content-sha256");
    if (!contentSha.isEmpty() && !bodyHash.equalsIgnoreCase(contentSha.getFirst().strip())) {
      throw signatureError(
          "X-Amz-Content-SHA256 must be the SHA-256 of the body (unsigned payloads are refused)"
              + " but was "
              + contentSha.getFirst());
    }
    canonical.append(contentSha.isEmpty() ? bodyHash : contentSha.getFirst().strip());
    String credentialScope = scope[1] + "/" + scope[2] + "/" + scope[3] + "/aws4_request";
    String stringToSign =
        ALGORITHM
            + "\n"
            + amzDate
            + "\n"
            + credentialScope
            + "\n"
            + hex(sha256(canonical.toString().getBytes(StandardCharsets.UTF_8)));
    byte[] key = hmac(("AWS4" + secret).getBytes(StandardCharsets.UTF_8), scope[1]);
    key = hmac(key, scope[2]);
    key = hmac(key, scope[3]);
    key = hmac(key, "aws4_request");
    String expected = hex(hmac(key, stringToSign));
    if (!MessageDigest.isEqual(
        expected.getBytes(StandardCharsets.US_ASCII),
        signature.getBytes(StandardCharsets.US_ASCII))) {
      throw signatureError(
          "The request signature we calculated does not match the signature you provided. Check"
              + " your AWS Secret Access Key and signing method.");
    }
    return keyId;
  }

  private static String canonicalQuery(String query) {
    if (query == null || query.isEmpty()) {
      return "";
    }
    List<String> pairs = new ArrayList<>();
    for (String pair : query.split("&")) {
      if (!pair.isEmpty()) {
        pairs.add(pair.contains("=") ? pair : pair + "=");
      }
    }
    pairs.sort(null);
    return String.join("&", pairs);
  }

  private static AwsError incomplete(String message) {
    return new AwsError(
        403, "IncompleteSignatureException", "Incomplete signature: " + message, null);
  }

  private static AwsError signatureError(String message) {
    return new AwsError(403, "InvalidSignatureException", message, null);
  }

  private static byte[] sha256(byte[] data) {
    try {
      return MessageDigest.getInstance("SHA-256").digest(data);
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("SHA-256 is missing from this JDK", e);
    }
  }

  private static byte[] hmac(byte[] key, String data) {
    try {
      Mac mac = Mac.getInstance("HmacSHA256");
      mac.init(new SecretKeySpec(key, "HmacSHA256"));
      return mac.doFinal(data.getBytes(StandardCharsets.UTF_8));
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("HmacSHA256 is missing from this JDK", e);
    }
  }

  private static String hex(byte[] bytes) {
    return HexFormat.of().formatHex(bytes);
  }
}
