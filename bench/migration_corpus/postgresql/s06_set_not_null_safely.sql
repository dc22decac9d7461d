-- expect: none
SET lock_timeout = '3s';
SET statement_timeout = '30s';
ALTER TABLE customer ADD CONSTRAINT ck_email_nn CHECK (email IS NOT NULL) NOT VALID;
ALTER TABLE customer VALIDATE CONSTRAINT ck_email_nn;
ALTER TABLE customer ALTER COLUMN email SET NOT NULL;
