package io.bulwark.diagnose;

/**
 * How often a symptom shows. It decides how the symptom window is summarised: a constant symptom by
 * its median, an intermittent one by its 90th percentile, a single occurrence by its maximum.
 */
public enum Frequency {
  ONCE,
  INTERMITTENT,
  CONSTANT
}
