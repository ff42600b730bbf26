package io.bulwark.bench.gateway;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadInfo;
import java.lang.management.ThreadMXBean;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * CPU time a contender has used so far, in nanoseconds. Dividing by the requests served gives CPU
 * per request, which stays comparable when other work on the machine steals cores.
 */
@FunctionalInterface
interface CpuMeter {
  long cpuNanos();

  /** The threads of this JVM whose names start with {@code prefix}. */
  static CpuMeter threads(String prefix) {
    ThreadMXBean mx = ManagementFactory.getThreadMXBean();
    return () -> {
      long total = 0;
      for (ThreadInfo info : mx.getThreadInfo(mx.getAllThreadIds())) {
        if (info != null && info.getThreadName().startsWith(prefix)) {
          long t = mx.getThreadCpuTime(info.getThreadId());
          if (t > 0) {
            total += t;
          }
        }
      }
      return total;
    };
  }

  /** A child process, from {@code /proc/PID/stat} (user + system, in clock ticks of 10 ms). */
  static CpuMeter process(long pid) {
    Path stat = Path.of("/proc", Long.toString(pid), "stat");
    return () -> {
      try {
        String s = Files.readString(stat);
        String[] f = s.substring(s.lastIndexOf(')') + 2).split(" ");
        // Fields 14 and 15 of stat(5); f[0] is field 3.
        long ticks = Long.parseLong(f[11]) + Long.parseLong(f[12]);
        return ticks * 10_000_000L;
      } catch (IOException | RuntimeException e) {
        return 0;
      }
    };
  }
}
