"""The one settings object, read at entry points and passed down.

Every setting is declared here with its default and help text; ``.env.example`` and
``docs/configuration.md`` document each one (a test fails when one is missing).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, Literal

from pydantic import AliasChoices, Field, SecretStr, ValidationError, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from core.domain.limits import parse_rate_limits
from core.errors import ConfigurationError
from core.paths import default_data_dir, env_files


class Settings(BaseSettings):
    """sqldraft's configuration: environment variables, then ``.env`` in the current directory, then the user's
    config file (``$XDG_CONFIG_HOME/sqldraft/sqldraft.env``), then defaults (see :func:`load_settings`)."""

    model_config = SettingsConfigDict(
        env_prefix="SQLDRAFT_",
        env_file=".env",
        env_file_encoding="utf-8",
        extra="ignore",
        populate_by_name=True,
    )

    data_dir: Path = Field(
        default_factory=default_data_dir,
        description="Directory for the embedded store, the log file (sqldraft.log) and the demo files.",
    )
    store_url: str | None = Field(
        default=None,
        description="SQLAlchemy URL of the metadata store; empty means a SQLite file in the data dir. "
        "PostgreSQL: postgresql+psycopg://user@host/db.",
    )
    secret_key: SecretStr | None = Field(
        default=None,
        description="Comma-separated Fernet keys; the first encrypts, all decrypt. "
        "`sqldraft init` writes one to the config file ($XDG_CONFIG_HOME/sqldraft/sqldraft.env) when none is set.",
    )
    connect_timeout: float = Field(
        default=10.0,
        gt=0,
        le=300,
        description="Seconds to wait for a target database to accept a connection.",
    )
    introspection_timeout: float = Field(
        default=300.0,
        gt=0,
        description="Seconds a schema snapshot's catalog queries may run before they are cancelled.",
    )
    default_refresh: str = Field(
        default="6h",
        description="Refresh schedule for connections that set none: an interval (30m, 6h, 1d), a "
        "five-field cron expression, or off.",
    )
    max_sql_chars: int = Field(
        default=262_144,
        ge=1_000,
        le=10_000_000,
        description="Largest SQL text sqldraft validates, in characters; longer text is refused as too large.",
    )
    large_table_rows: int = Field(
        default=100_000,
        ge=1,
        description="Row estimate from which a table counts as large for the performance rules.",
    )
    large_offset: int = Field(
        default=10_000,
        ge=1,
        description="OFFSET from which the performance rules suggest keyset pagination.",
    )
    plan_max_rows: int = Field(
        default=1_000_000,
        ge=1,
        description="Estimated rows of a statement's plan (plain EXPLAIN, with the server check or explain_costs) "
        "from which perf.plan_estimate reports it.",
    )
    plan_max_cost: float = Field(
        default=1_000_000.0,
        gt=0,
        description="Planner cost of a statement's plan (PostgreSQL cost units; MySQL query_cost) from which "
        "perf.plan_estimate reports it.",
    )
    plan_nested_loop_rows: int = Field(
        default=10_000,
        ge=1,
        description="Estimated rows on both sides of a nested loop in a plan from which perf.plan_nested_loop "
        "reports it.",
    )
    run_max_rows: int = Field(
        default=100,
        ge=1,
        le=10_000,
        description="Rows a run of an approved read returns when the caller gives no limit (a limit may go up to "
        "10000); more rows are cut off and the result says it is truncated.",
    )
    run_timeout: float = Field(
        default=10.0,
        gt=0,
        le=300,
        description="Seconds a run of an approved read may take on the target database before it is cancelled.",
    )
    run_max_bytes: int = Field(
        default=4_000_000,
        ge=10_000,
        le=100_000_000,
        description="Bytes of cell values a run returns at most (long cells are cut, then rows are dropped and the "
        "result says it is truncated).",
    )
    generator: Literal["auto", "offline", "llm"] = Field(
        default="auto",
        description="Who drafts SQL: llm (an OpenAI-compatible model), offline (deterministic, simple requests "
        "only, no network), or auto (llm when an LLM setting is present, else offline).",
    )
    llm_base_url: str | None = Field(
        default=None,
        validation_alias=AliasChoices("SQLDRAFT_LLM_BASE_URL", "OPENAI_BASE_URL"),
        description="Base URL of the OpenAI-compatible API (empty: api.openai.com).",
    )
    llm_api_key: SecretStr | None = Field(
        default=None,
        validation_alias=AliasChoices("SQLDRAFT_LLM_API_KEY", "OPENAI_API_KEY"),
        description="API key for the model endpoint (optional for local endpoints that need none).",
    )
    llm_model: str | None = Field(
        default=None,
        validation_alias=AliasChoices("SQLDRAFT_LLM_MODEL", "OPENAI_MODEL"),
        description="Model name sent to the endpoint, e.g. gpt-4o-mini or a local model's name.",
    )
    llm_timeout: float = Field(
        default=20.0,
        gt=0,
        le=600,
        description="Total seconds one model call may take, every attempt and the waits between them included; "
        "when it runs out the draft fails with the reason. Raise it for slow local models.",
    )
    llm_connect_timeout: float = Field(
        default=5.0,
        gt=0,
        le=120,
        description="Seconds to wait for the model endpoint to accept a connection.",
    )
    llm_attempts: int = Field(
        default=3,
        ge=1,
        le=10,
        description="How many times a model call is tried (the first included), with jittered backoff, on "
        "429, 5xx and timeouts only; never beyond SQLDRAFT_LLM_TIMEOUT.",
    )
    max_repair_attempts: int = Field(
        default=2,
        ge=0,
        le=10,
        description="How many times a draft that fails validation is sent back to the model with the findings.",
    )
    retrieval_token_budget: int = Field(
        default=6000,
        ge=500,
        le=200_000,
        description="Prompt tokens the retrieved schema may use; small schemas go in whole.",
    )
    retrieval: Literal["lexical", "hybrid"] = Field(
        default="lexical",
        description="lexical (BM25 + foreign keys), or hybrid (adds local sentence embeddings; needs the "
        "embeddings extra).",
    )
    draft_workers: int = Field(
        default=16,
        ge=1,
        le=256,
        description="Drafts generated in parallel by a long-running process (the Slack bot).",
    )
    draft_stale_seconds: int = Field(
        default=900,
        ge=60,
        description="A draft left running this long without progress is marked failed (retryable) at start-up.",
    )
    approvers: str = Field(
        default="",
        description="Who may approve drafts, comma-separated: slack:U123, slack-group:S456, mcp:<token name>, "
        "cli:<user>. Empty means any known user. A connection's own list (connections set --approvers) wins. "
        "The requester of a script that writes or changes schema may not approve it (four-eyes, whatever mode was "
        "requested) unless the connection allows it.",
    )
    slack_bot_token: SecretStr | None = Field(
        default=None,
        validation_alias=AliasChoices("SLACK_BOT_TOKEN"),
        description="The Slack app's bot token (xoxb-...), for the Web API.",
    )
    slack_app_token: SecretStr | None = Field(
        default=None,
        validation_alias=AliasChoices("SLACK_APP_TOKEN"),
        description="The Slack app-level token (xapp-...) with connections:write; when set, the bot uses Socket "
        "Mode (no public URL needed).",
    )
    slack_signing_secret: SecretStr | None = Field(
        default=None,
        validation_alias=AliasChoices("SLACK_SIGNING_SECRET"),
        description="The Slack app's signing secret: requests without a valid signature are refused (HTTP mode).",
    )
    slack_api_url: str | None = Field(
        default=None,
        description="Base URL of the Slack Web API (empty: Slack's own, https://slack.com/api/); proxies and tests "
        "point it elsewhere.",
    )
    slack_workers: int = Field(
        default=32,
        ge=5,
        le=512,
        description="Threads the Slack app uses to handle requests (Bolt's default of 5 starves under load).",
    )
    mcp_tokens: SecretStr | None = Field(
        default=None,
        description="Bearer tokens of the MCP server's HTTP transport: name[:scope+scope]=token pairs, "
        "comma-separated (scopes: draft, review; default draft), or the path of a file with one pair a line.",
    )
    mcp_allowed_hosts: str = Field(
        default="",
        description="Extra Host header values the MCP HTTP transport accepts (DNS-rebinding protection), "
        "comma-separated, e.g. mcp.internal:8765; loopback names are always accepted.",
    )
    mcp_draft_deadline: float = Field(
        default=25.0,
        ge=1,
        le=3600,
        description="Seconds the MCP draft_sql tool waits for a draft before it answers with the draft id and "
        "status running (get_draft reports it later); below common MCP client timeouts.",
    )
    mcp_workers: int = Field(
        default=64,
        ge=4,
        le=1024,
        description="Threads the MCP server runs tool calls on (AnyIO's default of 40 queues calls under load).",
    )
    snapshot_recheck_seconds: float = Field(
        default=2.0,
        ge=0,
        le=3600,
        description="How long a long-running process trusts its cached view of which snapshot a connection "
        "uses before asking the store again (its own refreshes are seen at once; another process's within this).",
    )
    http_body_limit: int = Field(
        default=1_000_000,
        ge=1024,
        le=100_000_000,
        description="Largest request body in bytes the HTTP endpoints (sqldraft-bot --http, sqldraft-mcp "
        "--transport http) accept; a larger one is answered 413 before it is read.",
    )
    rate_limits: str | None = Field(
        default=None,
        description="Rate limits, comma separated: action[@scope]=count/window, e.g. "
        "`draft=20/hour,run=60/hour,validate=600/hour` (each principal), `draft@connection=100/hour` (each "
        "connection), `draft@global=500/day` (the install). Actions draft, run, validate; windows s, m, h, d. "
        "Counted in the store, so replicas share them; empty means no limits.",
    )
    metrics: Literal["auto", "on", "off"] = Field(
        default="auto",
        description="GET /metrics (Prometheus text) on the HTTP servers: auto serves it on a loopback bind only "
        "(404 elsewhere), on serves it on any bind, off never.",
    )
    log_level: Literal["DEBUG", "INFO", "WARNING", "ERROR"] = Field(
        default="INFO",
        description="Level of the log messages written to standard error by every process (command line, "
        "scheduler, bot, MCP server); the command line also keeps warnings and errors in sqldraft.log in the "
        "data dir.",
    )

    @field_validator(
        "store_url",
        "secret_key",
        "llm_base_url",
        "llm_api_key",
        "llm_model",
        "slack_bot_token",
        "slack_app_token",
        "slack_signing_secret",
        "slack_api_url",
        "rate_limits",
        mode="before",
    )
    @classmethod
    def _blank_is_unset(cls, value: object) -> object:
        if isinstance(value, str) and not value.strip():
            return None
        return value

    @field_validator("rate_limits")
    @classmethod
    def _rate_limits_parse(cls, value: str | None) -> str | None:
        parse_rate_limits(value)  # ValueError names the entry
        return value

    @field_validator("llm_base_url")
    @classmethod
    def _base_url_has_a_scheme(cls, value: str | None) -> str | None:
        if value is None:
            return None
        url = value.strip()
        if not url.lower().startswith(("http://", "https://")) or len(url.split("://", 1)[1]) == 0:
            raise ValueError(
                f"it must start with http:// or https:// (got {url[:80]!r}), e.g. http://localhost:8000/v1"
            )
        return url

    @field_validator("llm_api_key", mode="before")
    @classmethod
    def _strip_api_key(cls, value: object) -> object:
        # A key pasted with a trailing newline would otherwise be sent as "Bearer key\n" and refused.
        if isinstance(value, SecretStr):
            value = value.get_secret_value()
        return value.strip() if isinstance(value, str) else value

    @field_validator("data_dir", mode="before")
    @classmethod
    def _blank_data_dir_is_default(cls, value: object) -> object:
        if value is None or (isinstance(value, str) and not value.strip()):
            return default_data_dir()
        return Path(str(value)).expanduser()

    def effective_store_url(self) -> str:
        """The store URL, defaulting to ``<data_dir>/sqldraft.db``."""
        if self.store_url:
            return self.store_url
        return f"sqlite:///{self.data_dir / 'sqldraft.db'}"


def load_settings(**overrides: Any) -> Settings:
    """Settings from the environment, ``.env`` in the current directory and the user's config file (in that order
    of precedence, see :func:`core.paths.env_files`), with one clear line on a bad value.

    Raises:
        ConfigurationError: a setting has a value it cannot take (the message names the variable).
    """
    overrides.setdefault("_env_file", env_files())
    try:
        return Settings(**overrides)
    except ValidationError as exc:
        first = exc.errors()[0]
        field = ".".join(str(p) for p in first.get("loc", ())) or "a setting"
        named = field.isupper() or not field.isidentifier()  # an environment name (alias) already
        env = field if named else f"SQLDRAFT_{field.upper()}"
        message = str(first.get("msg", "bad value")).removeprefix("Value error, ")
        raise ConfigurationError(f"setting {env} is invalid: {message}") from None


def env_names() -> dict[str, str]:
    """Map every setting to the environment variable(s) that set it (first is canonical)."""
    names: dict[str, str] = {}
    for field_name, field in Settings.model_fields.items():
        alias = field.validation_alias
        if isinstance(alias, AliasChoices):
            names[field_name] = ", ".join(str(a) for a in alias.choices)
        else:
            names[field_name] = f"SQLDRAFT_{field_name.upper()}"
    return names


def settings_markdown() -> str:
    """The settings table of docs/configuration.md (generated; a test keeps the file current)."""
    lines = ["| variable | default | what it does |", "|---|---|---|"]
    for field_name, field in Settings.model_fields.items():
        names = env_names()[field_name].split(", ")
        variable = f"`{names[0]}`" + (f" (or `{'`, `'.join(names[1:])}`)" if len(names) > 1 else "")
        if field_name == "data_dir":
            default = "`~/.local/share/sqldraft` (platform data dir)"
        elif field.default is None or field.default_factory is not None:
            default = "(empty)"
        else:
            default = f"`{field.default}`"
        lines.append(f"| {variable} | {default} | {field.description} |")
    return "\n".join(lines) + "\n"
