-- expect: risk.set_not_null
ALTER TABLE customer ALTER COLUMN email SET NOT NULL;
