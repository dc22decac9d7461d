-- expect: risk.pg_missing_lock_timeout
ALTER TABLE orders ADD COLUMN note text;
