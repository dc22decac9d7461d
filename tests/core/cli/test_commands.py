import csv
import json

from core.cli.render import HINTS
from core.crypto import Cipher
from core.errors import Hint
from tests.support.cli import run_cli
from tests.support.servers import run_sqlite


def test_init_writes_a_key_once_and_creates_the_store(monkeypatch, tmp_path):
    monkeypatch.setenv("SQLDRAFT_STORE_URL", f"sqlite:///{tmp_path / 'store.db'}")
    result = run_cli("init")
    assert result.code == 0, result.err
    assert "keep it safe" in result.err
    config = tmp_path / "config" / "sqldraft" / "sqldraft.env"  # $XDG_CONFIG_HOME set by tests/conftest.py
    env = config.read_text()
    key = env.split("SQLDRAFT_SECRET_KEY=", 1)[1].splitlines()[0].strip()
    assert Cipher(key).configured
    assert "created the store" in result.out
    again = run_cli("init")
    assert again.code == 0 and "up to date" in again.out and "keep it safe" not in again.err
    assert config.read_text() == env


def test_init_refuses_a_corrupt_key_and_changes_nothing(monkeypatch, tmp_path):
    monkeypatch.setenv("SQLDRAFT_STORE_URL", f"sqlite:///{tmp_path / 'store.db'}")
    monkeypatch.setenv("SQLDRAFT_SECRET_KEY", "garbage")
    result = run_cli("init")
    assert result.code == 2
    assert result.err.count("\n") == 1 and "not a valid Fernet key" in result.err
    assert not (tmp_path / "store.db").exists()


def test_connections_round_trip_with_json(cli_env, tmp_path, monkeypatch):
    db = str(tmp_path / "t.db")
    run_sqlite(db, "CREATE TABLE a (id INTEGER PRIMARY KEY, name TEXT)")
    assert run_cli("connections", "add", "lite", f"sqlite:///{db}", "--refresh", "1h").code == 0
    monkeypatch.setenv("PGPASS_TEST", "s3cret-pw")
    added = run_cli(
        "connections",
        "add",
        "pg",
        "postgresql://app@db.example:5432/x",
        "--password-env",
        "PGPASS_TEST",
        "--schemas",
        "sales,ops",
        "--json",
    )
    assert added.code == 0, added.err
    data = added.json()
    assert data["has_password"] and "s3cret-pw" not in added.out
    listed = run_cli("connections", "list", "--json").json()
    assert [c["name"] for c in listed] == ["lite", "pg"]
    assert listed[1]["options"]["include_schemas"] == ["sales", "ops"]
    verify = run_cli("connections", "verify", "lite", "--json")
    assert verify.code == 0 and verify.json()["ok"] is True
    refreshed = run_cli("snapshot", "refresh", "lite", "--json")
    assert refreshed.code == 0 and refreshed.json()["status"] == "created"
    shown = run_cli("snapshot", "show", "lite", "--tables")
    assert "a" in shown.out and "snapshot #1" in shown.out
    detail = run_cli("snapshot", "show", "lite", "--table", "A", "--json").json()
    assert [c["name"] for c in detail["columns"]] == ["id", "name"]
    run_sqlite(db, "ALTER TABLE a ADD COLUMN email TEXT")
    assert run_cli("snapshot", "refresh", "--all").code == 2  # pg is unreachable: reported, exit 2
    diff = run_cli("snapshot", "diff", "lite", "--json").json()
    assert diff["diff"]["tables_changed"][0]["columns_added"] == ["email"]
    assert run_cli("connections", "remove", "pg").code == 0
    assert [c["name"] for c in run_cli("connections", "list", "--json").json()] == ["lite"]


def _one_line_error(result, *needles):
    assert result.code == 2, result.out
    assert result.err.count("\n") == 1, result.err
    assert "Traceback" not in result.err
    for needle in needles:
        assert needle in result.err, result.err


def test_bad_input_is_one_clear_line_with_exit_code_2(cli_env, tmp_path):
    _one_line_error(run_cli("connections", "add", "bad name", "sqlite:///x.db"), "no spaces")
    _one_line_error(run_cli("connections", "add", "x", "mssql://h/db"), "unknown dialect 'mssql'")
    _one_line_error(
        run_cli("connections", "add", "x", "postgresql://u@h/db", "--password-env", "NOPE_NOT_SET"),
        "NOPE_NOT_SET is not set",
    )
    _one_line_error(
        run_cli("connections", "add", "x", "postgresql://u@h/db", "--password-file", str(tmp_path / "nope")),
        "cannot read the password file",
    )
    _one_line_error(run_cli("connections", "verify", "ghost"), "unknown connection 'ghost'")
    _one_line_error(run_cli("snapshot", "show", "ghost"), "unknown connection 'ghost'")
    _one_line_error(run_cli("connections", "add", "x", "postgresql://u@h/db", "--refresh", "often"), "refresh schedule")
    assert run_cli("connections", "list", "--json").json() == []


def test_a_password_file_is_read_and_never_printed(cli_env, tmp_path):
    secret = tmp_path / "pw"
    secret.write_text("file-secret\n")
    result = run_cli("connections", "add", "pg", "postgresql://u@127.0.0.1:1/db", "--password-file", str(secret))
    assert result.code == 0
    verify = run_cli("connections", "verify", "pg")
    assert verify.code == 2 and "file-secret" not in verify.out + verify.err


def test_an_unexpected_error_shows_an_incident_id_not_a_traceback(cli_env, monkeypatch):
    from core.service import Copilot

    def explode(self):
        raise RuntimeError("boom at /secret/path")

    monkeypatch.setattr(Copilot, "list_connections", explode)
    result = run_cli("connections", "list")
    _one_line_error(result, "incident")
    assert "boom" not in result.err
    debug = run_cli("connections", "list", "--debug")
    assert "Traceback" in debug.err and debug.code == 2


def test_the_demo_runs_on_embedded_defaults(tmp_path):
    result = run_cli("demo")
    assert result.code == 0, result.err
    for table in ("customers", "orders", "order_items", "products", "payments"):
        assert table in result.out
    assert "refreshed again: unchanged" in result.out and "sqldraft-mcp" in result.out
    data = json.loads(run_cli("demo", "--json").out)
    assert data["snapshot"]["status"] == "created"


def test_validate_exits_1_on_fail_and_reads_files_and_stdin(cli_env, tmp_path, monkeypatch):
    import io

    db = str(tmp_path / "t.db")
    run_sqlite(db, "CREATE TABLE items (id INTEGER PRIMARY KEY, name TEXT)")
    run_cli("connections", "add", "lite", f"sqlite:///{db}")
    run_cli("snapshot", "refresh", "lite")
    good = run_cli("validate", "lite", "--sql", "SELECT id, name FROM items WHERE id = 1")
    assert good.code == 0 and good.out.startswith("PASS")
    bad = run_cli("validate", "lite", "--sql", "SELECT nme FROM items", "--json")
    assert bad.code == 1 and bad.json()["findings"][0]["rule"] == "schema.unknown_column"
    migration = tmp_path / "m.sql"
    migration.write_text("ALTER TABLE items ADD COLUMN price NUMERIC;\nDROP TABLE items;\n")
    ddl = run_cli("validate", "lite", "--file", str(migration), "--mode", "ddl", "--json")
    assert ddl.code == 0 and ddl.json()["risk_level"] == "high"
    monkeypatch.setattr("sys.stdin", io.TextIOWrapper(io.BytesIO(b"SELECT id FROM items")))
    assert run_cli("validate", "lite", "--file", "-").code == 0
    assert run_cli("validate", "--dialect", "mysql", "--sql", "SELECT 1 /*! ; DROP TABLE t */").code == 1


def test_validate_bad_input_is_one_line(cli_env, tmp_path):
    latin = tmp_path / "latin.sql"
    latin.write_bytes(b"SELECT 'caf\xe9'")
    _one_line_error(run_cli("validate", "--dialect", "sqlite", "--file", str(latin)), "not valid UTF-8 (byte 11)")
    _one_line_error(run_cli("validate", "--dialect", "sqlite", "--sql", "-- just a comment"), "only comments")
    _one_line_error(run_cli("validate", "--dialect", "sqlite", "--sql", ""), "empty")
    _one_line_error(run_cli("validate", "--dialect", "db2", "--sql", "SELECT 1"), "unknown dialect 'db2'")
    _one_line_error(run_cli("validate", "ghost", "--sql", "SELECT 1"), "unknown connection 'ghost'")
    _one_line_error(run_cli("validate", "--dialect", "sqlite"), "nothing to validate")
    huge = tmp_path / "huge.sql"
    huge.write_text("SELECT 1;\n" * 120_000)
    _one_line_error(run_cli("validate", "--dialect", "sqlite", "--file", str(huge)), "too large")


def test_hinted_errors_name_the_command_or_option_to_use(cli_env, tmp_path):
    assert set(HINTS) == set(Hint)
    _one_line_error(
        run_cli("validate", "--sql", "SELECT 1"),
        "sqldraft: no connection and no dialect to check against: "
        "name a connection, or give --dialect to check syntax and risk without one",
    )
    run_cli("connections", "add", "fresh", f"sqlite:///{tmp_path / 'nothing.db'}")
    _one_line_error(
        run_cli("validate", "fresh", "--sql", "SELECT 1"),
        "sqldraft: connection 'fresh' has no snapshot yet: take one with `sqldraft snapshot refresh fresh`",
    )


def test_draft_and_drafts_commands(cli_env, tmp_path, monkeypatch):
    from core.demo import create_sample_database

    monkeypatch.setenv("SQLDRAFT_GENERATOR", "offline")
    db = create_sample_database(tmp_path / "shop.db")
    run_cli("connections", "add", "shop", f"sqlite:///{db}")
    run_cli("snapshot", "refresh", "shop")
    made = run_cli("draft", "shop", "How many orders per status?", "--json")
    assert made.code == 0, made.err
    data = made.json()
    assert data["status"] == "completed" and data["requester"].startswith("cli:")
    shown = run_cli("drafts", "show", data["id"])
    assert shown.code == 0 and "GROUP BY" in shown.out and "attempts:" in shown.out
    _one_line_error(run_cli("drafts", "cancel", data["id"]), "only a queued or running draft can be canceled")
    _one_line_error(run_cli("drafts", "retry", data["id"]), "only a failed draft can be retried")
    _one_line_error(run_cli("drafts", "show", "nope"), "is not a draft id")
    _one_line_error(run_cli("draft", "shop", "   "), "the request is blank")
    _one_line_error(run_cli("draft", "shop", "orders", "--mode", "write"), "unknown mode 'write'")
    monkeypatch.setenv("SQLDRAFT_GENERATOR", "llm")
    _one_line_error(run_cli("draft", "shop", "orders per status"), "SQLDRAFT_LLM_MODEL")


def test_the_demo_drafts_three_requests(tmp_path):
    data = json.loads(run_cli("demo", "--json").out)
    assert len(data["drafts"]) == 3
    assert all(d["status"] == "completed" and d["validation"]["status"] == "pass" for d in data["drafts"])


def test_review_history_examples_and_audit_commands(cli_env, tmp_path, monkeypatch):
    from core.demo import create_sample_database

    monkeypatch.setenv("SQLDRAFT_GENERATOR", "offline")
    db = create_sample_database(tmp_path / "shop.db")
    run_cli("connections", "add", "shop", f"sqlite:///{db}")
    run_cli("snapshot", "refresh", "shop")
    first = run_cli("draft", "shop", "How many orders per status?", "--json").json()["id"]
    second = run_cli("draft", "shop", "latest 10 payments", "--json").json()["id"]
    approved = run_cli("review", first, "approve", "--note", "ok")
    assert approved.code == 0 and "approved by cli:" in approved.out
    final = tmp_path / "final.sql"
    final.write_text("SELECT id, amount FROM payments ORDER BY paid_at DESC LIMIT 3")
    edited = run_cli("review", second, "edit", "--file", str(final))
    assert edited.code == 0 and "+++ final.sql" in edited.out and "re-validated" in edited.out
    _one_line_error(run_cli("review", first, "reject"), "already approved by cli:")
    _one_line_error(run_cli("review", first, "approve", "--sql", "SELECT 1"), "go with 'edit' only")
    _one_line_error(run_cli("review", "dzzzzzzzzz", "approve"), "no draft with id")
    page = run_cli("history", "--review", "approved", "--json").json()
    assert [r["id"] for r in page["items"]] == [first] and page["total"] == 1
    listing = run_cli("history")
    assert "page 1 of 1 (2 drafts)" in listing.out
    detail = run_cli("history", second)
    assert "review trail:" in detail.out and "+SELECT id, amount FROM payments" in detail.out
    assert "review.edited" in detail.out
    out_file = tmp_path / "h.csv"
    assert run_cli("history", "--export", "csv", "--output", str(out_file)).code == 0
    exported = list(csv.DictReader(out_file.open(newline="")))
    assert [r["id"] for r in exported] == [second, first]
    assert exported[0]["final_script"] == final.read_text() and exported[1]["final_script"] == ""
    _one_line_error(run_cli("history", "--page-size", "500"), "use 1 to 100")
    _one_line_error(run_cli("history", "--sort", "size"), "unknown sort key 'size'")
    _one_line_error(run_cli("history", "--risk", "extreme"), "risk level 'extreme' is not one of its values")
    _one_line_error(run_cli("history", "--from", "yesterday"), "is not a date")
    _one_line_error(run_cli("history", "--final", "maybe"), "is not yes or no")
    examples = run_cli("examples", "list", "shop", "--json").json()
    assert {e["draft_id"] for e in examples} == {first, second}
    added = run_cli("examples", "add", "shop", "--request", "all products", "--sql", "SELECT id, name FROM products")
    assert added.code == 0
    _one_line_error(
        run_cli("examples", "add", "shop", "--request", "x", "--sql", "SELECT nope FROM products"), "does not validate"
    )
    assert run_cli("examples", "remove", "3").code == 0
    events = run_cli("audit", "--draft", first, "--json").json()
    assert [e["kind"] for e in events][-2:] == ["review.approved", "example.added"]
    assert run_cli("connections", "set", "shop", "--approvers", "cli:boss", "--allow-self-approval", "no").code == 0
    _one_line_error(run_cli("connections", "set", "shop", "--approvers", "boss"), "is not a principal")
    third = run_cli("draft", "shop", "How many customers are there?", "--json").json()["id"]
    _one_line_error(run_cli("review", third, "approve"), "may not review drafts on this connection")
