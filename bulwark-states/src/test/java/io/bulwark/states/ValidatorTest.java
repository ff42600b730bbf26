package io.bulwark.states;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import org.junit.jupiter.api.Test;

class ValidatorTest {
  private static final ObjectMapper MAPPER = new ObjectMapper();

  private static java.util.List<String> errors(String json) throws IOException {
    return StateMachine.validate(MAPPER.readTree(json.replace('\'', '"')));
  }

  @Test
  void reportsUnknownNextTargetsWithTheirPath() throws IOException {
    assertThat(errors("{'StartAt':'A','States':{'A':{'Type':'Pass','Next':'Z'}}}"))
        .containsExactly("$.States.A.Next: no state named 'Z'");
  }

  @Test
  void reportsUnreachableStates() throws IOException {
    assertThat(errors("{'StartAt':'A','States':{'A':{'Type':'Succeed'},'B':{'Type':'Succeed'}}}"))
        .containsExactly("$.States.B: state is unreachable from StartAt");
  }

  @Test
  void reportsNextAndEndTogetherAndTerminalStatesWithNext() throws IOException {
    assertThat(
            errors(
                "{'StartAt':'A','States':{'A':{'Type':'Pass','Next':'B','End':true},"
                    + "'B':{'Type':'Succeed','Next':'A'}}}"))
        .containsExactly(
            "$.States.A: must not have both Next and End",
            "$.States.B.Next: Succeed state must not have Next");
  }

  @Test
  void reportsBadPathsRetriersAndCatchTargets() throws IOException {
    assertThat(
            errors(
                "{'StartAt':'T','States':{'T':{'Type':'Task','Resource':'r','End':true,"
                    + "'ResultPath':'$.a[*]','InputPath':'nope',"
                    + "'Retry':[{'ErrorEquals':[],'BackoffRate':0.5}],"
                    + "'Catch':[{'ErrorEquals':['States.ALL'],'Next':'X'}]}}}"))
        .containsExactlyInAnyOrder(
            "$.States.T.InputPath: invalid JSONPath \"nope\"",
            "$.States.T.ResultPath: must be a reference path but was \"$.a[*]\"",
            "$.States.T.Retry[0].ErrorEquals: required, a non-empty array",
            "$.States.T.Retry[0].BackoffRate: must be >= 1.0 but was 0.5",
            "$.States.T.Catch[0].Next: no state named 'X'");
  }

  @Test
  void validatesNestedBranchesWithTheirPath() throws IOException {
    assertThat(
            errors(
                "{'StartAt':'P','States':{'P':{'Type':'Parallel','End':true,"
                    + "'Branches':[{'StartAt':'Q','States':{'A':{'Type':'Succeed'}}}]}}}"))
        .contains("$.States.P.Branches[0].StartAt: no state named 'Q'");
  }

  @Test
  void rejectsInvalidJsonWithoutAStackTrace() {
    assertThatThrownBy(() -> StateMachine.of("{not json", "x"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageStartingWith("definition is not valid JSON");
  }
}
