package io.bulwark.states.durable;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * One invocation of a Task state by the durable engine.
 *
 * @param executionArn the execution (a child execution's arn for Parallel/Map branches)
 * @param stateName the Task state
 * @param resource the state's Resource (with any {@code .waitForTaskToken} suffix)
 * @param input the effective input (after InputPath and Parameters)
 * @param attempt 0 for the first attempt, 1, 2, … for retries
 * @param idempotencyToken the same for every delivery of this attempt of this state visit; an
 *     engine crash during the call delivers it again (at-least-once), so handlers with side effects
 *     deduplicate on it
 * @param taskToken the callback token of a {@code .waitForTaskToken} task, else null
 */
public record TaskRequest(
    String executionArn,
    String stateName,
    String resource,
    JsonNode input,
    int attempt,
    String idempotencyToken,
    String taskToken) {}
