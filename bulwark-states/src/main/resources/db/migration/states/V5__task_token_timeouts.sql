-- A parked task's token outlives its task when the task timed out (TimeoutSeconds,
-- HeartbeatSeconds) or its execution ended while it waited: a late callback then answers
-- TaskTimedOut, as Step Functions does, instead of "no such task". Tokens of tasks that completed
-- are still deleted when taken.
alter table states_task_tokens add column timed_out_at timestamptz;
