-- sqldraft sample database: a small online shop.
PRAGMA foreign_keys = ON;

CREATE TABLE customers ( -- people who have an account with the shop
    id INTEGER PRIMARY KEY, -- customer number
    email TEXT NOT NULL UNIQUE, -- login and contact address
    full_name TEXT NOT NULL, -- name as given at sign-up
    country TEXT NOT NULL DEFAULT 'DE', -- ISO 3166 two-letter country code
    created_at TEXT NOT NULL DEFAULT CURRENT_TIMESTAMP -- when the account was opened
);

CREATE TABLE products ( -- items the shop sells
    id INTEGER PRIMARY KEY, -- product number
    sku TEXT NOT NULL UNIQUE, -- stock keeping unit printed on the label
    name TEXT NOT NULL, -- product name shown in the catalogue
    category TEXT NOT NULL, -- catalogue section: books, games, garden, kitchen, toys
    unit_price NUMERIC(10, 2) NOT NULL, -- current list price in EUR
    active INTEGER NOT NULL DEFAULT 1 -- 1 while the product is for sale
);

CREATE TABLE orders ( -- a customer's checkout
    id INTEGER PRIMARY KEY, -- order number
    customer_id INTEGER NOT NULL REFERENCES customers(id), -- who placed the order
    status TEXT NOT NULL DEFAULT 'pending', -- pending, paid, shipped, delivered or cancelled
    ordered_at TEXT NOT NULL, -- when the order was placed (UTC, ISO 8601)
    total_amount NUMERIC(12, 2) NOT NULL -- sum of the order lines in EUR
);
CREATE INDEX ix_orders_customer_id ON orders (customer_id);
CREATE INDEX ix_orders_ordered_at ON orders (ordered_at);

CREATE TABLE order_items ( -- the lines of an order
    order_id INTEGER NOT NULL REFERENCES orders(id), -- the order this line belongs to
    line_no INTEGER NOT NULL, -- position of the line within the order
    product_id INTEGER NOT NULL REFERENCES products(id), -- what was bought
    quantity INTEGER NOT NULL CHECK (quantity > 0), -- how many units
    unit_price NUMERIC(10, 2) NOT NULL, -- price per unit at the time of the order
    PRIMARY KEY (order_id, line_no)
);
CREATE INDEX ix_order_items_product_id ON order_items (product_id);

CREATE TABLE payments ( -- money received for orders
    id INTEGER PRIMARY KEY, -- payment number
    order_id INTEGER NOT NULL REFERENCES orders(id), -- the order paid for
    method TEXT NOT NULL, -- card, paypal or invoice
    amount NUMERIC(12, 2) NOT NULL, -- amount received in EUR
    paid_at TEXT NOT NULL -- when the money arrived (UTC, ISO 8601)
);
CREATE INDEX ix_payments_order_id ON payments (order_id);

CREATE VIEW customer_order_totals AS
SELECT c.id AS customer_id, c.full_name, count(o.id) AS order_count, coalesce(sum(o.total_amount), 0) AS total_spent
FROM customers c LEFT JOIN orders o ON o.customer_id = c.id
GROUP BY c.id, c.full_name;

WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 60)
INSERT INTO customers (id, email, full_name, country, created_at)
SELECT i,
       'customer' || i || '@example.com',
       (CASE i % 6 WHEN 0 THEN 'Ada' WHEN 1 THEN 'Grace' WHEN 2 THEN 'Alan' WHEN 3 THEN 'Edsger'
                   WHEN 4 THEN 'Barbara' ELSE 'Donald' END) || ' ' ||
       (CASE i % 7 WHEN 0 THEN 'Lovelace' WHEN 1 THEN 'Hopper' WHEN 2 THEN 'Turing' WHEN 3 THEN 'Dijkstra'
                   WHEN 4 THEN 'Liskov' WHEN 5 THEN 'Knuth' ELSE 'Hamilton' END),
       CASE i % 5 WHEN 0 THEN 'DE' WHEN 1 THEN 'FR' WHEN 2 THEN 'NL' WHEN 3 THEN 'GB' ELSE 'US' END,
       datetime('2025-01-01', '+' || (i * 3) || ' days')
FROM n;

WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 20)
INSERT INTO products (id, sku, name, category, unit_price, active)
SELECT i,
       'SKU-' || printf('%04d', i),
       CASE i % 5 WHEN 0 THEN 'Book' WHEN 1 THEN 'Board game' WHEN 2 THEN 'Garden hose'
                  WHEN 3 THEN 'Chef knife' ELSE 'Wooden train' END || ' #' || i,
       CASE i % 5 WHEN 0 THEN 'books' WHEN 1 THEN 'games' WHEN 2 THEN 'garden' WHEN 3 THEN 'kitchen' ELSE 'toys' END,
       round(4.5 + (i * 37 % 90) + 0.99, 2),
       CASE WHEN i % 9 = 0 THEN 0 ELSE 1 END
FROM n;

WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 240)
INSERT INTO orders (id, customer_id, status, ordered_at, total_amount)
SELECT i,
       1 + (i * 7) % 60,
       CASE i % 10 WHEN 0 THEN 'cancelled' WHEN 1 THEN 'pending' WHEN 2 THEN 'paid' WHEN 3 THEN 'paid'
                   WHEN 4 THEN 'shipped' ELSE 'delivered' END,
       datetime('2025-03-01', '+' || (i * 31 % 600) || ' hours', '+' || i || ' days'),
       0
FROM n;

WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 240),
     l(line) AS (SELECT 1 UNION ALL SELECT line + 1 FROM l WHERE line < 3)
INSERT INTO order_items (order_id, line_no, product_id, quantity, unit_price)
SELECT n.i, l.line, p.id, 1 + (n.i + l.line) % 4, p.unit_price
FROM n JOIN l ON l.line <= 1 + n.i % 3
JOIN products p ON p.id = 1 + (n.i * 13 + l.line * 5) % 20;

UPDATE orders SET total_amount = (
    SELECT round(sum(quantity * unit_price), 2) FROM order_items WHERE order_items.order_id = orders.id
);

INSERT INTO payments (order_id, method, amount, paid_at)
SELECT id,
       CASE id % 3 WHEN 0 THEN 'card' WHEN 1 THEN 'paypal' ELSE 'invoice' END,
       total_amount,
       datetime(ordered_at, '+2 hours')
FROM orders WHERE status IN ('paid', 'shipped', 'delivered');
