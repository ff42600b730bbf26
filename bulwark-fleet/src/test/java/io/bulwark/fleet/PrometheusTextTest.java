package io.bulwark.fleet;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.OptionalDouble;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import org.junit.jupiter.api.Test;

/** Reading one metric from the Prometheus text format. */
class PrometheusTextTest {
  static final String NAME = "bulwark_orders_intake_depth";

  @Test
  void readsAValueWithOrWithoutLabelsAndATimestamp() {
    assertThat(PrometheusText.sum(NAME + " 7\n", NAME)).hasValue(7);
    assertThat(PrometheusText.sum(NAME + "{a=\"x\"} 7.5 1764979200000\n", NAME)).hasValue(7.5);
    assertThat(PrometheusText.sum(NAME + "\t-1.5e1\r\n", NAME)).hasValue(-15);
    assertThat(PrometheusText.sum(NAME + "{} +Inf\n", NAME)).hasValue(Double.POSITIVE_INFINITY);
  }

  @Test
  void labelValuesMayHoldQuotesBracesAndSpaces() {
    String text = NAME + "{path=\"/a}b\",note=\"say \\\"hi\\\" {x} \\\\\"} 12\n";
    assertThat(PrometheusText.sum(text, NAME)).hasValue(12);
  }

  @Test
  void sumsTheSeriesOfOneNameAndIgnoresOtherNamesAndComments() {
    String text =
        """
        # HELP bulwark_orders_intake_depth 99
        # TYPE bulwark_orders_intake_depth gauge
        bulwark_orders_intake_depth{lane="vip"} 2
        bulwark_orders_intake_depth{lane="regular"} 5
        bulwark_orders_intake_depth_max 1000
        other 3
        """;
    assertThat(PrometheusText.sum(text, NAME)).hasValue(7);
  }

  @Test
  void skipsMalformedLinesAndKeepsTheGoodOnes() {
    String text =
        String.join(
            "\n",
            NAME + "{lane=\"vip\" 99",
            NAME + "{lane=\"vip} 99",
            NAME,
            NAME + " ",
            NAME + " twelve",
            NAME + " 0x10",
            NAME + " Infinity",
            NAME + " 1 2 3",
            NAME + " 1 soon",
            NAME + " 4");
    assertThat(PrometheusText.sum(text, NAME)).hasValue(4);
    assertThat(PrometheusText.sum(NAME + " twelve\n", NAME)).isEmpty();
    assertThat(PrometheusText.sum("", NAME)).isEmpty();
  }

  @Property
  void neverThrowsOnArbitraryText(@ForAll String text) {
    OptionalDouble v = PrometheusText.sum(NAME + text, NAME);
    assertThat(v).isNotNull();
  }
}
