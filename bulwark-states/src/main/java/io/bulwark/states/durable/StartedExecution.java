package io.bulwark.states.durable;

/**
 * What {@link Engine#startOrFind} returns: the execution, and whether this call created it ({@code
 * created} false when it returned the RUNNING execution of the same name and input, as Step
 * Functions' StartExecution does).
 */
public record StartedExecution(Execution execution, boolean created) {}
