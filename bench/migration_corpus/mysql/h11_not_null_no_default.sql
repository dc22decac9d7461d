-- expect: risk.add_column_not_null
ALTER TABLE customer ADD COLUMN tier varchar(20) NOT NULL, ALGORITHM=INSTANT, LOCK=NONE;
