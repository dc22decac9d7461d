-- The tables the corpus migrates (the benchmark creates them in a scratch database and snapshots it).
CREATE TABLE customer (id bigint PRIMARY KEY, email varchar(200), fax varchar(40));
CREATE TABLE orders (id bigint PRIMARY KEY, customer_id bigint, total decimal(12,2), created_at datetime);
CREATE TABLE legacy_events (id bigint PRIMARY KEY, payload text);
CREATE TABLE audit_log (id bigint NOT NULL, message text);
