-- expect: risk.pg_index_not_concurrent
CREATE INDEX idx_customer_email ON customer (email);
