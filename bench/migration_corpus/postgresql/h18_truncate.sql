-- expect: risk.truncate
TRUNCATE orders;
