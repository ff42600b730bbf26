-- Dead-letter queue: a message (or a saga task) that kept failing, kept with what is needed to
-- look at it and to apply it again. One row per (consumer, message): dead-lettering the same
-- message for the same consumer twice (a redelivery after a crash) finds the row already there.
create table messaging_dead_letters (
  id               uuid primary key,
  source           text not null check (source in ('message', 'task')),
  consumer         text not null,
  topic            text not null,
  message_key      text,
  message_id       text not null,
  payload          text not null,
  error            text not null,
  attempts         integer not null check (attempts >= 1),
  created_at       timestamptz not null,
  dead_lettered_at timestamptz not null,
  status           text not null check (status in ('DEAD', 'REPLAYED', 'DISCARDED')),
  resolved_at      timestamptz,
  unique (consumer, message_id)
);
create index messaging_dead_letters_dead on messaging_dead_letters (dead_lettered_at)
  where status = 'DEAD';

-- Where each feed (a source of events copied into the outbox) has got to; its row is locked
-- while a batch is copied, so several processes running the same feed copy each event once.
create table messaging_feeds (
  name       text primary key,
  checkpoint text not null,
  updated_at timestamptz not null default now()
);
