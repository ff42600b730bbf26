package io.bulwark.diagnose;

import java.util.Arrays;
import java.util.Optional;

/** A kind of fault, named as {@code bulwark chaos} and the diagnosis contract name it. */
public enum Fault {
  CPU_HOG("cpu-hog"),
  MEMORY_LEAK("memory-leak"),
  DISK_FILL("disk-fill"),
  NETWORK_LATENCY("network-latency"),
  PACKET_LOSS("packet-loss"),
  NETWORK_PARTITION("network-partition"),
  SLOW_QUERY("slow-query"),
  DEPENDENCY_DOWN("dependency-down"),
  POOL_EXHAUSTION("pool-exhaustion"),
  BAD_DEPLOY("bad-deploy"),
  GC_PRESSURE("gc-pressure");

  private final String slug;

  Fault(String slug) {
    this.slug = slug;
  }

  /** The contract's name, e.g. {@code cpu-hog}. */
  public String slug() {
    return slug;
  }

  /** The fault named {@code slug}, if any. */
  public static Optional<Fault> of(String slug) {
    return Arrays.stream(values()).filter(f -> f.slug.equals(slug)).findFirst();
  }

  /** Every name, comma-separated, for messages. */
  public static String names() {
    return String.join(", ", Arrays.stream(values()).map(Fault::slug).toList());
  }

  @Override
  public String toString() {
    return slug;
  }
}
