-- expect: none
SET lock_timeout = '3s';
SET statement_timeout = '30s';
ALTER TABLE customer ADD COLUMN nickname text;
