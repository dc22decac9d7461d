-- expect: risk.pg_index_not_concurrent
SET lock_timeout = '3s';
DROP INDEX idx_orders_status;
