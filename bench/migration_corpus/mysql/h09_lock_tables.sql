-- expect: risk.lock_table
LOCK TABLES orders WRITE;
UPDATE orders SET total = 0 WHERE total < 0;
UNLOCK TABLES;
