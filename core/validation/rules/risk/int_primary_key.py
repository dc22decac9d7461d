"""risk.int_primary_key: A single-column primary key of type integer or serial runs out at 2^31 - 1 (about
2.1 billion); bigint (or bigint GENERATED ... AS IDENTITY) costs 4 bytes more and never needs the rewrite.
"""

from __future__ import annotations

from sqlglot import exp

from core.validation.context import StatementContext
from core.validation.model import Category, RiskLevel, Severity
from core.validation.rules import MY, PG, Rule

SMALL_INTEGERS = {
    exp.DataType.Type.INT,
    exp.DataType.Type.UINT,
    exp.DataType.Type.SMALLINT,
    exp.DataType.Type.USMALLINT,
    exp.DataType.Type.MEDIUMINT,
    exp.DataType.Type.UMEDIUMINT,
    exp.DataType.Type.TINYINT,
    exp.DataType.Type.UTINYINT,
    exp.DataType.Type.SERIAL,
    exp.DataType.Type.SMALLSERIAL,
}


def check(ctx: StatementContext) -> None:
    tree = ctx.tree
    defs: list[exp.ColumnDef] = []
    if isinstance(tree, exp.Create) and str(tree.args.get("kind") or "").upper() == "TABLE":
        schema = tree.this
        if isinstance(schema, exp.Schema):
            defs = [e for e in schema.expressions if isinstance(e, exp.ColumnDef)]
            keys = [e for e in schema.expressions if isinstance(e, exp.PrimaryKey)]
            if keys and len(keys[0].expressions) == 1:
                wanted = keys[0].expressions[0].name.lower()
                _judge(ctx, [d for d in defs if d.name.lower() == wanted])
    elif isinstance(tree, exp.Alter):
        defs = [a for a in tree.args.get("actions") or [] if isinstance(a, exp.ColumnDef)]
    _judge(ctx, [d for d in defs if _inline_key(d)])


def _inline_key(coldef: exp.ColumnDef) -> bool:
    kinds = [c.args.get("kind") for c in coldef.args.get("constraints") or []]
    return any(isinstance(k, exp.PrimaryKeyColumnConstraint) for k in kinds) and not any(
        isinstance(k, exp.Reference) for k in kinds
    )


def _judge(ctx: StatementContext, defs: list[exp.ColumnDef]) -> None:
    for coldef in defs:
        kind = coldef.args.get("kind")
        if isinstance(kind, exp.DataType) and kind.this in SMALL_INTEGERS:
            ctx.report(
                "risk.int_primary_key",
                f"primary key {coldef.name} is {kind.sql(ctx.dialect.sqlglot)}: it runs out at about 2.1 billion "
                "rows (less for smaller types)",
                coldef,
                "use bigint GENERATED ALWAYS AS IDENTITY (PostgreSQL) or BIGINT AUTO_INCREMENT (MySQL)",
            )


RULE = Rule(
    "risk.int_primary_key",
    Category.RISK,
    Severity.INFO,
    description=(
        "A single-column primary key of type integer or serial runs out at 2^31 - 1; bigint (or "
        "bigint identity) avoids a later rewrite of the table and of every foreign key to it."
    ),
    example="CREATE TABLE notes (id serial PRIMARY KEY, body text)",
    dialects=PG + MY,
    risk=RiskLevel.LOW,
    check=check,
)
