package io.bulwark.fleet;

import io.bulwark.fleet.GroupEvent.Kind;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.Deque;
import java.util.List;
import java.util.Locale;
import java.util.function.IntSupplier;

/**
 * Owns a group's scaling decisions: scheduled actions, applied at their time, and {@link
 * TargetTracking} policies on {@link Metric}s, which scale out at once and scale in only to the
 * highest size they wanted over the cool-down. With several policies (requests/s, CPU, latency),
 * the group follows the one asking for the most instances, as AWS does: it scales out when any
 * policy asks for more, and in only when every policy asks for fewer. Both change the {@link
 * GroupSize}; bringing the instances to that size is the group's job. Guarded by the group's lock.
 */
final class ScalingPolicies {

  private final GroupSize size;
  private final GroupEventLog events;
  private final List<ScheduledAction> schedule = new ArrayList<>();
  private final Deque<Integer> lowWants = new ArrayDeque<>();
  private final List<Tracked> tracked = new ArrayList<>();
  private Instant nextEvaluation = Instant.MIN;
  private Instant lowSince;

  ScalingPolicies(GroupSize size, GroupEventLog events) {
    this.size = size;
    this.events = events;
  }

  private record Tracked(TargetTracking policy, Metric metric) {}

  /**
   * Follows {@code policy} on {@code metric} from the next evaluation on, next to the policies it
   * follows already; a policy on the same metric name replaces the earlier one.
   */
  void track(TargetTracking policy, Metric metric) {
    tracked.removeIf(t -> t.policy().metricName().equals(policy.metricName()));
    tracked.add(new Tracked(policy, metric));
    this.nextEvaluation = Instant.MIN;
    this.lowSince = null;
    this.lowWants.clear();
  }

  /** Adds a scheduled action, kept in time order. */
  void schedule(ScheduledAction action) {
    schedule.add(action);
    schedule.sort(Comparator.comparing(ScheduledAction::at));
  }

  /** Applies the scheduled actions due at {@code now}, oldest first. */
  void applySchedule(Instant now) {
    while (!schedule.isEmpty() && !schedule.get(0).at().isAfter(now)) {
      ScheduledAction a = schedule.remove(0);
      int newMin = a.min().orElse(size.min());
      int newMax = a.max().orElse(size.max());
      if (a.min().isPresent() && newMax < newMin) {
        newMax = newMin;
      }
      if (a.max().isPresent() && newMin > newMax) {
        newMin = newMax;
      }
      int newDesired = Math.max(newMin, Math.min(newMax, a.desired().orElse(size.desired())));
      events.add(
          Kind.SCHEDULED_ACTION,
          null,
          "scheduled action "
              + a.name()
              + ": size "
              + newMin
              + ".."
              + newMax
              + ", desired "
              + newDesired);
      size.resize(newMin, newMax, newDesired, "scheduled action " + a.name());
    }
  }

  /**
   * Evaluates target tracking when it is due, given the number of instances in service (asked only
   * then).
   */
  void autoscale(Instant now, IntSupplier inServiceCount) {
    if (tracked.isEmpty() || now.isBefore(nextEvaluation)) {
      return;
    }
    nextEvaluation =
        now.plus(
            tracked.stream()
                .map(t -> t.policy().evaluationInterval())
                .min(Comparator.naturalOrder())
                .orElseThrow());
    int inService = inServiceCount.getAsInt();
    if (inService == 0) {
      return;
    }
    TargetTracking tracking = null;
    double value = Double.NaN;
    int wanted = Integer.MIN_VALUE;
    for (Tracked t : tracked) {
      double v = t.metric().sample(now, inService);
      if (Double.isNaN(v)) {
        continue;
      }
      int w = t.policy().desiredFor(inService, v);
      if (w > wanted) {
        wanted = w;
        tracking = t.policy();
        value = v;
      }
    }
    if (tracking == null) {
      return;
    }
    int min = size.min();
    int max = size.max();
    int desired = size.desired();
    int want = Math.max(min, Math.min(max, wanted));
    String why =
        tracking.metricName()
            + " is "
            + String.format(Locale.ROOT, "%.1f", value)
            + " against a target of "
            + String.format(Locale.ROOT, "%.1f", tracking.target());
    if (want > desired) {
      lowSince = null;
      lowWants.clear();
      size.resize(min, max, want, "target tracking scales out to " + want + ": " + why);
    } else if (want < desired) {
      if (lowSince == null) {
        lowSince = now;
      }
      lowWants.add(want);
      if (!now.isBefore(lowSince.plus(tracking.scaleInCooldown()))) {
        int to = lowWants.stream().mapToInt(Integer::intValue).max().orElse(want);
        lowSince = null;
        lowWants.clear();
        size.resize(min, max, to, "target tracking scales in to " + to + ": " + why);
      }
    } else {
      lowSince = null;
      lowWants.clear();
    }
  }
}
