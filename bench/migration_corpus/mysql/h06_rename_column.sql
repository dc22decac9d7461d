-- expect: risk.rename
ALTER TABLE customer RENAME COLUMN email TO email_address, ALGORITHM=INSTANT, LOCK=DEFAULT;
