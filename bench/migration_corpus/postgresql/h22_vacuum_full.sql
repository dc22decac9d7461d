-- expect: risk.pg_vacuum_full
VACUUM FULL orders;
