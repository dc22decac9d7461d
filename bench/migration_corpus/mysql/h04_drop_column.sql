-- expect: risk.drop_column
ALTER TABLE customer DROP COLUMN fax, ALGORITHM=INPLACE, LOCK=NONE;
