-- Catalog and inventory context. Stock can never go negative: the check constraints are the last
-- line of defence behind conditional updates.
create table inventory_products (
  sku                 text primary key,
  name                text not null,
  price_minor         bigint not null check (price_minor >= 0),
  currency            char(3) not null,
  low_stock_threshold integer not null check (low_stock_threshold >= 0),
  created_at          timestamptz not null,
  updated_at          timestamptz not null
);

create table inventory_stock (
  sku        text primary key references inventory_products (sku),
  available  integer not null check (available >= 0),
  reserved   integer not null check (reserved >= 0),
  updated_at timestamptz not null
);

create table inventory_reservations (
  id         uuid primary key,
  status     text not null check (status in ('HELD', 'COMMITTED', 'RELEASED', 'EXPIRED')),
  expires_at timestamptz not null,
  created_at timestamptz not null,
  updated_at timestamptz not null
);
create index inventory_reservations_held on inventory_reservations (expires_at) where status = 'HELD';

create table inventory_reservation_lines (
  reservation_id uuid not null references inventory_reservations (id),
  sku            text not null references inventory_products (sku),
  quantity       integer not null check (quantity > 0),
  primary key (reservation_id, sku)
);

-- The context's own event log: InventoryReserved, InsufficientStock, InventoryUpdated, LowStockAlert.
create table inventory_events (
  position    bigserial primary key,
  id          uuid not null unique,
  type        text not null,
  sku         text,
  payload     jsonb not null,
  occurred_at timestamptz not null
);
