package io.bulwark.http;

import static org.assertj.core.api.Assertions.assertThat;

import java.sql.SQLException;
import org.junit.jupiter.api.Test;

class DatabaseUnavailableTest {

  @Test
  void connectionLossShutdownAndReadOnlyStandbyMeanTheDatabaseIsUnavailable() {
    for (String state : new String[] {"08001", "08006", "57P01", "57P03", "25006"}) {
      RuntimeException wrapped = new RuntimeException("store failed", new SQLException("x", state));
      assertThat(ProblemRenderer.databaseUnavailable(wrapped)).as(state).isTrue();
    }
  }

  @Test
  void constraintViolationsAndBugsAreNot() {
    assertThat(ProblemRenderer.databaseUnavailable(new SQLException("dup", "23505"))).isFalse();
    assertThat(ProblemRenderer.databaseUnavailable(new SQLException("no state"))).isFalse();
    assertThat(ProblemRenderer.databaseUnavailable(new IllegalStateException("bug"))).isFalse();
  }
}
