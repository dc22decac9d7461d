"""`llm status` reads the settings; `llm check` calls the endpoint and reports each finding as a line."""

from core.generation.llm_status import llm_check, llm_status
from core.settings import Settings
from tests.support.fake_llm import closed_port_url

KEY = "sk-status-test-key-0123456789"


def test_status_is_offline_with_nothing_configured():
    status = llm_status(Settings(generator="auto", llm_api_key=None, llm_base_url=None, llm_model=None))
    assert status.generator == "offline" and not status.configured
    assert "SQLDRAFT_LLM_MODEL" in status.summary


def test_status_names_what_a_partial_llm_setup_lacks():
    status = llm_status(Settings(generator="llm", llm_base_url="http://127.0.0.1:9/v1", llm_model=None))
    assert status.generator == "llm" and status.missing == ["SQLDRAFT_LLM_MODEL (or OPENAI_MODEL)"]
    assert status.summary.startswith("llm: not configured")


def test_status_of_a_complete_setup_names_host_and_model_not_the_key():
    status = llm_status(
        Settings(generator="auto", llm_base_url="http://models.internal:8000/v1", llm_model="m", llm_api_key=KEY)
    )
    assert status.configured and status.summary == "llm: model m at models.internal:8000"
    assert KEY not in str(status.to_dict())


def test_check_reports_reachable_model_listed_latency_and_json_mode(fake_llm):
    fake_llm.reply('{"ok": true}')
    check = llm_check(Settings(generator="llm", llm_base_url=fake_llm.url, llm_model="fake-model", llm_api_key=KEY))
    assert [line.name for line in check.lines] == ["reachable", "model", "latency", "json mode"] and check.ok
    assert fake_llm.requests[0]["response_format"] == {"type": "json_object"}


def test_check_says_when_the_model_is_not_listed(fake_llm):
    fake_llm.reply('{"ok": true}')
    check = llm_check(Settings(generator="llm", llm_base_url=fake_llm.url, llm_model="gpt-9", llm_api_key=KEY))
    model = next(line for line in check.lines if line.name == "model")
    assert not model.ok and "the endpoint does not know model 'gpt-9'; models it lists: fake-model" in model.detail


def test_check_reports_an_endpoint_without_json_mode(fake_llm):
    fake_llm.error(400, "response_format is not supported")
    check = llm_check(Settings(generator="llm", llm_base_url=fake_llm.url, llm_model="m", llm_api_key=KEY))
    assert any(line.name == "json mode" and not line.ok for line in check.lines)


def test_check_of_a_down_endpoint_is_one_line_naming_the_host():
    url = closed_port_url()
    check = llm_check(Settings(generator="llm", llm_base_url=url, llm_model="m", llm_api_key=KEY, llm_attempts=1))
    assert len(check.lines) == 1 and not check.ok
    assert url.split("//")[1].split("/")[0] in check.lines[0].detail and KEY not in str(check.to_dict())


def test_check_of_an_html_proxy_page_says_it_is_not_the_api(fake_llm):
    fake_llm.html()
    check = llm_check(Settings(generator="llm", llm_base_url=fake_llm.url, llm_model="m", llm_api_key=KEY))
    assert any("did not answer like an OpenAI-compatible API (got text/html)" in line.detail for line in check.lines)
