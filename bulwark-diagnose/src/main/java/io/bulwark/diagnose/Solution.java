package io.bulwark.diagnose;

/**
 * What to do about a cause: the exact command to run, how urgent it is and what it risks.
 *
 * @param priority 1 first; lower numbers are more urgent
 * @param command the exact command (shell or SQL) to run
 * @param risk what running it may disturb
 * @param description why, in words
 */
public record Solution(int priority, String command, Risk risk, String description) {}
