-- expect: risk.pg_column_type_change
ALTER TABLE orders ALTER COLUMN total TYPE numeric(14,2);
