package io.bulwark.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import org.junit.jupiter.api.Test;

class ServerConfigTest {

  @Test
  void readsTheUtcSystemClockUnlessGivenAnother() {
    assertThat(ServerConfig.builder().build().clock()).isEqualTo(Clock.systemUTC());
    Clock fixed = Clock.fixed(Instant.parse("2026-11-27T05:00:00Z"), ZoneOffset.UTC);
    assertThat(ServerConfig.builder().clock(fixed).build().clock()).isSameAs(fixed);
  }

  @Test
  void refusesANullClockNamingTheField() {
    assertThatThrownBy(() -> ServerConfig.builder().clock(null).build())
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("clock must not be null");
  }
}
