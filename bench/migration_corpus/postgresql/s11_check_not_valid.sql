-- expect: none
SET lock_timeout = '3s';
SET statement_timeout = '30s';
ALTER TABLE orders ADD CONSTRAINT ck_total CHECK (total >= 0) NOT VALID;
