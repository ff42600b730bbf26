package io.bulwark.diagnose.eval;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import java.util.List;
import org.junit.jupiter.api.Test;

class ScoresTest {

  @Test
  void countsTheCasesWhoseTrueCauseIsInTheTopK() {
    // ranks of the true cause in four cases: first, second, fourth, not ranked
    Scores s = Scores.of(List.of(1, 2, 4, 0));

    assertThat(s.ac1()).isEqualTo(0.25);
    assertThat(s.ac3()).isEqualTo(0.5);
    // AC@1..5 = 0.25, 0.5, 0.5, 0.75, 0.75
    assertThat(s.avg5()).isCloseTo(0.55, within(1e-12));
  }

  @Test
  void scoresAPerfectRankingOneAndAnEmptyOneZero() {
    assertThat(Scores.of(List.of(1, 1, 1))).isEqualTo(new Scores(1, 1, 1));
    assertThat(Scores.of(List.of(0, 6, 9))).isEqualTo(new Scores(0, 0, 0));
  }

  @Test
  void refusesNoCasesAndNegativeRanks() {
    assertThatThrownBy(() -> Scores.of(List.of())).hasMessage("ranks must not be empty");
    assertThatThrownBy(() -> Scores.of(List.of(1, -1)))
        .hasMessage("a rank must be >= 0 (0 = not ranked) but was -1");
  }
}
