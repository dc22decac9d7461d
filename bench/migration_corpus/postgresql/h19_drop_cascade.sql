-- expect: risk.cascade risk.drop
DROP TABLE customer CASCADE;
