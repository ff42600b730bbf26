package io.bulwark.fleet;

import io.bulwark.fleet.GroupEvent.Kind;

/**
 * Owns a group's size: its bounds and desired count, whoever changes them (an operator, a scheduled
 * action, target tracking); every change is recorded as an event. Guarded by the group's lock.
 */
final class GroupSize {

  private final GroupEventLog events;
  private int min;
  private int max;
  private int desired;

  GroupSize(int min, int max, int desired, GroupEventLog events) {
    this.min = min;
    this.max = max;
    this.desired = desired;
    this.events = events;
  }

  int min() {
    return min;
  }

  int max() {
    return max;
  }

  int desired() {
    return desired;
  }

  /** Sets all three; an event says {@code why} when anything changed. */
  void resize(int newMin, int newMax, int newDesired, String why) {
    boolean changed = newMin != min || newMax != max || newDesired != desired;
    min = newMin;
    max = newMax;
    int before = desired;
    desired = newDesired;
    if (changed) {
      events.add(Kind.SCALED, null, why + " (desired " + before + " → " + newDesired + ")");
    }
  }
}
