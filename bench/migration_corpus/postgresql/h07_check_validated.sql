-- expect: risk.pg_constraint_validation
ALTER TABLE orders ADD CONSTRAINT ck_total CHECK (total >= 0);
