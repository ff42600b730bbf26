package io.bulwark.dr.election;

import static org.assertj.core.api.Assertions.assertThat;

import io.bulwark.dr.FailoverPolicy;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class CandidatesTest {

  private static MemberState standby(String name, long lsn) {
    return new MemberState(name, "standby", 100, 1, 1, lsn, lsn, 0, false, true, 0, List.of());
  }

  @Test
  void promotesTheMostAdvancedMemberOfTheSyncSetOnlyWhenAllOfItCanBeCompared() {
    Map<String, MemberState> both = Map.of("b", standby("b", 100), "c", standby("c", 120));
    assertThat(
            Candidates.choose(
                    both, List.of("b", "c"), 130, FailoverPolicy.defaults(), Optional.empty())
                .member())
        .contains("c");
    // c is gone: b may lack commits only c acknowledged, so nobody is promoted
    assertThat(
            Candidates.choose(
                    Map.of("b", standby("b", 100)),
                    List.of("b", "c"),
                    130,
                    FailoverPolicy.defaults(),
                    Optional.empty())
                .member())
        .isEmpty();
  }

  @Test
  void anAsyncStandbyOnlyWhenAllowedAndWithinTheLagLimit() {
    Map<String, MemberState> async = Map.of("d", standby("d", 1_000));
    assertThat(
            Candidates.choose(async, List.of(), 1_500, FailoverPolicy.defaults(), Optional.empty())
                .member())
        .isEmpty();
    FailoverPolicy allow = new FailoverPolicy(false, true, 1_000);
    assertThat(Candidates.choose(async, List.of(), 1_500, allow, Optional.empty()).member())
        .contains("d");
    assertThat(Candidates.choose(async, List.of(), 5_000, allow, Optional.empty()).member())
        .isEmpty();
  }

  @Test
  void anOperatorsRequestNamesTheMember() {
    Map<String, MemberState> alive = Map.of("b", standby("b", 100), "d", standby("d", 10));
    var request = Optional.of(new ClusterStore.Request("failover", Optional.of("d"), 0));
    assertThat(
            Candidates.choose(alive, List.of("b"), 100, FailoverPolicy.defaults(), request)
                .member())
        .contains("d");
  }
}
