"""The schema the validation rule fixtures run against, created for real in each dialect."""

from __future__ import annotations

TYPES = {
    "postgresql": {"ts": "timestamp", "int": "integer", "text": "text"},
    "mysql": {"ts": "datetime", "int": "integer", "text": "text"},
    "sqlite": {"ts": "timestamp", "int": "INTEGER", "text": "TEXT"},
}


def fixture_ddl(dialect: str) -> list[str]:
    t = TYPES[dialect]
    audit = (
        '"AuditLog" ("Id" integer PRIMARY KEY, "Message" text)'
        if dialect != "mysql"
        else "AuditLog (Id integer PRIMARY KEY, Message text)"
    )
    return [
        f"CREATE TABLE customers (id {t['int']} PRIMARY KEY, email varchar(200) NOT NULL UNIQUE, "
        f"full_name varchar(200) NOT NULL, country varchar(2) DEFAULT 'DE', created_at {t['ts']})",
        f"CREATE TABLE products (id {t['int']} PRIMARY KEY, sku varchar(40) NOT NULL, name varchar(200) NOT NULL, "
        f"category varchar(40), unit_price numeric(10,2) NOT NULL, active integer NOT NULL DEFAULT 1)",
        f"CREATE TABLE orders (id {t['int']} PRIMARY KEY, customer_id integer NOT NULL REFERENCES customers (id), "
        f"status varchar(20) NOT NULL DEFAULT 'pending', ordered_at {t['ts']} NOT NULL, "
        f"total_amount numeric(12,2) NOT NULL, shipped_at {t['ts']} NULL, note {t['text']})",
        "CREATE INDEX ix_orders_customer_id ON orders (customer_id)",
        "CREATE INDEX ix_orders_ordered_at ON orders (ordered_at)",
        "CREATE TABLE order_items (order_id integer NOT NULL REFERENCES orders (id), line_no integer NOT NULL, "
        "product_id integer NOT NULL REFERENCES products (id), quantity integer NOT NULL, "
        "unit_price numeric(10,2) NOT NULL, PRIMARY KEY (order_id, line_no))",
        f"CREATE TABLE refunds (id {t['int']} PRIMARY KEY, order_id integer REFERENCES orders (id), "
        "customer_id integer, amount numeric(12,2))",
        f"CREATE TABLE events (id {t['int']} PRIMARY KEY, kind varchar(40), payload {t['text']}, created_at {t['ts']})",
        "CREATE INDEX ix_events_created_at ON events (created_at)",
        "CREATE VIEW paid_orders AS SELECT id, customer_id, total_amount FROM orders WHERE status = 'paid'",
        f"CREATE TABLE {audit}",
    ]


def fixture_rows(dialect: str) -> list[str]:
    """300 events make it a large table for the tests (threshold 100); the other tables stay small.

    In PostgreSQL every table but ``refunds`` is analysed.
    """
    values = ", ".join(f"({i}, 'kind{i % 7}', 'payload', '2025-01-01 00:00:00')" for i in range(1, 301))
    rows = [f"INSERT INTO events (id, kind, payload, created_at) VALUES {values}"]
    if dialect == "postgresql":
        # refunds stays never analysed: PostgreSQL has no row estimate for it (perf.row_estimates_unknown)
        rows.append('ANALYZE customers, products, orders, order_items, events, "AuditLog"')
    elif dialect == "mysql":
        rows.append("ANALYZE TABLE events, orders, customers")
    return rows
