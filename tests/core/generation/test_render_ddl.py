"""The DDL sqldraft shows (describe_table, prompts, schema resources) is valid SQL, with index methods."""

import pglast
import sqlglot

from core.domain.schema import Dialect
from core.generation.render import render_table
from core.introspection import introspect
from core.introspection.targets import TargetConfig, connect
from tests.support.servers import run_mariadb, run_pg

FILM_PG = [
    "CREATE EXTENSION IF NOT EXISTS btree_gist",
    "CREATE TYPE mpaa_rating AS ENUM ('G', 'PG', 'PG-13', 'R', 'NC-17')",
    "CREATE TABLE film (film_id int PRIMARY KEY, title text NOT NULL, rating mpaa_rating DEFAULT 'G', "
    "fulltext tsvector, tags text[], during tsrange, length smallint)",
    "COMMENT ON TABLE film IS 'Films; the catalogue'",
    "COMMENT ON COLUMN film.rating IS 'MPAA rating'",
    "CREATE INDEX film_fulltext_idx ON film USING gist (fulltext)",
    "CREATE INDEX film_tags_idx ON film USING gin (tags)",
    "CREATE INDEX film_title_idx ON film (title)",
]


def _table(url: str, dialect: Dialect, scheme: str, key: str):
    schema, _, name = key.rpartition(".")
    tables = _snapshot(url, dialect, scheme).tables
    (found,) = [t for t in tables if t.name == name and (not schema or t.schema == schema)]
    return found


def _snapshot(url: str, dialect: Dialect, scheme: str):
    driver = {"postgresql": "postgresql+psycopg", "mysql": "mysql+pymysql"}[scheme]
    target = TargetConfig(name="t", dialect=dialect, url=url.replace(f"{scheme}://", f"{driver}://"), password=None)
    with connect(target) as conn:
        return introspect(conn, dialect)


def test_the_ddl_of_a_table_with_an_enum_and_comments_parses_and_round_trips_on_postgres(pg_url):
    run_pg(pg_url, *FILM_PG)
    film = _table(pg_url, Dialect.POSTGRESQL, "postgresql", "public.film")
    ddl = render_table(film, Dialect.POSTGRESQL, qualify=False)
    assert "one of: G, PG, PG-13, R, NC-17" in ddl  # the labels are still there, in a comment
    (statement, *_) = pglast.parse_sql(ddl)
    assert statement.stmt.relation.relname == "film"
    assert sqlglot.parse(ddl, read="postgres")[0].this.this.name == "film"
    run_pg(
        pg_url,
        "CREATE SCHEMA copy",
        "SET search_path = copy, public",
        ddl.replace("CREATE TABLE film", "CREATE TABLE copy.film"),
    )
    copied = _table(pg_url, Dialect.POSTGRESQL, "postgresql", "copy.film")
    assert [(c.name, c.type, c.nullable) for c in copied.columns] == [
        (c.name, c.type, c.nullable) for c in film.columns
    ]
    assert copied.primary_key == film.primary_key == ["film_id"]


def test_postgres_index_methods_are_recorded_and_shown(pg_url):
    run_pg(pg_url, *FILM_PG)
    film = _table(pg_url, Dialect.POSTGRESQL, "postgresql", "public.film")
    methods = {ix.name: ix.method for ix in film.indexes}
    assert methods["film_fulltext_idx"] == "gist" and methods["film_tags_idx"] == "gin"
    assert methods["film_title_idx"] is None  # btree, the default
    assert "gin (tags)" in render_table(film, Dialect.POSTGRESQL, qualify=False)


def test_mariadb_fulltext_indexes_and_enums_are_recorded_and_the_ddl_parses(mariadb_url):
    run_mariadb(
        mariadb_url,
        "CREATE TABLE film (film_id int PRIMARY KEY, title varchar(200) NOT NULL, description text, "
        "rating enum('G','PG','PG-13','R','NC-17') DEFAULT 'G' COMMENT 'MPAA rating', "
        "FULLTEXT KEY ft_text (title, description), KEY ix_title (title)) ENGINE=InnoDB",
    )
    film = _table(mariadb_url, Dialect.MYSQL, "mysql", "film")
    methods = {ix.name: ix.method for ix in film.indexes}
    assert methods["ft_text"] == "fulltext" and methods["ix_title"] is None
    ddl = render_table(film, Dialect.MYSQL, qualify=False)
    assert "fulltext (title, description)" in ddl
    assert sqlglot.parse(ddl, read="mysql")[0].this.this.name == "film", ddl
