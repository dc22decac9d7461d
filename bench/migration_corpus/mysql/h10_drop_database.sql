-- expect: risk.drop
DROP DATABASE reporting;
