-- expect: none
SET lock_timeout = '3s';
SET statement_timeout = '30s';
CREATE UNIQUE INDEX CONCURRENTLY uq_customer_email_idx ON customer (email);
ALTER TABLE customer ADD CONSTRAINT uq_customer_email UNIQUE USING INDEX uq_customer_email_idx;
