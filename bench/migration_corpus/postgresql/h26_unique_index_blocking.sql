-- expect: risk.pg_index_not_concurrent
SET lock_timeout = '3s';
CREATE UNIQUE INDEX uq_orders_ref ON orders (reference);
