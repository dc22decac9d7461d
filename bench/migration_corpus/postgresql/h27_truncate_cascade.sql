-- expect: risk.cascade risk.truncate
TRUNCATE customer CASCADE;
