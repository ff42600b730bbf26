-- Catch-up subscriptions: the last log position each named subscription handled. A handler's
-- effects and the checkpoint move in the same transaction, so after a crash it resumes exactly
-- after the last event whose effects committed.
create table eventstore_subscriptions (
  name           text primary key,
  transaction_id xid8 not null,
  position       bigint not null,
  updated_at     timestamptz not null
);
