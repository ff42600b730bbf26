package io.bulwark.kernel;

import static org.assertj.core.api.Assertions.assertThat;

import net.jqwik.api.ForAll;
import net.jqwik.api.Property;

/** Properties of the configuration checks. */
class CheckProperties {

  @Property
  void aCountPassesExactlyWhenItIsWithinItsBounds(@ForAll int value, @ForAll int a, @ForAll int b) {
    int min = Math.min(a, b);
    int max = Math.max(a, b);
    boolean inside = value >= min && value <= max;
    boolean accepted;
    try {
      accepted = Check.within("n", value, min, max) == value;
    } catch (IllegalArgumentException e) {
      accepted = false;
      assertThat(e).hasMessage("n must be in " + min + ".." + max + " but was " + value);
    }
    assertThat(accepted).isEqualTo(inside);
  }
}
