package io.bulwark.diagnose;

/** How bad a symptom is for the people who see it; orders the solutions' urgency. */
public enum Severity {
  LOW,
  MEDIUM,
  HIGH,
  CRITICAL
}
