package io.bulwark.fleet;

import io.bulwark.fleet.GroupEvent.Kind;
import java.time.Clock;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;

/**
 * Owns a group's events: keeps the most recent {@value #MAX_EVENTS}, and tells every listener of
 * each new one (a listener that throws does not stop the group). Recording is guarded by the
 * group's lock; listeners may be added from any thread.
 */
final class GroupEventLog {

  private static final int MAX_EVENTS = 2000;

  private final String group;
  private final Clock clock;
  private final Deque<GroupEvent> events = new ArrayDeque<>();
  private final List<Consumer<GroupEvent>> listeners = new CopyOnWriteArrayList<>();

  GroupEventLog(String group, Clock clock) {
    this.group = group;
    this.clock = clock;
  }

  /** Records an event of the group, about {@code m} (null for the group as a whole). */
  void add(Kind kind, GroupMember m, String detail) {
    GroupEvent e =
        new GroupEvent(
            clock.instant(),
            group,
            kind,
            m == null ? Optional.empty() : Optional.of(m.instance.id()),
            m == null ? Optional.empty() : Optional.of(m.zone()),
            detail);
    events.addLast(e);
    while (events.size() > MAX_EVENTS) {
      events.removeFirst();
    }
    for (Consumer<GroupEvent> l : listeners) {
      safely(() -> l.accept(e));
    }
  }

  /** The recent events, oldest first. */
  List<GroupEvent> recent() {
    return List.copyOf(events);
  }

  void listen(Consumer<GroupEvent> listener) {
    listeners.add(listener);
  }

  /**
   * Runs {@code r}, ignoring what it throws: registration and listeners must not stop the group.
   */
  static void safely(Runnable r) {
    try {
      r.run();
    } catch (RuntimeException e) {
      // Registration and listeners must not stop the group's loop.
    }
  }
}
