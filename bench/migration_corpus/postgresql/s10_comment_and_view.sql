-- expect: none
COMMENT ON TABLE customer IS 'DROP TABLE customer CASCADE is never run';
CREATE VIEW recent_orders AS SELECT id, customer_id FROM orders WHERE created_at > now() - interval '7 days';
