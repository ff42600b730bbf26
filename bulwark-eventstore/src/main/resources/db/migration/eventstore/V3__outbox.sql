-- Transactional outbox: messages written in the business transaction and delivered by a relay
-- after commit (at least once). Delivered messages are deleted.
create table eventstore_outbox (
  id              bigint generated always as identity primary key,
  message_id      uuid not null unique,
  topic           text not null,
  key             text,
  payload         text not null,
  created_at      timestamptz not null default now(),
  attempts        integer not null default 0,
  next_attempt_at timestamptz not null default now(),
  last_error      text
);
create index eventstore_outbox_due on eventstore_outbox (next_attempt_at, id);
create index eventstore_outbox_key on eventstore_outbox (key, id);

-- Consumer-side idempotency: a message's effect and its row here commit in one transaction, so a
-- redelivered message is recognised and its effect is not applied twice.
create table eventstore_processed_messages (
  consumer     text not null,
  message_id   uuid not null,
  processed_at timestamptz not null default now(),
  primary key (consumer, message_id)
);
