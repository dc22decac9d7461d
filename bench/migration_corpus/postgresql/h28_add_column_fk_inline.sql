-- expect: risk.pg_constraint_validation
ALTER TABLE orders ADD COLUMN invoice_id bigint REFERENCES invoice (id);
