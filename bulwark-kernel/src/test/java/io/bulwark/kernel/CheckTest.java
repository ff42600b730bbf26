package io.bulwark.kernel;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

class CheckTest {

  @Test
  void acceptsAPositiveDurationAndNamesTheFieldOfAnyOther() {
    assertThat(Check.positive("lease", Duration.ofMillis(1))).isEqualTo(Duration.ofMillis(1));
    assertThatThrownBy(() -> Check.positive("lease", Duration.ZERO))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("lease must be > 0 but was PT0S");
    assertThatThrownBy(() -> Check.positive("lease", null))
        .hasMessage("lease must be > 0 but was null");
  }

  @Test
  void acceptsAnIpv4AddressOrAHostNameAsAHostAndNothingThatWouldBreakAConninfo() {
    for (String ok :
        new String[] {
          "127.0.0.1", "10.0.0.5", "255.255.255.255", "localhost", "db-2.example.com"
        }) {
      assertThat(Check.host("host", ok)).isEqualTo(ok);
    }
    for (String bad :
        new String[] {"", "300.1.2.3", "10.0.0", "db 2", "db'2", "-db", "db.", "10.0.0.5:5432"}) {
      assertThatThrownBy(() -> Check.host("member pg-b: host", bad))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessage(
              "member pg-b: host must be an IPv4 address or a host name (e.g. 10.0.0.5,"
                  + " db-2.example.com) but was \""
                  + bad
                  + "\"");
    }
    assertThatThrownBy(() -> Check.host("host", null)).hasMessageEndingWith("but was null");
  }

  @Test
  void acceptsAZeroDurationWhereNotNegativeIsAsked() {
    assertThat(Check.notNegative("warmUp", Duration.ZERO)).isEqualTo(Duration.ZERO);
    assertThatThrownBy(() -> Check.notNegative("warmUp", Duration.ofMillis(-1)))
        .hasMessage("warmUp must be >= 0 but was PT-0.001S");
    assertThatThrownBy(() -> Check.notNegative("warmUp", null))
        .hasMessage("warmUp must be >= 0 but was null");
  }

  @Test
  void writesADurationsLowerBoundAsFilesDo() {
    assertThat(Check.atLeast("lease", Duration.ofMillis(100), Duration.ofMillis(100)))
        .isEqualTo(Duration.ofMillis(100));
    assertThatThrownBy(() -> Check.atLeast("lease", Duration.ofMillis(50), Duration.ofMillis(100)))
        .hasMessage("lease must be >= 100ms but was PT0.05S");
    assertThatThrownBy(() -> Check.atLeast("affinity.ttl", null, Duration.ofSeconds(1)))
        .hasMessage("affinity.ttl must be >= 1s but was null");
  }

  @Test
  void namesTheOtherFieldWhenOneDurationBoundsAnother() {
    Duration one = Duration.ofSeconds(1);
    Duration two = Duration.ofSeconds(2);
    assertThat(Check.atLeast("max", two, "initial", one)).isEqualTo(two);
    assertThat(Check.atLeast("max", one, "initial", one)).isEqualTo(one);
    assertThatThrownBy(() -> Check.atLeast("max", one, "initial", two))
        .hasMessage("max must be >= initial (PT2S) but was PT1S");
    assertThat(Check.atMost("timeout", one, "interval", one)).isEqualTo(one);
    assertThatThrownBy(() -> Check.atMost("timeout", two, "interval", one))
        .hasMessage("timeout must be <= interval (PT1S) but was PT2S");
    assertThatThrownBy(() -> Check.atMost("timeout", null, "interval", one))
        .hasMessage("timeout must be <= interval (PT1S) but was null");
  }

  @Test
  void checksCountsAgainstOneZeroAndALowerBound() {
    assertThat(Check.positive("workers", 1)).isEqualTo(1);
    assertThatThrownBy(() -> Check.positive("workers", 0))
        .hasMessage("workers must be >= 1 but was 0");
    assertThat(Check.notNegative("min", 0)).isZero();
    assertThatThrownBy(() -> Check.notNegative("min", -1))
        .hasMessage("min must be >= 0 but was -1");
    assertThat(Check.notNegative("position", 0L)).isZero();
    assertThatThrownBy(() -> Check.notNegative("position", -5_000_000_000L))
        .hasMessage("position must be >= 0 but was -5000000000");
    assertThat(Check.atLeast("maxBodyBytes", 1024, 1024)).isEqualTo(1024);
    assertThatThrownBy(() -> Check.atLeast("maxBodyBytes", 1023, 1024))
        .hasMessage("maxBodyBytes must be >= 1024 but was 1023");
  }

  @Test
  void namesTheOtherFieldWhenOneCountBoundsAnother() {
    assertThat(Check.atLeast("max", 3, "min", 3)).isEqualTo(3);
    assertThatThrownBy(() -> Check.atLeast("maxInstances", 1, "minInstances", 2))
        .hasMessage("maxInstances must be >= minInstances (2) but was 1");
  }

  @Test
  void acceptsTheBoundsOfARangeAndNamesTheFieldOutsideIt() {
    assertThat(Check.within("batchSize", 1, 1, 10)).isEqualTo(1);
    assertThat(Check.within("batchSize", 10, 1, 10)).isEqualTo(10);
    assertThatThrownBy(() -> Check.within("batchSize", 11, 1, 10))
        .hasMessage("batchSize must be in 1..10 but was 11");
    assertThatThrownBy(() -> Check.within("batchSize", 0, 1, 10))
        .hasMessage("batchSize must be in 1..10 but was 0");
  }

  @Test
  void refusesNullEmptyAndBlankText() {
    assertThat(Check.notBlank("bindHost", " a ")).isEqualTo(" a ");
    for (String blank : new String[] {null, "", "  ", "\t\n"}) {
      assertThatThrownBy(() -> Check.notBlank("bindHost", blank))
          .hasMessage("bindHost must not be blank");
    }
  }

  @Test
  void matchesTheWholeTextAndQuotesWhatItRefuses() {
    Pattern name = Pattern.compile("[a-z]{1,3}");
    assertThat(Check.matches("name", "abc", name, "1-3 of a-z")).isEqualTo("abc");
    assertThatThrownBy(() -> Check.matches("name", "abcd", name, "1-3 of a-z"))
        .hasMessage("name must be 1-3 of a-z but was \"abcd\"");
    assertThatThrownBy(() -> Check.matches("name", "a b", name, "1-3 of a-z"))
        .hasMessage("name must be 1-3 of a-z but was \"a b\"");
    assertThatThrownBy(() -> Check.matches("name", null, name, "1-3 of a-z"))
        .hasMessage("name must be 1-3 of a-z but was null");
  }
}
