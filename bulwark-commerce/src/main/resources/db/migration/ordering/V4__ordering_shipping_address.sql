-- Orders carry the seed's shipping address; orders placed before it have none (null).
alter table ordering_order_view add column shipping_address jsonb;
