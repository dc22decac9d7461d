-- expect: risk.drop
DROP SCHEMA archive;
