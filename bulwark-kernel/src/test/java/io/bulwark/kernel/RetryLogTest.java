package io.bulwark.kernel;

import static org.assertj.core.api.Assertions.assertThat;

import java.sql.SQLException;
import java.sql.SQLTransientConnectionException;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.slf4j.Marker;
import org.slf4j.event.Level;
import org.slf4j.helpers.LegacyAbstractLogger;

class RetryLogTest {

  /** What was logged: level, formatted message, whether a stack trace came along. */
  record Line(Level level, String message, boolean stackTrace) {}

  /** A real SLF4J logger that keeps its lines, at every level. */
  static final class Recording extends LegacyAbstractLogger {
    final List<Line> lines = new CopyOnWriteArrayList<>();

    Recording() {
      this.name = "recording";
    }

    @Override
    protected String getFullyQualifiedCallerName() {
      return null;
    }

    @Override
    protected void handleNormalizedLoggingCall(
        Level level, Marker marker, String pattern, Object[] arguments, Throwable throwable) {
      lines.add(
          new Line(
              level,
              org.slf4j.helpers.MessageFormatter.basicArrayFormat(pattern, arguments),
              throwable != null));
    }

    @Override
    public boolean isTraceEnabled() {
      return true;
    }

    @Override
    public boolean isDebugEnabled() {
      return true;
    }

    @Override
    public boolean isInfoEnabled() {
      return true;
    }

    @Override
    public boolean isWarnEnabled() {
      return true;
    }

    @Override
    public boolean isErrorEnabled() {
      return true;
    }

    List<Line> at(Level level) {
      return lines.stream().filter(l -> l.level() == level).toList();
    }
  }

  private static final RuntimeException DATABASE_GONE =
      new IllegalStateException(
          "database read failed", new SQLException("Connection refused", "08001"));

  @Test
  void logsOneWarningWhenAnOutageBeginsAndOneLineWhenItEndsHoweverManyThreadsRetry() {
    Recording log = new Recording();
    RetryLog retries = new RetryLog(log, "the order projection");

    IntStream.range(0, 200).parallel().forEach(i -> retries.failed(DATABASE_GONE));
    retries.succeeded();
    retries.succeeded();

    assertThat(log.at(Level.WARN))
        .singleElement()
        .satisfies(
            l -> {
              assertThat(l.message())
                  .startsWith("the order projection failed: the database is unavailable");
              assertThat(l.stackTrace()).as("an outage needs no stack trace").isFalse();
            });
    assertThat(log.at(Level.DEBUG)).hasSize(199);
    assertThat(log.at(Level.INFO))
        .extracting(Line::message)
        .containsExactly("the order projection works again after 200 failed rounds");
  }

  @Test
  void aFailureThatIsNotTheDatabaseCarriesItsStackTraceAndEachRunLogsAgain() {
    Recording log = new Recording();
    RetryLog retries = new RetryLog(log, "the relay");

    retries.failed(new NullPointerException("bug"));
    retries.succeeded();
    retries.failed(new IllegalStateException(new SQLTransientConnectionException("pool empty")));

    assertThat(log.at(Level.WARN)).hasSize(2);
    assertThat(log.at(Level.WARN).get(0).stackTrace()).isTrue();
    assertThat(log.at(Level.WARN).get(1).stackTrace()).isFalse();
    assertThat(log.at(Level.INFO))
        .extracting(Line::message)
        .containsExactly("the relay works again after 1 failed round");
  }
}
