-- Ordering context. Write side: the order event log, idempotency keys and the durable saga table.
-- Read side: denormalised views built by a projection from the event log, with a checkpoint.
create table ordering_events (
  position    bigserial primary key,
  id          uuid not null unique,
  stream_id   uuid not null,
  version     integer not null check (version > 0),
  type        text not null,
  payload     jsonb not null,
  occurred_at timestamptz not null,
  unique (stream_id, version)
);

create table ordering_idempotency (
  customer_id  uuid not null,
  key          text not null,
  request_hash text not null,
  order_id     uuid not null,
  created_at   timestamptz not null,
  primary key (customer_id, key)
);

create table ordering_sagas (
  order_id        uuid primary key,
  state           text not null,
  priority        integer not null default 0,
  attempts        integer not null default 0,
  next_attempt_at timestamptz not null,
  lease_until     timestamptz,
  lease_token     uuid,
  error_type      text,
  error_cause     text,
  created_at      timestamptz not null,
  updated_at      timestamptz not null
);
create index ordering_sagas_due on ordering_sagas (priority desc, next_attempt_at) where state <> 'Done';

create table ordering_order_view (
  order_id      uuid primary key,
  customer_id   uuid not null,
  customer_name text not null,
  status        text not null,
  reason        text,
  items         jsonb not null,
  total_minor   bigint not null,
  currency      char(3) not null,
  created_at    timestamptz not null,
  updated_at    timestamptz not null
);
create index ordering_order_view_customer on ordering_order_view (customer_id, created_at desc, order_id desc);

create table ordering_customer_stats (
  customer_id       uuid primary key,
  customer_name     text not null,
  order_count       integer not null,
  confirmed_count   integer not null,
  failed_count      integer not null,
  total_spent_minor bigint not null,
  currency          char(3),
  last_order_id     uuid,
  last_order_at     timestamptz
);

create table ordering_projection_checkpoints (
  name     text primary key,
  position bigint not null
);
insert into ordering_projection_checkpoints (name, position) values ('orders', 0);
