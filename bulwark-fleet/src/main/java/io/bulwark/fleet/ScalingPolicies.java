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
 * Owns a group's scaling decisions: scheduled actions, applied at their time, and a {@link
 * TargetTracking} policy on a {@link Metric}, which scales out at once and scales in only to the
 * highest size it wanted over its cool-down. Both change the {@link GroupSize}; bringing the
 * instances to that size is the group's job. Guarded by the group's lock.
 */
final class ScalingPolicies {

  private final GroupSize size;
  private final GroupEventLog events;
  private final List<ScheduledAction> schedule = new ArrayList<>();
  private final Deque<Integer> lowWants = new ArrayDeque<>();
  private TargetTracking tracking;
  private Metric metric;
  private Instant nextEvaluation = Instant.MIN;
  private Instant lowSince;

  ScalingPolicies(GroupSize size, GroupEventLog events) {
    this.size = size;
    this.events = events;
  }

  /** Follows {@code policy} on {@code metric} from the next evaluation on. */
  void track(TargetTracking policy, Metric metric) {
    this.tracking = policy;
    this.metric = metric;
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
    if (tracking == null || now.isBefore(nextEvaluation)) {
      return;
    }
    nextEvaluation = now.plus(tracking.evaluationInterval());
    int inService = inServiceCount.getAsInt();
    if (inService == 0) {
      return;
    }
    double value = metric.sample(now, inService);
    if (Double.isNaN(value)) {
      return;
    }
    int min = size.min();
    int max = size.max();
    int desired = size.desired();
    int want = Math.max(min, Math.min(max, tracking.desiredFor(inService, value)));
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
