-- expect: risk.pg_unique_without_index
ALTER TABLE customer ADD CONSTRAINT uq_customer_email UNIQUE (email);
