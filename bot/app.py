"""sqldraft-bot: the Slack app, served by Socket Mode or over HTTP, hosting the refresh scheduler."""

from __future__ import annotations

import argparse
import logging
import sys
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor

from slack_bolt import App
from slack_sdk import WebClient
from slack_sdk.http_retry.builtin_handlers import RateLimitErrorRetryHandler
from starlette.applications import Starlette
from starlette.concurrency import run_in_threadpool
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from bot.deps import Deps
from bot.errors import explain
from bot.http_edges import BodyCap, slack_problem
from bot.listeners import register
from bot.presenter import Presenter
from core.errors import ConfigurationError, SqldraftError
from core.service import Copilot
from core.settings import Settings, load_settings

log = logging.getLogger("sqldraft.bot")
DEFAULT_API_URL = "https://slack.com/api/"


def web_client(settings: Settings) -> WebClient:
    token = settings.slack_bot_token.get_secret_value() if settings.slack_bot_token else None
    base = settings.slack_api_url or DEFAULT_API_URL
    return WebClient(
        token=token,
        base_url=base if base.endswith("/") else base + "/",
        retry_handlers=[RateLimitErrorRetryHandler(max_retry_count=3)],
    )


def build_app(settings: Settings, copilot: Copilot, *, client: WebClient | None = None) -> App:
    """The Bolt app with every listener registered; drift notices go to each connection's channel.

    Raises:
        ConfigurationError: the bot token is missing.
    """
    if settings.slack_bot_token is None:
        raise ConfigurationError(
            "SLACK_BOT_TOKEN is not set: create the app from manifest.yml and set its bot token (see docs/slack.md)"
        )
    client = client or web_client(settings)
    signing = settings.slack_signing_secret.get_secret_value() if settings.slack_signing_secret else None
    app = App(
        client=client,
        signing_secret=signing,
        request_verification_enabled=signing is not None,
        token_verification_enabled=False,
        # Bolt's default pool of 5 threads starves when several requests arrive at once
        listener_executor=ThreadPoolExecutor(max_workers=settings.slack_workers, thread_name_prefix="sqldraft-slack"),
        process_before_response=False,
    )
    presenter = Presenter(copilot, client)
    register(app, Deps(copilot=copilot, presenter=presenter))
    copilot.add_drift_listener(presenter.notify_drift)
    return app


def http_app(
    app: App, copilot: Copilot, *, scheduler_alive: Callable[[], bool] | None = None, host: str = "127.0.0.1"
) -> Starlette:
    """POST /slack/events for Slack; GET /healthz (liveness, no I/O), /readyz (JSON, 200 or 503), /metrics."""
    from slack_bolt.adapter.starlette import SlackRequestHandler

    handler = SlackRequestHandler(app)
    secret = copilot.settings.slack_signing_secret
    assert secret is not None

    async def events(request: Request) -> Response:
        body = await request.body()
        headers = {k.lower(): v for k, v in request.headers.items()}
        problem = slack_problem(headers, body, secret.get_secret_value())
        if problem is not None:
            return JSONResponse({"ok": False, "error": problem[1]}, status_code=problem[0])
        if "x-slack-retry-num" in headers:  # Slack's retry of a delivery already being handled
            return Response(status_code=200, headers={"x-slack-no-retry": "1"})
        key = f"slack:{headers['x-slack-request-timestamp']}:{headers['x-slack-signature']}"
        if not await run_in_threadpool(copilot.first_sighting, key):
            return Response(status_code=200)
        return await handler.handle(request)

    async def healthz(request: Request) -> Response:
        return JSONResponse({"ok": True})

    async def readyz(request: Request) -> Response:
        status = await run_in_threadpool(copilot.readiness, scheduler_alive=scheduler_alive)
        return JSONResponse(status.model_dump(mode="json"), status_code=200 if status.ok else 503)

    async def metrics(request: Request) -> Response:
        if not copilot.metrics_enabled(host):
            return Response("not found", status_code=404)
        text = await run_in_threadpool(copilot.metrics_text)
        return Response(text, media_type="text/plain; version=0.0.4; charset=utf-8")

    routes = [Route("/slack/events", events, methods=["POST"]), Route("/healthz", healthz), Route("/readyz", readyz)]
    routes.append(Route("/metrics", metrics))
    limit = copilot.settings.http_body_limit
    return Starlette(routes=routes, middleware=[Middleware(BodyCap, limit=limit)])


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="sqldraft-bot", description="The sqldraft Slack app.")
    mode = parser.add_mutually_exclusive_group()
    mode.add_argument("--socket", action="store_true", help="Socket Mode (default when SLACK_APP_TOKEN is set)")
    mode.add_argument("--http", action="store_true", help="HTTP: POST /slack/events, GET /healthz, GET /readyz")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=3000)
    parser.add_argument("--no-scheduler", action="store_true", help="do not host the snapshot refresh scheduler")
    parser.add_argument(
        "--no-review-requests",
        action="store_true",
        help="do not post review requests from the store's outbox (another bot process does)",
    )
    args = parser.parse_args(argv)
    try:
        return _serve(args)
    except SqldraftError as exc:
        sys.stderr.write(f"sqldraft-bot: {explain(exc)}\n")
        return 2
    except KeyboardInterrupt:
        return 0


def _serve(args: argparse.Namespace) -> int:
    from bot.drainer import ReviewDrainer
    from core.bootstrap import build_copilot
    from core.scheduler import RefreshScheduler

    settings = load_settings()
    logging.basicConfig(level=settings.log_level, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    socket_mode = args.socket or (not args.http and settings.slack_app_token is not None)
    if socket_mode and settings.slack_app_token is None:
        raise ConfigurationError("--socket needs SLACK_APP_TOKEN (an app-level token with connections:write)")
    if not socket_mode and settings.slack_signing_secret is None:
        raise ConfigurationError("HTTP mode needs SLACK_SIGNING_SECRET so that forged requests are refused")
    copilot = build_copilot(settings)
    app = build_app(settings, copilot)
    scheduler = None
    if not args.no_scheduler:
        scheduler = RefreshScheduler(copilot)
        scheduler.start()
    drainer = None
    if not args.no_review_requests:
        drainer = ReviewDrainer(copilot, Presenter(copilot, app.client))
        drainer.start()
    try:
        if socket_mode:
            from slack_bolt.adapter.socket_mode import SocketModeHandler

            assert settings.slack_app_token is not None
            log.info("sqldraft-bot: Socket Mode")
            SocketModeHandler(app, settings.slack_app_token.get_secret_value()).start()
        else:
            import uvicorn

            log.info("sqldraft-bot: HTTP on %s:%d", args.host, args.port)
            alive = scheduler.alive if scheduler is not None else None
            served = http_app(app, copilot, scheduler_alive=alive, host=args.host)
            uvicorn.run(served, host=args.host, port=args.port, log_level="warning")
    finally:
        if drainer is not None:
            drainer.stop()
        if scheduler is not None:
            scheduler.shutdown()
        copilot.close()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
