-- expect: none
SET lock_timeout = '3s';
SET statement_timeout = '0';
CREATE INDEX CONCURRENTLY idx_customer_email ON customer (email);
