-- The tables the corpus migrates (the benchmark creates them in a scratch database and snapshots it).
CREATE TABLE customer (id bigint PRIMARY KEY, email text, fax text, age integer);
CREATE TABLE orders (id bigint PRIMARY KEY, customer_id bigint, total numeric(12,2), status text,
  reference text, created_at timestamptz DEFAULT now());
CREATE INDEX idx_orders_status ON orders (status);
CREATE INDEX idx_orders_created ON orders (created_at);
CREATE TABLE legacy_events (id bigint PRIMARY KEY, payload text);
CREATE TABLE audit_log (id bigint NOT NULL, message text);
