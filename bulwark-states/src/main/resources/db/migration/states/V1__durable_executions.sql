-- Durable executions of Amazon States Language machines (module bulwark-states).

-- Registered state machines; every change of definition is a new version.
create table states_state_machines (
  name        text not null,
  version     integer not null check (version > 0),
  definition  jsonb not null,
  created_at  timestamptz not null,
  primary key (name, version)
);

-- One row per execution. Parallel branches and Map iterations are child executions (parent_arn
-- set) running the sub-machine at machine_pointer (a JSON pointer into the definition).
create table states_executions (
  arn              text primary key,
  name             text not null,
  machine_name     text not null,
  machine_version  integer not null,
  machine_pointer  text not null default '',
  parent_arn       text,
  branch_index     integer,
  status           text not null check (status in ('RUNNING','SUCCEEDED','FAILED','TIMED_OUT','ABORTED')),
  input            jsonb not null,
  output           jsonb,
  error            text,
  cause            text,
  start_date       timestamptz not null,
  stop_date        timestamptz,
  current_state    text,
  current_input    jsonb,
  context          jsonb not null,
  retry            jsonb,
  entered_event_id bigint not null default 0,
  pending_children integer not null default 0,
  children_prefix  text,
  redrive_count    integer not null default 0,
  last_event_id    bigint not null default 0
);
create index states_executions_list on states_executions (machine_name, status, start_date desc)
  where parent_arn is null;
create index states_executions_status on states_executions (status, start_date desc)
  where parent_arn is null;
create index states_executions_parent on states_executions (parent_arn) where parent_arn is not null;

-- GetExecutionHistory-shaped events: per execution, ids 1, 2, 3… each pointing at the previous.
create table states_history (
  execution_arn     text not null,
  id                bigint not null,
  previous_event_id bigint not null,
  type              text not null,
  ts                timestamptz not null,
  details           jsonb not null,
  primary key (execution_arn, id)
);

-- Durable work and timers: a row is due at due_at; a worker leases it (lease_owner/lease_until)
-- and a lease that runs out (a killed worker) makes it claimable again.
create table states_work (
  id            bigserial primary key,
  execution_arn text not null,
  kind          text not null,
  due_at        timestamptz not null,
  payload       jsonb,
  lease_owner   text,
  lease_until   timestamptz
);
create index states_work_due on states_work (due_at);
create index states_work_execution on states_work (execution_arn);

-- Tokens of .waitForTaskToken tasks whose execution is parked until a callback.
create table states_task_tokens (
  token         text primary key,
  execution_arn text not null,
  state_name    text not null,
  resource      text not null,
  created_at    timestamptz not null,
  heartbeat_at  timestamptz
);
create index states_task_tokens_execution on states_task_tokens (execution_arn);
