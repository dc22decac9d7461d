-- expect: risk.rename
ALTER TABLE customer RENAME TO client;
