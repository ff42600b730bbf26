package io.bulwark.diagnose.eval;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.bulwark.diagnose.Fault;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;

class CampaignFileTest {

  @Test
  void readsInjectionsAndNoiseWithTheirLines() throws Exception {
    Campaign c =
        CampaignFile.parse(
            "c.yaml",
            """
            injections:
              - {fault: cpu-hog, target: shop, at: 30s, duration: 90s}
              - fault: slow-query
                target: database
                at: 2m
                duration: 20s
            noise:
              - {kind: load-swing, at: 1m, duration: 30s}
            """);

    assertThat(c.injections())
        .containsExactly(
            new Campaign.Injection(
                2, Fault.CPU_HOG, "shop", Duration.ofSeconds(30), Duration.ofSeconds(90)),
            new Campaign.Injection(
                3, Fault.SLOW_QUERY, "database", Duration.ofMinutes(2), Duration.ofSeconds(20)));
    assertThat(c.noise())
        .containsExactly(
            new Campaign.Noise(
                8, Campaign.Noise.Kind.LOAD_SWING, Duration.ofMinutes(1), Duration.ofSeconds(30)));
  }

  @Test
  void namesTheFileLineAndFieldOfEveryMistake() {
    assertThat(error("injections:\n  - {fault: meteor, target: shop, at: 1s, duration: 5s}\n"))
        .isEqualTo(
            "c.yaml:2: injections[0].fault: must be one of " + Fault.names() + ", got meteor");
    assertThat(
            error(
                "injections:\n  - {fault: cpu-hog, target: shop, at: 1s, duration: 5s}\n"
                    + "  - {fault: cpu-hog, target: shop, at: soon, duration: 5s}\n"))
        .isEqualTo("c.yaml:3: injections[1].at: expected a duration like 30s or 2m, got \"soon\"");
    assertThat(
            error(
                "injections:\n  - {fault: cpu-hog, target: shop, at: 1m, duration: 5s}\n"
                    + "  - {fault: gc-pressure, target: shop, at: 30s, duration: 5s}\n"))
        .isEqualTo("c.yaml:3: injections[1].at: must be after injections[0].at (1m), got 30s");
    assertThat(error("injections:\n  - {fault: cpu-hog, at: 1s, duration: 5s}\n"))
        .isEqualTo("c.yaml:2: injections[0].target: is required");
    assertThat(error("injections:\n  - {fault: cpu-hog, target: shop, at: 1s, duration: 2h}\n"))
        .isEqualTo("c.yaml:2: injections[0].duration: must be at most 10m, got 2h");
    assertThat(
            error(
                "injections:\n  - {fault: cpu-hog, target: shop, at: 1s, duration: 5s, force: 1}\n"))
        .startsWith("c.yaml:2: injections[0].force: unknown field; expected at, duration");
    assertThat(
            error(
                "injections:\n  - {fault: cpu-hog, target: shop, at: 1s, duration: 5s}\n"
                    + "noise:\n  - {kind: earthquake, at: 1s, duration: 5s}\n"))
        .isEqualTo("c.yaml:4: noise[0].kind: must be one of load-swing, deploy, got earthquake");
    assertThat(error("noise: []\n")).startsWith("c.yaml:1: injections: is required");
    assertThat(error("injections: []\n"))
        .isEqualTo("c.yaml:1: injections: must hold at least one injection");
    assertThat(error("injections: cpu-hog\n"))
        .isEqualTo("c.yaml:1: injections: expected a list, got \"cpu-hog\"");
    assertThat(error("injections: [\n")).startsWith("c.yaml:").contains("not valid YAML");
    assertThat(error("")).isEqualTo("c.yaml: the file is empty, expected injections: [...]");
  }

  @Test
  void shipsADefaultCampaignOfThirtyInjectionsOverEveryFaultTheServerInjects() throws Exception {
    Campaign c = CampaignFile.read(Path.of("../examples/campaigns/default.yaml"));

    assertThat(c.injections()).hasSizeGreaterThanOrEqualTo(30);
    assertThat(c.injections().stream().map(Campaign.Injection::fault).distinct())
        .containsExactlyInAnyOrder(
            Fault.CPU_HOG,
            Fault.GC_PRESSURE,
            Fault.MEMORY_LEAK,
            Fault.POOL_EXHAUSTION,
            Fault.SLOW_QUERY,
            Fault.DEPENDENCY_DOWN,
            Fault.DISK_FILL);
    assertThat(c.injections().stream().map(Campaign.Injection::target).distinct())
        .containsExactlyInAnyOrder("shop", "database", "payment-network");
    assertThat(c.injections().getLast().at()).isLessThan(Duration.ofMinutes(25));
  }

  private static String error(String text) {
    return assertThatThrownBy(() -> CampaignFile.parse("c.yaml", text))
        .isInstanceOf(CampaignException.class)
        .actual()
        .getMessage();
  }
}
