-- expect: risk.truncate
TRUNCATE TABLE orders;
