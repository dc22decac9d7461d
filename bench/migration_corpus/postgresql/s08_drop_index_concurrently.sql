-- expect: none
SET lock_timeout = '3s';
-- sqldraft: allow risk.drop reason=unused since 2026-10 (idx_scan = 0 in pg_stat_user_indexes)
DROP INDEX CONCURRENTLY IF EXISTS idx_orders_status;
