-- expect: risk.drop
DROP TABLE legacy_events;
