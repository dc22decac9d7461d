"""Two `sqldraft-bot --http` processes on one PostgreSQL store: a signed request replayed to the other replica is
answered 200 without being handled, and a /readyz on each reports the shared store."""

import json
import os
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest

from tests.support.slack_requests import SECRET, command_body, signed_headers

BIN = Path(sys.executable).parent


def _port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _post(url, body, headers):
    request = urllib.request.Request(url, data=body.encode(), headers=headers, method="POST")
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status, response.read().decode()
    except urllib.error.HTTPError as exc:
        return exc.code, exc.read().decode()


@pytest.fixture
def replicas(pg_store_url, secret_key, tmp_path, slack):
    env = os.environ | {
        "SQLDRAFT_STORE_URL": pg_store_url, "SQLDRAFT_SECRET_KEY": secret_key, "SQLDRAFT_DATA_DIR": str(tmp_path),
        "SLACK_SIGNING_SECRET": SECRET, "SLACK_BOT_TOKEN": "xoxb-test-not-a-real-token",
        "SQLDRAFT_SLACK_API_URL": slack.api_url, "XDG_CONFIG_HOME": str(tmp_path / "config"),
    }  # fmt: skip
    subprocess.run([str(BIN / "sqldraft"), "init"], env=env, check=True, capture_output=True)
    procs, urls = [], []
    for _ in range(2):
        port = _port()
        log = open(tmp_path / f"bot{port}.log", "w")  # noqa: SIM115
        procs.append(
            subprocess.Popen(
                [str(BIN / "sqldraft-bot"), "--http", "--no-scheduler", "--port", str(port)],
                env=env,
                stdout=log,
                stderr=subprocess.STDOUT,
            )
        )
        urls.append(f"http://127.0.0.1:{port}")
    for url in urls:
        deadline = time.time() + 30
        while True:
            try:
                urllib.request.urlopen(f"{url}/healthz", timeout=1).read()
                break
            except OSError:
                if time.time() > deadline:
                    raise
                time.sleep(0.1)
    yield urls
    for proc in procs:
        proc.terminate()
        proc.wait(timeout=10)
    assert "Traceback" not in "".join(p.read_text() for p in tmp_path.glob("bot*.log"))


def test_a_signed_request_is_handled_once_across_two_replicas(replicas):
    a, b = replicas
    body = command_body("help")
    headers = signed_headers(body)
    first = _post(f"{a}/slack/events", body, headers)
    again = _post(f"{b}/slack/events", body, headers)
    assert first[0] == 200 and "/sqldraft" in first[1]
    assert again == (200, "")  # seen by replica a: not handled again
    fresh = _post(f"{b}/slack/events", body, signed_headers(body, timestamp=int(time.time()) + 1))
    assert fresh[0] == 200 and "/sqldraft" in fresh[1]
    for url in replicas:
        with urllib.request.urlopen(f"{url}/readyz", timeout=10) as response:
            assert json.loads(response.read())["ok"] is True
