-- expect: none
SET lock_timeout = '3s';
SET statement_timeout = '30s';
ALTER TABLE orders ADD COLUMN channel text NOT NULL DEFAULT 'web';
