-- expect: risk.lock_table
BEGIN;
LOCK TABLE orders IN ACCESS EXCLUSIVE MODE;
UPDATE orders SET total = 0 WHERE total < 0;
COMMIT;
