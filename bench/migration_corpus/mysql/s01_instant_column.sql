-- expect: none
ALTER TABLE customer ADD COLUMN nickname varchar(80) NULL, ALGORITHM=INSTANT, LOCK=DEFAULT;
