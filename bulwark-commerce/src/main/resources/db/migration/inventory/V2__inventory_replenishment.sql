-- Replenishment requests: a product that falls to its reorder point (low_stock_threshold) opens one
-- (at most one open request per product); an operator approves it and later receives the goods,
-- which adds them to stock, or rejects it. Each request is run by an execution of the inventory-replenishment
-- state machine, named by the request's id; task_token is the callback token of the step it waits in.
create table inventory_replenishments (
  id                uuid primary key,
  sku               text not null references inventory_products (sku),
  quantity          integer not null check (quantity > 0),
  status            text not null check (status in ('REQUESTED', 'APPROVED', 'RECEIVED', 'REJECTED')),
  task_token        text,
  received_quantity integer check (received_quantity > 0),
  requested_at      timestamptz not null,
  updated_at        timestamptz not null
);
create unique index inventory_replenishments_open on inventory_replenishments (sku)
  where status in ('REQUESTED', 'APPROVED');
create index inventory_replenishments_by_status on inventory_replenishments (status, requested_at);
