package io.bulwark.kernel.html;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class SvgChartTest {

  @Test
  void drawsSeriesOnARoundAxisWithBandsMarkersAndALegend() {
    String svg =
        SvgChart.of("CPU <shop>", 400, 160, 60)
            .band(10, 20, "#fde2e2")
            .marker(30, "onset \"fault\"", "#c0392b")
            .line(
                "cpu & co",
                "#2563eb",
                new double[] {0, 30, 60},
                new double[] {0.1, 0.9, Double.NaN})
            .svg();
    assertThat(svg)
        .startsWith("<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"400\" height=\"160\"")
        .contains("aria-label=\"CPU &lt;shop&gt;\"")
        .contains(">1</text>") // 0.9 rounds up to an axis of 1
        .contains("onset &quot;fault&quot;")
        .contains("<title>cpu &amp; co</title>")
        .contains("<rect x=")
        .doesNotContain("NaN")
        .doesNotContain("<script");
    // two finite points only, the second at the middle of the plot and at 90 % of its height
    String points = svg.substring(svg.indexOf("points=\"") + 8);
    points = points.substring(0, points.indexOf('"'));
    assertThat(points.split(" ")).hasSize(2);
    assertThat(points.split(" ")[1]).isEqualTo("222.0,24.6");
  }

  @Test
  void picksRoundCeilingsAndFewTimeLabels() {
    assertThat(SvgChart.niceCeiling(0)).isEqualTo(1);
    assertThat(SvgChart.niceCeiling(3.2)).isEqualTo(5);
    assertThat(SvgChart.niceCeiling(180)).isEqualTo(200);
    assertThat(SvgChart.niceCeiling(2500)).isEqualTo(2500);
    assertThat(SvgChart.tickStep(8)).isEqualTo(1);
    assertThat(SvgChart.tickStep(300)).isEqualTo(30);
    assertThatThrownBy(() -> SvgChart.of("x", 10, 10, 1)).hasMessageContaining("100 x 60");
    assertThatThrownBy(
            () -> SvgChart.of("x", 200, 100, 1).line("a", "#000", new double[1], new double[2]))
        .hasMessageContaining("series a has 1 times but 2 values");
  }

  @Test
  void escapesEverythingAnAttributeOrElementCouldBreakOn() {
    assertThat(Html.escape("<a href=\"x\">O'Neil & co</a>"))
        .isEqualTo("&lt;a href=&quot;x&quot;&gt;O&#39;Neil &amp; co&lt;/a&gt;");
    assertThat(Html.escape(null)).isEmpty();
  }
}
