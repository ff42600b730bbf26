-- What Step Functions keeps about a state machine beside its versions: its type, the IAM role it
-- was given, and when it was deleted (its versions stay: executions that run them go on).
create table states_machine_attributes (
  name        text primary key,
  type        text not null default 'STANDARD' check (type in ('STANDARD', 'EXPRESS')),
  role_arn    text,
  deleted_at  timestamptz
);

-- Tags of state machines and executions (TagResource), by the engine's arn.
create table states_tags (
  resource_arn text not null,
  key          text not null,
  value        text not null,
  primary key (resource_arn, key)
);
