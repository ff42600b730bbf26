package io.bulwark.fleet.cli;

import io.bulwark.fleet.GroupEvent;
import io.bulwark.fleet.GroupStatus;
import io.bulwark.fleet.InstanceGroup;
import io.bulwark.fleet.InstanceStatus;
import io.bulwark.fleet.Lifecycle;
import io.bulwark.fleet.stack.GatewayRequestRate;
import io.bulwark.fleet.stack.LocalStack;
import java.io.PrintWriter;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The live status {@code bulwark up} shows on stderr: per service, instances in service per zone,
 * pending and draining ones, unhealthy ones, requests per second through the gateway and the latest
 * event. On a terminal it redraws in place every second; otherwise it prints one line per service
 * every few seconds.
 */
final class StatusView {
  private final LocalStack stack;
  private final PrintWriter err;
  private final boolean live;
  private final Instant started = Instant.now();
  private final Map<String, GatewayRequestRate> rates = new LinkedHashMap<>();
  private int drawnLines;
  private long ticks;

  StatusView(LocalStack stack, PrintWriter err, boolean live) {
    this.stack = stack;
    this.err = err;
    this.live = live;
    for (var g : stack.plan().groups()) {
      rates.put(
          g.config().name(),
          GatewayRequestRate.of(stack.registry(), new HashSet<>(g.poolByRegion().values())));
    }
  }

  /** Called every second. */
  synchronized void refresh() {
    Instant now = Instant.now();
    List<String> lines = new ArrayList<>();
    Duration up = Duration.between(started, now);
    lines.add(
        String.format(
            Locale.ROOT,
            "%s  %s  up %02d:%02d:%02d",
            stack.plan().topology().name(),
            stack.url(),
            up.toHours(),
            up.toMinutesPart(),
            up.toSecondsPart()));
    for (InstanceGroup g : stack.groups()) {
      GroupStatus s = g.status();
      double rate = rates.get(g.name()).total(now);
      lines.add(line(s, rate));
      if (live) {
        List<GroupEvent> events = g.events();
        if (!events.isEmpty()) {
          GroupEvent e = events.get(events.size() - 1);
          lines.add(
              "    last: "
                  + e.instanceId().map(id -> id + " ").orElse("")
                  + e.kind().name().toLowerCase(Locale.ROOT).replace('_', ' ')
                  + ": "
                  + e.detail());
        }
      }
    }
    if (live) {
      if (drawnLines > 0) {
        err.print("\033[" + drawnLines + "A\033[J");
      }
      lines.forEach(err::println);
      drawnLines = lines.size();
      err.flush();
    } else if (ticks++ % 5 == 0) {
      lines.forEach(err::println);
      err.flush();
    }
  }

  private static String line(GroupStatus s, double rate) {
    Map<String, Integer> byZone = new LinkedHashMap<>();
    int unhealthy = 0;
    for (InstanceStatus i : s.instances()) {
      byZone.putIfAbsent(i.zone().name(), 0);
      if (i.state() == Lifecycle.IN_SERVICE) {
        byZone.merge(i.zone().name(), 1, Integer::sum);
        if (!i.healthy()) {
          unhealthy++;
        }
      }
    }
    StringBuilder zones = new StringBuilder();
    byZone.forEach((z, n) -> zones.append(' ').append(z).append(' ').append(n));
    return String.format(
        Locale.ROOT,
        "  %-12s %d/%d in service  [%s ]  pending %d  draining %d  unhealthy %d  %s",
        s.name(),
        s.in(Lifecycle.IN_SERVICE).size(),
        s.desired(),
        zones.toString().trim().isEmpty() ? " -" : zones,
        s.in(Lifecycle.PENDING).size(),
        s.in(Lifecycle.DRAINING).size(),
        unhealthy,
        Double.isNaN(rate) ? "- req/s" : String.format(Locale.ROOT, "%.1f req/s", rate));
  }

  /** Whether stderr is a terminal (Linux: fd 2 points at a tty). */
  static boolean stderrIsTerminal() {
    try {
      String target =
          java.nio.file.Files.readSymbolicLink(java.nio.file.Path.of("/proc/self/fd/2")).toString();
      return target.startsWith("/dev/pts/") || target.startsWith("/dev/tty");
    } catch (java.io.IOException | UnsupportedOperationException | SecurityException e) {
      return false;
    }
  }
}
