package io.bulwark.fleet.load;

import io.bulwark.kernel.Check;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * An open-model arrival rate that changes over time: phases in which the rate goes linearly from
 * one value to another (a baseline, a ramp, a peak). It says when the n-th request arrives, so a
 * load generator sends at that rate whatever the server does, and how many arrive in all.
 */
public final class ArrivalProfile {

  /**
   * One stretch of time.
   *
   * @param name what it is called in reports, e.g. {@code peak}
   * @param duration how long it lasts
   * @param fromPerSecond the rate at its start
   * @param toPerSecond the rate at its end (the same for a steady phase)
   */
  public record Phase(String name, Duration duration, double fromPerSecond, double toPerSecond) {
    public Phase {
      Objects.requireNonNull(name, "name");
      Check.positive("duration of " + name, duration);
      if (!(fromPerSecond > 0) || !(toPerSecond > 0)) {
        throw new IllegalArgumentException("rates of phase " + name + " must be > 0");
      }
    }

    double seconds() {
      return duration.toNanos() / 1e9;
    }

    /** Arrivals in the first {@code t} seconds of the phase. */
    double arrivalsBy(double t) {
      return fromPerSecond * t + (toPerSecond - fromPerSecond) * t * t / (2 * seconds());
    }

    /** When, in seconds into the phase, the {@code k}-th arrival (fractional) happens. */
    double timeOf(double k) {
      double slope = (toPerSecond - fromPerSecond) / seconds();
      if (Math.abs(slope) < 1e-12) {
        return k / fromPerSecond;
      }
      double a = fromPerSecond;
      return (-a + Math.sqrt(Math.max(0, a * a + 2 * slope * k))) / slope;
    }
  }

  private final List<Phase> phases;
  private final double[] arrivalsBefore;
  private final double[] secondsBefore;
  private final long total;

  private ArrivalProfile(List<Phase> phases) {
    this.phases = List.copyOf(phases);
    arrivalsBefore = new double[phases.size() + 1];
    secondsBefore = new double[phases.size() + 1];
    for (int i = 0; i < phases.size(); i++) {
      Phase p = phases.get(i);
      arrivalsBefore[i + 1] = arrivalsBefore[i] + p.arrivalsBy(p.seconds());
      secondsBefore[i + 1] = secondsBefore[i] + p.seconds();
    }
    total = (long) Math.floor(arrivalsBefore[phases.size()]);
  }

  /** A profile of {@code phases}, in order. */
  public static ArrivalProfile of(List<Phase> phases) {
    if (phases.isEmpty()) {
      throw new IllegalArgumentException("an arrival profile needs at least one phase");
    }
    return new ArrivalProfile(new ArrayList<>(phases));
  }

  /** Its phases, in order. */
  public List<Phase> phases() {
    return phases;
  }

  /** How many requests arrive over the whole profile. */
  public long total() {
    return total;
  }

  /** How long the whole profile lasts. */
  public Duration duration() {
    return Duration.ofNanos((long) (secondsBefore[phases.size()] * 1e9));
  }

  /** When the {@code n}-th request (from 0) arrives, in nanoseconds from the profile's start. */
  public long offsetNanos(long n) {
    double k = n;
    int i = 0;
    while (i < phases.size() - 1 && arrivalsBefore[i + 1] <= k) {
      i++;
    }
    double t = secondsBefore[i] + phases.get(i).timeOf(k - arrivalsBefore[i]);
    return (long) (t * 1e9);
  }

  /** The arrival rate {@code seconds} into the profile (0 after its end). */
  public double rateAt(double seconds) {
    for (int i = 0; i < phases.size(); i++) {
      if (seconds < secondsBefore[i + 1]) {
        Phase p = phases.get(i);
        double f = (seconds - secondsBefore[i]) / p.seconds();
        return p.fromPerSecond() + (p.toPerSecond() - p.fromPerSecond()) * f;
      }
    }
    return 0;
  }

  /** The phase running {@code seconds} into the profile, or the last one after its end. */
  public Phase phaseAt(double seconds) {
    for (int i = 0; i < phases.size(); i++) {
      if (seconds < secondsBefore[i + 1]) {
        return phases.get(i);
      }
    }
    return phases.get(phases.size() - 1);
  }

  /** When phase {@code name} starts, from the profile's start. */
  public Duration startOf(String name) {
    for (int i = 0; i < phases.size(); i++) {
      if (phases.get(i).name().equals(name)) {
        return Duration.ofNanos((long) (secondsBefore[i] * 1e9));
      }
    }
    throw new IllegalArgumentException("no phase " + name);
  }
}
