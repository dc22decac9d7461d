-- expect: risk.add_column_not_null
ALTER TABLE customer ADD COLUMN tier text NOT NULL;
