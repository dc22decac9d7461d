"""`sqldraft llm status|check` against the fake OpenAI-compatible endpoint on loopback."""

from tests.support.cli import run_cli
from tests.support.fake_llm import closed_port_url

KEY = "sk-cli-test-not-a-real-secret-0123456789"


def use_endpoint(monkeypatch, url, model="fake-model", key=KEY):
    monkeypatch.setenv("SQLDRAFT_LLM_BASE_URL", url)
    monkeypatch.setenv("SQLDRAFT_LLM_MODEL", model)
    monkeypatch.setenv("SQLDRAFT_LLM_API_KEY", key)
    monkeypatch.setenv("SQLDRAFT_LLM_ATTEMPTS", "1")


def test_status_with_nothing_configured_is_offline_and_names_what_the_llm_needs(cli_env):
    result = run_cli("llm", "status")
    assert result.code == 0, result.err
    assert result.out.startswith("offline: deterministic patterns") and "SQLDRAFT_LLM_MODEL" in result.out


def test_status_of_a_partial_setup_names_the_missing_setting_and_exits_2(cli_env, monkeypatch):
    monkeypatch.setenv("SQLDRAFT_LLM_BASE_URL", "http://models.internal:8000/v1")
    result = run_cli("llm", "status", "--json")
    assert result.code == 2
    data = result.json()
    assert data["generator"] == "llm" and data["missing"] == ["SQLDRAFT_LLM_MODEL (or OPENAI_MODEL)"]
    assert data["summary"] == "llm: not configured, set SQLDRAFT_LLM_MODEL (or OPENAI_MODEL)"


def test_status_of_a_complete_setup_names_model_and_host_never_the_key(cli_env, monkeypatch):
    use_endpoint(monkeypatch, "http://models.internal:8000/v1", model="qwen2.5-coder")
    result = run_cli("llm", "status")
    assert result.code == 0
    assert result.out.splitlines()[0] == "llm: model qwen2.5-coder at models.internal:8000"
    assert "api key set" in result.out and KEY not in result.out


def test_a_base_url_without_a_scheme_is_one_line_naming_the_setting(cli_env, monkeypatch):
    monkeypatch.setenv("SQLDRAFT_LLM_BASE_URL", "localhost:8000/v1")
    result = run_cli("llm", "status")
    assert result.code == 2 and result.out == ""
    assert result.err.count("\n") == 1 and "Traceback" not in result.err
    assert result.err.startswith("sqldraft: setting SQLDRAFT_LLM_BASE_URL is invalid: it must start with http://")


def test_check_prints_one_line_per_finding(cli_env, monkeypatch, fake_llm):
    use_endpoint(monkeypatch, fake_llm.url)
    fake_llm.reply('{"ok": true}')
    result = run_cli("llm", "check")
    assert result.code == 0, result.err
    lines = result.out.splitlines()
    assert [line.split(":")[0] for line in lines] == ["ok   reachable", "ok   model", "ok   latency", "ok   json mode"]
    assert "answered /models in" in lines[0] and "'fake-model' is listed" in lines[1]


def test_check_json_has_every_line_and_the_overall_result(cli_env, monkeypatch, fake_llm):
    use_endpoint(monkeypatch, fake_llm.url)
    fake_llm.reply('{"ok": true}')
    data = run_cli("llm", "check", "--json").json()
    assert data["ok"] is True and data["model"] == "fake-model" and data["host"] == fake_llm.url.split("/")[2]
    assert [line["name"] for line in data["lines"]] == ["reachable", "model", "latency", "json mode"]


def test_check_explains_a_model_the_endpoint_does_not_know(cli_env, monkeypatch, fake_llm):
    use_endpoint(monkeypatch, fake_llm.url, model="gpt-9")
    fake_llm.unknown_model("gpt-9")
    result = run_cli("llm", "check")
    assert result.code == 2
    assert "FAIL model: the endpoint does not know model 'gpt-9'; models it lists: fake-model, m" in result.out
    completion = next(line for line in result.out.splitlines() if line.startswith("FAIL completion"))
    assert "does not know model 'gpt-9' (404); models it lists: fake-model, m" in completion


def test_check_sends_a_key_pasted_with_a_trailing_newline_without_it(cli_env, monkeypatch, fake_llm):
    use_endpoint(monkeypatch, fake_llm.url, key=KEY + "\n")
    fake_llm.reply('{"ok": true}')
    assert run_cli("llm", "check").code == 0
    assert fake_llm.headers[0]["authorization"] == f"Bearer {KEY}"


def test_check_of_a_down_endpoint_is_one_line_naming_the_host_and_what_to_check(cli_env, monkeypatch):
    url = closed_port_url()
    use_endpoint(monkeypatch, url)
    result = run_cli("llm", "check")
    assert result.code == 2
    host = url.split("/")[2]
    assert result.out.splitlines() == [
        f"FAIL reachable: cannot reach the endpoint at {host} (connection refused): check SQLDRAFT_LLM_BASE_URL "
        "and that the model server is running"
    ]
    assert KEY not in result.out + result.err


def test_check_without_llm_settings_says_what_to_set(cli_env):
    result = run_cli("llm", "check")
    assert result.code == 2 and result.out.startswith("FAIL settings: set SQLDRAFT_LLM_MODEL")
