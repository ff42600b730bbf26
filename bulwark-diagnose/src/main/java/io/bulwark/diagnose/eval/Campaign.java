package io.bulwark.diagnose.eval;

import io.bulwark.diagnose.Fault;
import java.time.Duration;
import java.util.List;
import java.util.Objects;

/**
 * An accuracy campaign: faults to inject one after another into a running server, and benign
 * changes (noise) the engine must not blame. Times are offsets from the campaign's start.
 *
 * @param source the file it was read from, for messages
 * @param injections the faults, in order of {@code at}
 * @param noise the benign changes
 */
public record Campaign(String source, List<Injection> injections, List<Noise> noise) {

  /** Copies the lists; at least one injection. */
  public Campaign {
    Objects.requireNonNull(source, "source");
    injections = List.copyOf(injections);
    noise = List.copyOf(noise);
    if (injections.isEmpty()) {
      throw new IllegalArgumentException("a campaign needs at least one injection");
    }
  }

  /**
   * One fault to inject.
   *
   * @param line the line of the campaign file it was given on, for messages
   * @param fault the fault
   * @param target the component as the server names it ({@code shop}, {@code database} …)
   * @param at when, from the campaign's start
   * @param duration how long at most (the campaign stops it once diagnosed)
   */
  public record Injection(int line, Fault fault, String target, Duration at, Duration duration) {
    /** Checks the members. */
    public Injection {
      Objects.requireNonNull(fault, "fault");
      Objects.requireNonNull(target, "target");
      Objects.requireNonNull(at, "at");
      Objects.requireNonNull(duration, "duration");
    }
  }

  /**
   * A benign change.
   *
   * @param line the line of the campaign file it was given on
   * @param kind what changes
   * @param at when, from the campaign's start
   * @param duration how long
   */
  public record Noise(int line, Kind kind, Duration at, Duration duration) {
    /** Checks the members. */
    public Noise {
      Objects.requireNonNull(kind, "kind");
      Objects.requireNonNull(at, "at");
      Objects.requireNonNull(duration, "duration");
    }

    /** What the noise changes. */
    public enum Kind {
      /** The order load triples for the duration. */
      LOAD_SWING("load-swing"),
      /** A deploy of the same build (a change event and nothing else). */
      DEPLOY("deploy");

      private final String slug;

      Kind(String slug) {
        this.slug = slug;
      }

      /** The campaign file's name, e.g. {@code load-swing}. */
      public String slug() {
        return slug;
      }
    }
  }
}
