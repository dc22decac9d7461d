-- expect: none
CREATE VIEW recent_orders AS SELECT id, customer_id FROM orders WHERE created_at > NOW() - INTERVAL 7 DAY;
