package io.bulwark.diagnose;

/** How much a solution's command may disturb the running system. */
public enum Risk {
  /** Reads or undoes an injected fault; nothing a user notices. */
  LOW,
  /** Changes the running system reversibly (cancel a query, restart one instance). */
  MEDIUM,
  /** May lose work or availability (terminate a session holding locks). */
  HIGH
}
