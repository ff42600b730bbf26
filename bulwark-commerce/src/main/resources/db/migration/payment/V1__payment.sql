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
  refund_requested boolean not null default false,
  created_at      timestamptz not null,
  updated_at      timestamptz not null
);
create index payment_payments_refunds on payment_payments (order_id) where refund_requested and status not in ('REFUNDED', 'VOIDED', 'DECLINED');
