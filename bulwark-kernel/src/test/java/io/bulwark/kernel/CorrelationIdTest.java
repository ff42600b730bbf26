package io.bulwark.kernel;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.UUID;
import org.junit.jupiter.api.Test;

class CorrelationIdTest {

  @Test
  void keepsASaneIdTheCallerSent() {
    assertThat(CorrelationId.accept("req-123")).isEqualTo("req-123");
    assertThat(CorrelationId.accept("a.b_c:d-E9")).isEqualTo("a.b_c:d-E9");
    assertThat(CorrelationId.accept("x".repeat(128))).isEqualTo("x".repeat(128));
  }

  @Test
  void replacesAMissingOrUnsafeIdWithANewUuid() {
    for (String bad :
        new String[] {null, "", "x".repeat(129), "has space", "quote\"", "line\nbreak", "ü"}) {
      String id = CorrelationId.accept(bad);
      assertThat(id).as("for %s", bad).isNotEqualTo(bad);
      assertThat(UUID.fromString(id).version()).isEqualTo(7);
    }
  }
}
