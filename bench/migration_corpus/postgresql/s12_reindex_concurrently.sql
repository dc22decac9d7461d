-- expect: none
REINDEX INDEX CONCURRENTLY idx_orders_created;
