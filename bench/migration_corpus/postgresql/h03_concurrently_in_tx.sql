-- expect: risk.pg_concurrently_in_transaction
BEGIN;
CREATE INDEX CONCURRENTLY idx_orders_created ON orders (created_at);
COMMIT;
