"""The model call fails fast and says where: the real openai SDK against a fake endpoint on loopback.

No timing assertions here (bench/llm_failfast_bench.py measures); the tests count the HTTP attempts
the fake server saw and read the error text.
"""

import pytest

from core.domain.schema import Dialect
from core.errors import ConfigurationError, LLMError
from core.generation.generators import LLMGenerator
from core.generation.prompt import Task
from core.settings import Settings, load_settings
from core.validation.model import ScriptMode
from tests.support.fake_llm import closed_port_url

API_KEY = "sk-test-not-a-real-secret-0123456789"
GOOD = '{"sql": "SELECT 1", "confidence": 0.9}'


def generator(url, **extra):
    values = {"generator": "llm", "llm_base_url": url, "llm_model": "fake-model", "llm_api_key": API_KEY}
    settings = Settings(**({"llm_timeout": 8.0} | values | extra))
    return LLMGenerator(settings)


def task():
    return Task("count orders", ScriptMode.QUERY, Dialect.SQLITE, "3.45", "CREATE TABLE orders (id int)", True)


def fail(gen):
    with pytest.raises(LLMError) as info:
        gen.generate(task(), [{"role": "user", "content": "count orders"}])
    text = str(info.value)
    assert API_KEY not in text and "\n" not in text
    return text


def host_of(url):
    return url.split("//", 1)[1].split("/", 1)[0]


def test_a_good_answer_is_read(fake_llm):
    fake_llm.reply(GOOD)
    completion = generator(fake_llm.url).generate(task(), [{"role": "user", "content": "x"}])
    assert completion.reply is not None and completion.reply.sql == "SELECT 1" and fake_llm.attempts == 1


@pytest.mark.parametrize("attempts", [1, 2, 3])
def test_5xx_is_tried_the_configured_number_of_times_then_names_the_host(fake_llm, attempts):
    fake_llm.errors(500, 5, "upstream exploded")
    text = fail(generator(fake_llm.url, llm_attempts=attempts))
    assert fake_llm.attempts == attempts
    assert f"the endpoint at {host_of(fake_llm.url)} failed (500)" in text
    assert ("after 3 attempts" in text) == (attempts == 3)


def test_a_503_then_a_good_answer_succeeds(fake_llm):
    fake_llm.error(503, "warming up").reply(GOOD)
    completion = generator(fake_llm.url).generate(task(), [{"role": "user", "content": "x"}])
    assert completion.reply is not None and fake_llm.attempts == 2


@pytest.mark.parametrize("status", [400, 401, 403, 404, 422])
def test_4xx_is_not_retried(fake_llm, status):
    fake_llm.errors(status, 3, f"bad request for key {API_KEY}")
    text = fail(generator(fake_llm.url))
    assert fake_llm.attempts == 1 and host_of(fake_llm.url) in text and f"({status})" in text


def test_a_401_says_to_check_the_key_without_showing_it(fake_llm):
    fake_llm.error(401, f"Incorrect API key provided: {API_KEY}")
    assert "check SQLDRAFT_LLM_API_KEY" in fail(generator(fake_llm.url))


def test_an_unknown_model_is_explained(fake_llm):
    fake_llm.unknown_model("fake-model")
    text = fail(generator(fake_llm.url))
    assert "does not know model 'fake-model' (404)" in text and "SQLDRAFT_LLM_MODEL" in text
    assert fake_llm.attempts == 1


def test_an_unknown_model_names_the_models_the_endpoint_lists(fake_llm):
    fake_llm.unknown_model("gpt-9")
    text = fail(generator(fake_llm.url, llm_model="gpt-9"))
    assert text.startswith(f"the endpoint at {host_of(fake_llm.url)} does not know model 'gpt-9' (404)")
    assert "models it lists: fake-model, m: set SQLDRAFT_LLM_MODEL to one of them" in text


def test_an_unknown_model_on_an_endpoint_without_models_still_says_which_setting(fake_llm):
    fake_llm.models = []
    fake_llm.unknown_model("gpt-9")
    text = fail(generator(fake_llm.url, llm_model="gpt-9"))
    assert "does not know model 'gpt-9' (404); models it lists: none" in text


def test_a_404_without_a_model_message_points_at_the_base_url(fake_llm):
    fake_llm.error(404, "Not Found")
    assert "SQLDRAFT_LLM_BASE_URL" in fail(generator(fake_llm.url))


@pytest.mark.parametrize(
    ("script", "got"),
    [
        (lambda f: f.html(), "got text/html"),
        (lambda f: f.plain_text(), "got text/plain"),
        (lambda f: f.wrong_json(), "got JSON without chat completion choices"),
        (lambda f: f.wrong_json({"choices": []}), "got JSON without chat completion choices"),
        (lambda f: f.broken_json(), "not valid JSON"),
    ],
    ids=["html", "plain-text", "other-json", "no-choices", "broken-json"],
)
def test_an_answer_that_is_not_a_chat_completion_fails_once_and_says_so(fake_llm, script, got):
    script(fake_llm)
    text = fail(generator(fake_llm.url))
    assert f"the endpoint at {host_of(fake_llm.url)} did not answer like an OpenAI-compatible API" in text
    assert got in text and fake_llm.attempts == 1


def test_an_html_error_page_from_a_proxy_is_retried_like_any_5xx(fake_llm):
    fake_llm.html(status=502).html(status=502).html(status=502)
    text = fail(generator(fake_llm.url))
    assert "(502)" in text and fake_llm.attempts == 3


def test_a_down_endpoint_names_the_host():
    url = closed_port_url()
    text = fail(generator(url))
    assert f"cannot reach the endpoint at {host_of(url)}" in text and "connection refused" in text


def test_a_hanging_endpoint_fails_within_the_budget_with_the_reason(fake_llm):
    fake_llm.hang(5.0, count=3)
    text = fail(generator(fake_llm.url, llm_timeout=1.0))
    assert f"the endpoint at {host_of(fake_llm.url)} did not answer within 1 s" in text
    assert "SQLDRAFT_LLM_TIMEOUT" in text and fake_llm.attempts == 1  # no time left for a second attempt


def test_a_retry_after_beyond_the_budget_is_not_waited_for(fake_llm):
    fake_llm.error(429, "slow down", headers={"Retry-After": "120"})
    text = fail(generator(fake_llm.url, llm_timeout=2.0))
    assert "rate limiting (429)" in text and fake_llm.attempts == 1


def test_a_trailing_newline_in_the_key_is_stripped(fake_llm, monkeypatch):
    monkeypatch.setenv("SQLDRAFT_LLM_API_KEY", API_KEY + "\n")
    settings = load_settings(generator="llm", llm_base_url=fake_llm.url, llm_model="fake-model")
    fake_llm.reply(GOOD)
    LLMGenerator(settings).generate(task(), [{"role": "user", "content": "x"}])
    assert fake_llm.headers[0]["authorization"] == f"Bearer {API_KEY}"


@pytest.mark.parametrize("url", ["localhost:8000/v1", "127.0.0.1:8000", "ftp://models.internal/v1", "http://"])
def test_a_base_url_without_http_or_https_is_refused_in_one_line(monkeypatch, url):
    monkeypatch.setenv("SQLDRAFT_LLM_BASE_URL", url)
    with pytest.raises(ConfigurationError) as info:
        load_settings()
    text = str(info.value)
    assert text.startswith("setting SQLDRAFT_LLM_BASE_URL is invalid") and "http://" in text and "\n" not in text


def test_a_programming_error_is_an_incident_not_a_model_failure(shop_copilot_factory, fake_llm, monkeypatch):
    import core.generation.generators as generators

    def broken(text):
        raise TypeError("a bug")

    monkeypatch.setattr(generators, "parse_reply", broken)
    copilot = shop_copilot_factory(
        generator="llm", llm_base_url=fake_llm.url, llm_model="fake-model", llm_api_key=API_KEY
    )
    fake_llm.reply(GOOD)
    draft = copilot.draft("shop", "How many orders per status?", requester="cli:ada")
    assert draft.status.value == "failed" and "incident" in draft.error_message
    assert "model call failed" not in draft.error_message
