package io.bulwark.fleet;

import static org.assertj.core.api.Assertions.assertThat;

import io.bulwark.fleet.FakeProvider.FakeInstance;
import io.bulwark.testkit.ManualClock;
import java.time.Instant;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** CPU use read from real processes: a busy one and an idle one. */
class InstanceCpuTest {

  @Test
  void readsTheCpuTimeOfTheInstancesProcesses() throws Exception {
    FakeProvider provider = new FakeProvider();
    ManualClock clock = new ManualClock();
    InstanceGroup g =
        InstanceGroup.create(
            GroupConfig.builder("web").size(1, 1, 1).zone(Zone.of("r1", "a")).build(),
            provider,
            new RecordingRegistrar(),
            FakeProvider.probe(),
            clock);
    for (int i = 0; i < 5; i++) {
      g.tick();
      clock.advance(java.time.Duration.ofMillis(100));
    }
    assertThat(g.status().in(Lifecycle.IN_SERVICE)).hasSize(1);
    FakeInstance instance = provider.launched.get(0);
    InstanceCpu cpu = InstanceCpu.of(g);

    Process busy = new ProcessBuilder("sh", "-c", "while :; do :; done").start();
    Process idle = new ProcessBuilder("sleep", "60").start();
    try {
      instance.pid = busy.pid();
      Instant t0 = Instant.now();
      assertThat(cpu.sample(t0, 1)).as("no rate from one sample").isNaN();
      Thread.sleep(700); // the busy loop spins meanwhile
      double busyPercent = cpu.sample(Instant.now(), 1);
      assertThat(busyPercent).as("a spinning shell").isGreaterThan(5.0).isLessThan(105.0);

      instance.pid = idle.pid();
      cpu.sample(Instant.now(), 1);
      Thread.sleep(300);
      assertThat(cpu.sample(Instant.now(), 1)).as("a sleeping process").isLessThan(2.0);
    } finally {
      busy.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
      idle.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
    }
  }
}
