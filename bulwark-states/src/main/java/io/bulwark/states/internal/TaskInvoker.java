package io.bulwark.states.internal;

import com.fasterxml.jackson.databind.JsonNode;
import io.bulwark.states.StatesError;
import java.time.Duration;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Calls a Task state's handler, the one way both runners do (the in-memory {@link InMemoryRunner}
 * and the durable engine): bounded by the state's TimeoutSeconds and HeartbeatSeconds (a handler
 * called in-process sends no heartbeats, so the shorter of the two applies) and by what is left of
 * the execution's own TimeoutSeconds, with the handler's failure named as the task reported it.
 *
 * <p>A failure's name follows what Step Functions does for Lambda and Activity tasks: the error
 * type as the task reports it. A handler that throws {@link StatesError} names its error itself (as
 * the shop's saga functions name {@code InsufficientStockError}, like a Python or Node.js Lambda
 * raising {@code CustomError}); any other exception is named by its class's binary name, {@code
 * java.lang.IllegalStateException}, as the Lambda Java runtime reports a Java exception's {@code
 * errorType}, with the exception's message as the cause.
 */
public final class TaskInvoker {
  private TaskInvoker() {}

  /** The work of one task call. */
  @FunctionalInterface
  public interface Call {
    /** Runs the handler; its result is the task's result (null is JSON null). */
    JsonNode call();
  }

  /**
   * The execution's own TimeoutSeconds ran out while its task ran: the execution times out (the
   * task is not retried or caught).
   */
  public static final class ExecutionDeadlineReached extends RuntimeException {
    private static final long serialVersionUID = 1L;

    ExecutionDeadlineReached(String stateName, Throwable cause) {
      super("the execution timed out while task " + stateName + " ran", cause);
    }
  }

  /**
   * Calls {@code call} for Task state {@code stateName}, bounded by {@code timeout} and {@code
   * heartbeat} (either null for none) and by {@code executionLeft} (null when the execution has no
   * deadline).
   *
   * @return the handler's result
   * @throws StatesError the task's failure: the handler's own, named by {@link #failure}, or {@code
   *     States.Timeout} / {@code States.HeartbeatTimeout} past its limit, or {@code States.Runtime}
   *     when the calling thread is interrupted
   * @throws ExecutionDeadlineReached when {@code executionLeft} ran out first
   */
  public static JsonNode invoke(
      String stateName, Duration timeout, Duration heartbeat, Duration executionLeft, Call call) {
    boolean heartbeatFirst =
        heartbeat != null && (timeout == null || heartbeat.compareTo(timeout) < 0);
    Duration stateLimit = heartbeatFirst ? heartbeat : timeout;
    boolean executionFirst =
        executionLeft != null && (stateLimit == null || executionLeft.compareTo(stateLimit) < 0);
    Duration limit = executionFirst ? executionLeft : stateLimit;
    if (limit == null) {
      return direct(call);
    }
    // Not closed with try-with-resources: close() would wait for a handler that ignores the
    // interrupt, and the limit would not hold.
    ExecutorService executor = Executors.newVirtualThreadPerTaskExecutor();
    try {
      Future<JsonNode> future = executor.submit(() -> direct(call));
      try {
        return future.get(limit.toMillis(), TimeUnit.MILLISECONDS);
      } catch (TimeoutException e) {
        future.cancel(true);
        if (executionFirst) {
          throw new ExecutionDeadlineReached(stateName, e);
        }
        throw new StatesError(
            heartbeatFirst ? "States.HeartbeatTimeout" : "States.Timeout", null, e);
      } catch (ExecutionException e) {
        // direct() turned every Exception into a StatesError: what is left is an Error
        if (e.getCause() instanceof StatesError error) {
          throw error;
        }
        if (e.getCause() instanceof Error error) {
          throw error;
        }
        throw new IllegalStateException("task " + stateName + " failed", e);
      } catch (InterruptedException e) {
        future.cancel(true);
        Thread.currentThread().interrupt();
        throw new StatesError("States.Runtime", "interrupted while running task " + stateName, e);
      }
    } finally {
      executor.shutdownNow();
    }
  }

  private static JsonNode direct(Call call) {
    try {
      return call.call();
    } catch (Exception e) { // a handler may throw a checked exception it does not declare
      throw failure(e);
    }
  }

  /**
   * A handler's failure as the task's error: a {@link StatesError} as it is, any other exception
   * named by its class's binary name with its message as the cause (and chained).
   */
  public static StatesError failure(Exception e) {
    return e instanceof StatesError error
        ? error
        : new StatesError(e.getClass().getName(), e.getMessage(), e);
  }
}
