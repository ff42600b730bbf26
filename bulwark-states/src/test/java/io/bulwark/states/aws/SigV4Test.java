package io.bulwark.states.aws;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Function;
import org.junit.jupiter.api.Test;

/** The verifier against signatures made by the AWS SDK's own signer. */
class SigV4Test {
  private static final Instant NOW = Instant.parse("2026-03-01T12:00:00Z");
  private static final URI URL = URI.create("http://127.0.0.1:8080/");
  private static final String BODY = "{\"maxResults\":10}";

  private final SigV4 verifier =
      new SigV4(
          Map.of("operator", "operator-password"),
          "us-east-1",
          "states",
          Clock.fixed(NOW, ZoneOffset.UTC));

  private static Function<String, List<String>> headers(Map<String, List<String>> signed) {
    Map<String, List<String>> lower = new TreeMap<>();
    signed.forEach((k, v) -> lower.put(k.toLowerCase(Locale.ROOT), v));
    return name -> lower.getOrDefault(name, List.of());
  }

  private static Map<String, List<String>> signed(String secret, String region, Instant at) {
    return SdkSigning.sign(
        URL,
        "AWSStepFunctions.ListStateMachines",
        BODY,
        "operator",
        secret,
        region,
        Clock.fixed(at, ZoneOffset.UTC));
  }

  private String verify(Map<String, List<String>> signed, String body) {
    return verifier.verify(
        "POST", "/", null, headers(signed), body.getBytes(StandardCharsets.UTF_8));
  }

  @Test
  void acceptsTheSdksSignatureAndNamesTheKey() {
    assertThat(verify(signed("operator-password", "us-east-1", NOW), BODY)).isEqualTo("operator");
  }

  @Test
  void refusesAChangedBodyAWrongSecretAndAnotherRegion() {
    Map<String, List<String>> signed = signed("operator-password", "us-east-1", NOW);
    assertThatThrownBy(() -> verify(signed, "{}"))
        .isInstanceOf(AwsError.class)
        .hasMessageContaining("SHA-256 of the body");
    Map<String, List<String>> withoutHash = new TreeMap<>(signed);
    withoutHash.keySet().removeIf(k -> k.equalsIgnoreCase("x-amz-content-sha256"));
    assertThatThrownBy(() -> verify(withoutHash, "{}"))
        .isInstanceOf(AwsError.class)
        .hasMessageContaining("does not match");
    assertThatThrownBy(() -> verify(signed("guess", "us-east-1", NOW), BODY))
        .hasMessageContaining("does not match");
    assertThatThrownBy(() -> verify(signed("operator-password", "eu-west-1", NOW), BODY))
        .hasMessageContaining("us-east-1");
  }

  @Test
  void refusesASignatureFromMoreThanFifteenMinutesAgo() {
    Map<String, List<String>> old =
        signed("operator-password", "us-east-1", NOW.minus(Duration.ofMinutes(16)));
    assertThatThrownBy(() -> verify(old, BODY))
        .isInstanceOf(AwsError.class)
        .hasMessageContaining("Signature expired");
    assertThat(verify(signed("operator-password", "us-east-1", NOW.minusSeconds(600)), BODY))
        .isEqualTo("operator");
  }

  @Test
  void refusesMissingAndMalformedAuthorization() {
    assertThatThrownBy(() -> verify(Map.of(), BODY))
        .isInstanceOf(AwsError.class)
        .satisfies(
            e ->
                assertThat(((AwsError) e).type()).isEqualTo("MissingAuthenticationTokenException"));
    assertThatThrownBy(
            () -> verify(Map.of("Authorization", List.of("AWS4-HMAC-SHA256 Credential=x")), BODY))
        .satisfies(
            e -> assertThat(((AwsError) e).type()).isEqualTo("IncompleteSignatureException"));
    assertThatThrownBy(() -> verify(Map.of("Authorization", List.of("Bearer abc")), BODY))
        .satisfies(
            e -> assertThat(((AwsError) e).type()).isEqualTo("IncompleteSignatureException"));
  }
}
