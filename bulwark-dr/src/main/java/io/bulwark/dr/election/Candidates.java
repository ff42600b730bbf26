package io.bulwark.dr.election;

import io.bulwark.dr.FailoverPolicy;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Which standby to promote when no member holds the lease: the most up-to-date eligible one.
 *
 * <p>A standby is eligible when it is in the {@code sync} set — the standbys that may hold commits
 * acknowledged to clients — and every member of that set is alive to compare with (commits wait for
 * any one of them, so only the most advanced of all of them surely has every acknowledged commit).
 * Failing that, and only when the policy allows it, an asynchronous standby within the policy's lag
 * of the primary's last published position. An operator's request names the member outright.
 */
final class Candidates {

  private Candidates() {}

  /**
   * The decision.
   *
   * @param member the standby to promote, empty when none may be
   * @param reason why, for the log and {@code db status}
   */
  record Decision(Optional<String> member, String reason) {}

  static Decision choose(
      Map<String, MemberState> alive,
      List<String> sync,
      long optime,
      FailoverPolicy policy,
      Optional<ClusterStore.Request> request) {
    Comparator<MemberState> mostAdvanced =
        Comparator.comparingLong(MemberState::lsn)
            .thenComparingLong(MemberState::replayLsn)
            .reversed()
            .thenComparing(MemberState::name);
    if (request.isPresent() && request.get().to().isPresent()) {
      String to = request.get().to().get();
      MemberState target = alive.get(to);
      return target != null && target.standby()
          ? new Decision(Optional.of(to), request.get().kind() + " to " + to + " requested")
          : new Decision(Optional.empty(), "requested member " + to + " is not a running standby");
    }
    if (!sync.isEmpty()) {
      List<MemberState> syncAlive =
          sync.stream().map(alive::get).filter(s -> s != null && s.standby()).toList();
      if (syncAlive.size() == sync.size()) {
        MemberState best = syncAlive.stream().sorted(mostAdvanced).findFirst().orElseThrow();
        return new Decision(
            Optional.of(best.name()), "most advanced synchronous standby of " + sync);
      }
    }
    if (policy.allowAsync()) {
      Optional<MemberState> best =
          alive.values().stream()
              .filter(MemberState::standby)
              .filter(s -> optime - s.lsn() <= policy.maxLagBytes())
              .sorted(mostAdvanced)
              .findFirst();
      if (best.isPresent()) {
        return new Decision(
            Optional.of(best.get().name()),
            "asynchronous standby within " + policy.maxLagBytes() + " bytes (async allowed)");
      }
    }
    return new Decision(
        Optional.empty(),
        sync.isEmpty()
            ? "no synchronous standby holds every acknowledged commit and async failover is off"
            : "synchronous standbys " + sync + " are not all alive to compare");
  }
}
