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

  @Test
  void reportsJsonPathFieldsInJsonataStatesWithTheirPath() throws IOException {
    assertThat(
            errors(
                "{'QueryLanguage':'JSONata','StartAt':'T','States':{'T':{'Type':'Task',"
                    + "'Resource':'r','InputPath':'$.a','Parameters':{},'ResultSelector':{},"
                    + "'ResultPath':'$.r','OutputPath':'$','End':true}}}"))
        .containsExactly(
            "$.States.T.InputPath: field is not supported in a state whose QueryLanguage is"
                + " JSONata",
            "$.States.T.Parameters: field is not supported in a state whose QueryLanguage is"
                + " JSONata",
            "$.States.T.ResultSelector: field is not supported in a state whose QueryLanguage is"
                + " JSONata",
            "$.States.T.ResultPath: field is not supported in a state whose QueryLanguage is"
                + " JSONata",
            "$.States.T.OutputPath: field is not supported in a state whose QueryLanguage is"
                + " JSONata");
  }

  @Test
  void reportsJsonataFieldsInJsonPathStatesAndBadExpressions() throws IOException {
    assertThat(
            errors(
                "{'StartAt':'P','States':{'P':{'Type':'Pass','Output':{},'Next':'Q'},"
                    + "'Q':{'Type':'Pass','QueryLanguage':'JSONata','Output':'{% 1 + %}',"
                    + "'Assign':{'bad-name':1},'End':true}}}"))
        .containsExactly(
            "$.States.P.Output: field is not supported in a state whose QueryLanguage is"
                + " JSONPath",
            "$.States.Q.Output: invalid JSONata expression: S0207: Unexpected end of expression",
            "$.States.Q.Assign.bad-name: invalid variable name 'bad-name'");
  }

  @Test
  void reportsJsonPathStatesInsideAJsonataMachine() throws IOException {
    assertThat(
            errors(
                "{'QueryLanguage':'JSONata','StartAt':'P','States':{'P':{'Type':'Pass',"
                    + "'QueryLanguage':'JSONPath','End':true}}}"))
        .containsExactly(
            "$.States.P.QueryLanguage: cannot be \"JSONPath\" inside a state machine whose"
                + " QueryLanguage is \"JSONata\"");
  }

  @Test
  void reportsTimeoutAndRetryRuleErrors() throws IOException {
    assertThat(
            errors(
                "{'StartAt':'T','States':{'T':{'Type':'Task','Resource':'r','End':true,"
                    + "'TimeoutSeconds':5,'HeartbeatSeconds':5,"
                    + "'Retry':[{'ErrorEquals':['States.ALL']},{'ErrorEquals':['E'],"
                    + "'JitterStrategy':'HALF'}],"
                    + "'Catch':[{'ErrorEquals':['States.ALL','E'],'Next':'T'}]}}}"))
        .containsExactly(
            "$.States.T.HeartbeatSeconds: must be smaller than TimeoutSeconds (5)",
            "$.States.T.Retry[0].ErrorEquals: States.ALL must be in the last retrier or catcher",
            "$.States.T.Retry[1].JitterStrategy: must be \"FULL\" or \"NONE\" but was \"HALF\"",
            "$.States.T.Catch[0].ErrorEquals: States.ALL must appear alone in ErrorEquals");
  }

  @Test
  void reportsChoiceRulesWithoutOneOperatorAndUnknownFields() throws IOException {
    assertThat(
            errors(
                "{'StartAt':'C','States':{'C':{'Type':'Choice','Choices':[{'Variable':'$.a',"
                    + "'Next':'D'},{'Variable':'$.a','StringEqualz':'x','Next':'D'}],"
                    + "'Default':'D'},'D':{'Type':'Succeed','Result':1}}}"))
        .containsExactly(
            "$.States.C.Choices[0]: must have exactly one comparison operator",
            "$.States.C.Choices[1].StringEqualz: unknown comparison operator",
            "$.States.C.Choices[1]: must have exactly one comparison operator",
            "$.States.D.Result: field is not supported by a Succeed state");
  }

  @Test
  void nestedStatesTakeTheTopLevelQueryLanguageNotTheirMapState() throws IOException {
    assertThat(
            errors(
                "{'StartAt':'M','States':{'M':{'Type':'Map','QueryLanguage':'JSONata',"
                    + "'Items':'{% [1,2] %}','ItemProcessor':{'StartAt':'I','States':{'I':{"
                    + "'Type':'Pass','Parameters':{'v.$':'$'},'End':true}}},'End':true}}}"))
        .isEmpty();
  }

  @Test
  void reportsBadPayloadTemplatePathsAndUnknownIntrinsics() throws IOException {
    assertThat(
            errors(
                "{'StartAt':'P','States':{'P':{'Type':'Pass','Parameters':{'a.$':'nope',"
                    + "'b':{'c.$':'States.Nope($.x)'},'d.$':'States.Format(\\'{}\\', $.x)',"
                    + "'e.$':'$$.Execution.Id','f.$':'$var.field'},'End':true}}}"))
        .containsExactly(
            "$.States.P.Parameters.a.$: invalid JSONPath \"nope\"",
            "$.States.P.Parameters.b.c.$: unknown intrinsic function States.Nope");
  }
}
