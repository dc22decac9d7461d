"""Core errors say what went wrong in words no adapter owns; what to do is a structured hint."""

import argparse
import ast
import re
from pathlib import Path

import pytest
from alembic import command

from core.cli.app import build_parser
from core.crypto import Cipher
from core.domain.connections import ConnectionOptions
from core.errors import Hint, HintRef, NotFound, SqldraftError
from core.store import Store
from core.store.db import _alembic_config

CORE = Path(__file__).resolve().parents[2] / "core"


def _commands() -> list[str]:
    parser = build_parser()
    (sub,) = [a for a in parser._actions if isinstance(a, argparse._SubParsersAction)]
    return sorted(sub.choices)


ADAPTER_TERMS = re.compile(rf"\bsqldraft (?:{'|'.join(_commands())})\b|`sqldraft|--[a-z]")
"""A command (`sqldraft snapshot ...`), or an option (`--force`); "sqldraft" alone is the product's name."""


def _raised(call) -> SqldraftError:
    with pytest.raises(SqldraftError) as caught:
        call()
    return caught.value


def _assert_neutral(error: SqldraftError) -> None:
    assert not ADAPTER_TERMS.search(error.message), error.message


def test_hinted_errors_from_the_services_name_no_command_or_option(shop_copilot_factory, tmp_path):
    copilot = shop_copilot_factory(generator="offline")
    copilot.draft("shop", "How many orders per status?", requester="cli:ada")
    copilot.add_connection("fresh", f"sqlite:///{tmp_path / 'nothing.db'}")
    expected = [
        (lambda: copilot.current_schema("fresh"), HintRef(Hint.REFRESH_SNAPSHOT, "fresh")),
        (lambda: copilot.diff_snapshots("fresh"), HintRef(Hint.REFRESH_SNAPSHOT, "fresh")),
        (lambda: copilot.validate("SELECT 1", connection="fresh"), HintRef(Hint.REFRESH_SNAPSHOT, "fresh")),
        (lambda: copilot.draft("fresh", "orders", requester="cli:ada"), HintRef(Hint.REFRESH_SNAPSHOT, "fresh")),
        (lambda: copilot.validate("SELECT 1"), HintRef(Hint.GIVE_DIALECT)),
        (lambda: copilot.validate("SELECT 1", connection="shop", dialect="mysql"), HintRef(Hint.OMIT_DIALECT)),
        (lambda: copilot.get_draft("dzzzzzzzzz"), HintRef(Hint.LIST_DRAFTS)),
        (lambda: copilot.get_draft("42; DROP TABLE drafts"), HintRef(Hint.LIST_DRAFTS)),
        (lambda: copilot.remove_example(4242, principal="cli:ada"), HintRef(Hint.LIST_EXAMPLES)),
        (lambda: copilot.remove_connection("shop"), HintRef(Hint.USE_FORCE, "shop")),
    ]
    for call, hint in expected:
        error = _raised(call)
        assert error.hints == (hint,), error
        _assert_neutral(error)
    blank = _raised(
        lambda: copilot.add_connection(
            "pg", "postgresql://u@h/db", password="x", options=ConnectionOptions(include_schemas=[" "])
        )
    )
    assert "is blank" in blank.message
    _assert_neutral(blank)


def test_no_connections_yet_hints_to_add_one(copilot):
    error = _raised(lambda: copilot.get_connection("ghost"))
    assert isinstance(error, NotFound) and error.hints == (HintRef(Hint.ADD_CONNECTION),)
    _assert_neutral(error)


def test_key_and_store_errors_hint_at_the_fix_without_naming_it(tmp_path):
    for call in (lambda: Cipher("not-a-key"), lambda: Cipher(None).encrypt("secret")):
        error = _raised(call)
        assert error.hints == (HintRef(Hint.GENERATE_KEY),)
        _assert_neutral(error)
    store = Store(f"sqlite:///{tmp_path / 'old.db'}")
    with store.engine.begin() as conn:
        command.upgrade(_alembic_config(conn), "0001")
    error = _raised(store.ensure_ready)
    store.dispose()
    assert error.hints == (HintRef(Hint.UPGRADE_STORE),)
    _assert_neutral(error)


def test_a_hint_is_rendered_after_the_message_in_the_terms_given():
    error = NotFound("no snapshot of 'shop' yet", hints=[HintRef(Hint.REFRESH_SNAPSHOT, "shop"), Hint.LIST_DRAFTS])
    phrases = {Hint.REFRESH_SNAPSHOT: "refresh {arg}", Hint.LIST_DRAFTS: "list drafts"}
    assert error.render(phrases) == "no snapshot of 'shop' yet: refresh shop; list drafts"
    assert str(error) == "no snapshot of 'shop' yet"
    explained = NotFound("'x' is not a draft id: ids look like d7k3m4x2pq", hints=[Hint.LIST_DRAFTS])
    assert explained.render(phrases) == "'x' is not a draft id: ids look like d7k3m4x2pq; list drafts"
    assert NotFound("no draft").render(phrases) == "no draft"


def _error_names() -> set[str]:
    import core.errors

    return {
        name
        for name, value in vars(core.errors).items()
        if isinstance(value, type) and issubclass(value, SqldraftError)
    }


def test_no_error_raised_in_core_names_a_command_or_option():
    """Supplement to the tests above: every literal in a core ``raise SomeError(...)`` outside the CLI."""
    names = _error_names()
    offenders = []
    for path in CORE.rglob("*.py"):
        if "cli" in path.relative_to(CORE).parts:
            continue  # the command line is an adapter: it names its own commands and options
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if not (isinstance(node, ast.Raise) and isinstance(node.exc, ast.Call)):
                continue
            func = node.exc.func
            if (func.id if isinstance(func, ast.Name) else getattr(func, "attr", None)) not in names:
                continue
            for arg in node.exc.args:
                for literal in ast.walk(arg):
                    text = literal.value if isinstance(literal, ast.Constant) else None
                    if isinstance(text, str) and ADAPTER_TERMS.search(text):
                        offenders.append(f"{path.relative_to(CORE)}:{node.lineno}: {text!r}")
    assert offenders == []
