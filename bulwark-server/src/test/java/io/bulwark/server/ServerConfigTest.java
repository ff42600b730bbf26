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
  void refusesAReadUrlWithoutAPrimaryUrlOrOfAnotherDriver() {
    assertThat(ServerConfig.builder().build().readJdbcUrl()).isEmpty();
    assertThatThrownBy(
            () -> ServerConfig.builder().readJdbcUrl("jdbc:postgresql://r:5432/bulwark").build())
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage(
            "readJdbcUrl needs jdbcUrl (replicas of an external primary) but jdbcUrl was not set");
    assertThatThrownBy(
            () ->
                ServerConfig.builder()
                    .jdbcUrl("jdbc:postgresql://p:5432/bulwark")
                    .readJdbcUrl("jdbc:mysql://r/bulwark")
                    .build())
        .hasMessage(
            "readJdbcUrl must start with jdbc:postgresql: but was \"jdbc:mysql://r/bulwark\"");
    assertThatThrownBy(() -> ServerConfig.builder().readPoolSize(0).build())
        .hasMessageContaining("readPoolSize");
  }

  @Test
  void refusesANullClockNamingTheField() {
    assertThatThrownBy(() -> ServerConfig.builder().clock(null).build())
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("clock must not be null");
  }
}
