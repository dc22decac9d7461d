-- expect: risk.set_not_null
ALTER TABLE customer ADD CONSTRAINT ck_email_nn CHECK (email IS NOT NULL) NOT VALID;
ALTER TABLE customer ALTER COLUMN email SET NOT NULL;
