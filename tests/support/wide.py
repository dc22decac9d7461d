"""A wide synthetic schema for tests: N tables, each with a foreign key to an earlier one and an index."""

from __future__ import annotations


def wide_ddl(n: int, dialect: str) -> list[str]:
    out = []
    for i in range(n):
        cols = ["id bigint primary key", "code varchar(40)", "amount numeric(12,2)", "created_at date"]
        fk = ""
        if i:
            parent = (i * 7) % i
            cols.append(f"t{parent:05d}_id bigint")
            fk = f", foreign key (t{parent:05d}_id) references t{parent:05d}(id)"
        out.append(f"create table t{i:05d} ({', '.join(cols)}{fk})")
        if i:
            out.append(f"create index ix_t{i:05d}_parent on t{i:05d} (t{(i * 7) % i:05d}_id)")
    return out
