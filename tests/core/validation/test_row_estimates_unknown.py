"""perf.row_estimates_unknown: said once per script, naming every never-analysed table; gone after ANALYZE."""

from core.domain.schema import Dialect
from core.validation.engine import Validator
from core.validation.names import SchemaIndex
from tests.core.validation.conftest import TEST_SETTINGS, _snapshot
from tests.support.servers import pg_database, run_pg


def _findings(result):
    return [f for f in result.findings if f.rule == "perf.row_estimates_unknown"]


def test_said_once_per_script_for_all_unanalysed_tables(validator_for):
    result = validator_for("postgresql").validate("SELECT id FROM refunds; SELECT order_id FROM refunds", "dml")
    [finding] = _findings(result)
    assert finding.severity.value == "info" and "refunds" in finding.message
    assert finding.suggestion == "run ANALYZE refunds; then refresh the snapshot"
    assert result.status.value != "fail"


def test_analyse_then_refresh_and_the_size_rules_judge_the_table_again():
    with pg_database() as url:
        run_pg(
            url,
            "CREATE TABLE big (id integer PRIMARY KEY, kind text)",
            "INSERT INTO big SELECT g, 'k' || (g % 5) FROM generate_series(1, 500) g",
        )
        before = Validator(SchemaIndex(_snapshot(Dialect.POSTGRESQL, url)), settings=TEST_SETTINGS)
        sql = "SELECT id FROM big WHERE kind = 'k1'"
        unanalysed = before.validate(sql, "query")
        assert [f.suggestion for f in _findings(unanalysed)] == ["run ANALYZE big; then refresh the snapshot"]
        assert not any(f.rule == "perf.unindexed_filter" for f in unanalysed.findings)  # switched off, but said
        run_pg(url, "ANALYZE big")
        after = Validator(SchemaIndex(_snapshot(Dialect.POSTGRESQL, url)), settings=TEST_SETTINGS)
        analysed = after.validate(sql, "query")
        assert not _findings(analysed)
        assert any(f.rule == "perf.unindexed_filter" for f in analysed.findings)
