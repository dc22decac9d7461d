-- expect: risk.pg_reindex_not_concurrent
REINDEX TABLE orders;
