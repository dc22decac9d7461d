-- expect: risk.pg_cluster
CLUSTER orders USING idx_orders_created;
