-- Payment context: one payment per order, charged under a stable idempotency key.
create table payment_payments (
  order_id        uuid primary key,
  idempotency_key text not null unique,
  customer_id     uuid not null,
  amount_minor    bigint not null check (amount_minor > 0),
  currency        char(3) not null,
  status          text not null check (status in ('PENDING', 'CHARGED', 'DECLINED', 'REFUNDED', 'VOIDED', 'UNKNOWN')),
  charge_id       text,
  reason          text,
  attempts        integer not null default 0,
  created_at      timestamptz not null,
  updated_at      timestamptz not null
);
