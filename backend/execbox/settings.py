"""The service's settings, read from the environment and `.env` (names as in the seed project).

Limits come in pairs: the default a run gets, and the hard maximum a request may lower it to
but never exceed.
"""

from __future__ import annotations

import dataclasses
import functools
import sys
from pathlib import Path
from typing import Annotated, Literal

from pydantic import Field, PostgresDsn, ValidationError, field_validator, model_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

from execbox.policy import PRESETS, CodePolicy, Preset
from execbox.rate_limit_syntax import parsed_rate_limit
from execbox.sandbox.config import LIVE_RUNS_CEILING, SandboxConfig
from execbox.sandbox.guest.input_files import MAX_NAME_BYTES
from execbox.sandbox.limits import LimitPolicy, RunLimits

DEFAULT_SECRET_KEY = "changethis"  # noqa: S105 -- the placeholder production refuses


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_file=".env", env_ignore_empty=True, extra="ignore")

    # Every field has a description: docs/settings.md is generated from them
    # (`execbox settings-reference`), and a test fails when it is stale.

    ENVIRONMENT: Literal["local", "staging", "production"] = Field(
        "local", description="where the service runs; outside `local` it refuses the default SECRET_KEY"
    )
    DEBUG: bool = Field(False, description="FastAPI's debug mode and debug logging")
    SECRET_KEY: str = Field(
        DEFAULT_SECRET_KEY,
        description="keys the client-address hashes stored with submissions and the share receipts; "
        "must be set outside local use",
    )

    # Database: DATABASE_URL wins; else PostgreSQL from POSTGRES_*; else a SQLite file.
    DATABASE_URL: str | None = Field(
        None, description="SQLAlchemy URL (`postgresql+asyncpg://...`); wins over POSTGRES_* and SQLITE_PATH"
    )
    POSTGRES_SERVER: str | None = Field(None, description="PostgreSQL's host; unset: SQLite at SQLITE_PATH")
    POSTGRES_PORT: int = Field(5432, description="PostgreSQL's port")
    POSTGRES_USER: str = Field("postgres", description="PostgreSQL's user")
    POSTGRES_PASSWORD: str = Field("", description="PostgreSQL's password")
    POSTGRES_DB: str = Field("execbox", description="PostgreSQL's database")
    SQLITE_PATH: Path = Field(
        Path("data/execbox.db"),
        description="the SQLite file when no PostgreSQL is set, relative to the directory the service "
        "starts in",
    )

    # The front door (api/front_door.py).
    ALLOWED_HOSTS: Annotated[frozenset[str], NoDecode] = Field(
        frozenset(),
        description="host names served besides the loopback ones (`example.org`, `*.example.org`, `*`), "
        "comma-separated; `execbox serve --host NAME` adds NAME. Any other Host header gets 400 "
        "(DNS rebinding, poisoned links)",
    )
    ALLOWED_ORIGINS: Annotated[frozenset[str], NoDecode] = Field(
        frozenset(),
        description="pages of other origins (`https://app.example.org`) allowed to open the live stream, "
        "comma-separated; the server's own pages always are",
    )
    FORWARDED_ALLOW_IPS: str = Field(
        "",
        description="proxies whose X-Forwarded-For and X-Forwarded-Proto are believed (addresses or "
        "networks, comma-separated; `*` any). None by default: a local tunnel must not pick its "
        "client address",
    )
    PUBLIC_URL: str | None = Field(
        None,
        description="the base of absolute URLs the API hands out (`https://run.example.org`); unset: "
        "paths only, never built from the request's Host",
    )
    METRICS_TOKEN: str | None = Field(
        None,
        description="/metrics on the public port only with `Authorization: Bearer <METRICS_TOKEN>`; "
        "unset: 404",
    )

    # Accounts (docs/api.md#accounts): an addition to anonymous use, which goes on working.
    ACCOUNTS_ENABLED: bool = Field(
        False,
        description="serve /api/v1/auth (register, sign in), /api/v1/users/me and /api/v1/keys, and "
        "count runs sent with an access token or API key against that account or key, whose "
        "submissions are then theirs (listed, deleted, private if asked), and show the web UI's "
        "account controls; off: none of it",
    )
    ANONYMOUS_RUNS: bool = Field(
        True,
        description="with accounts: `false` runs code only for signed-in users and API keys (401 for "
        "the rest); needs ACCOUNTS_ENABLED",
    )
    ACCESS_TOKEN_EXPIRE_MINUTES: int = Field(
        60 * 24, gt=0, le=60 * 24 * 30, description="minutes a signed-in user's access token is valid"
    )
    LOGIN_RATE_LIMIT: str = Field(
        "10/minute",
        description="sign-in and registration attempts, counted per client address and, apart, per "
        "e-mail address: guessing one account's password from many addresses is slowed as well",
    )

    # Rate limits, shared through Redis when set. Runs are counted per client, with the allowance
    # of its tier: an address (no credentials), an account (signed in), an API key (each its own;
    # programs send more runs than a person does). An administrator may set one account's own
    # (`execbox user limits`, PATCH /api/v1/users/{id}/limits), for it and its keys.
    RATE_LIMIT: str = Field(
        "10/minute",
        description="runs per client address, for runs sent without credentials (`10/minute`, "
        "`100 per hour; 5/second`), moving window",
    )
    USER_RATE_LIMIT: str = Field(
        "30/minute",
        description="runs per signed-in account (with accounts), unless an administrator set the "
        "account's own",
    )
    KEY_RATE_LIMIT: str = Field(
        "60/minute",
        description="runs per API key (with accounts), each key counted apart from its account and its "
        "other keys, unless an administrator set the account's own",
    )
    RATE_LIMIT_ENABLED: bool = Field(
        True,
        description="`false` switches off every rate limit: RATE_LIMIT, USER_RATE_LIMIT and KEY_RATE_LIMIT "
        "(and accounts' own), LOGIN_RATE_LIMIT, REFUSAL_RATE_LIMIT",
    )
    REFUSAL_RATE_LIMIT: str = Field(
        "60/minute",
        description="refused API requests (400, 413, 422) per client, apart from runs: past it, 429 unread",
    )
    REDIS_URL: str | None = Field(
        None, description="Redis for shared rate limits and, in queue mode, the queue (`redis://host:6379/0`)"
    )

    # Per-run limits: default and hard maximum.
    EXECUTION_TIMEOUT: float = Field(30.0, gt=0, description="seconds of wall clock a run gets by default")
    EXECUTION_TIMEOUT_MAX: float = Field(
        120.0, gt=0, description="seconds of wall clock a request may ask for"
    )
    CPU_TIME_LIMIT: float = Field(30.0, gt=0, description="seconds of CPU a run gets by default")
    CPU_TIME_LIMIT_MAX: float = Field(120.0, gt=0, description="seconds of CPU a request may ask for")
    MEMORY_LIMIT: int = Field(512, gt=0, description="MiB a run gets by default")
    MEMORY_LIMIT_MAX: int = Field(2048, gt=0, description="MiB a request may ask for")
    OUTPUT_LIMIT: int = Field(1 << 20, gt=0, description="bytes per stream (stdout, stderr) by default")
    OUTPUT_LIMIT_MAX: int = Field(8 << 20, gt=0, description="bytes per stream a request may ask for")
    RESULTS_LIMIT: int = Field(
        2 << 20, gt=0, description="bytes of rich results (tables, images) per run by default"
    )
    RESULTS_LIMIT_MAX: int = Field(
        8 << 20, gt=0, description="bytes of rich results per run a request may ask for"
    )

    # Request size.
    MAX_CODE_LENGTH: int = Field(10_000, gt=0, description="characters of code")
    MAX_CODE_LINES: int = Field(100, gt=0, description="lines of code")
    MAX_STDIN_LENGTH: int = Field(
        256 * 1024, ge=0, description="characters of stdin, given with the run or sent to a live run"
    )
    MAX_REQUEST_BYTES: int = Field(
        1 << 20, gt=0, description="bytes of a request body or stream message; past it 413"
    )
    # Input files (`files` of execute and the stream): the operator's limit, which every run gets
    # (a request may send less, never more), under a hard ceiling. The body limit of the run
    # endpoints and the stream grows with it (`run_body_bytes`): base64 is 4/3 of the bytes.
    MAX_INPUT_FILES: int = Field(
        20,
        ge=0,
        le=1000,
        description="input files a run may be given; 0, with MAX_INPUT_FILES_BYTES=0: none, and run bodies "
        "are back to MAX_REQUEST_BYTES",
    )
    MAX_INPUT_FILES_BYTES: int = Field(
        10 << 20,
        ge=0,
        description="bytes of a run's input files together, decoded; the body limit of execute, submit, "
        "submissions and the stream grows by 4/3 of it",
    )
    MAX_INPUT_FILES_BYTES_MAX: int = Field(
        50 << 20,
        gt=0,
        description="the ceiling MAX_INPUT_FILES_BYTES may be set to (a run's files must fit in its "
        "64 MiB /tmp, beside what the program writes)",
    )
    # A shared run comes back with its output and results (at the default output and results
    # limits, up to 4 MiB of text, more as JSON): a run whose body is larger cannot be shared.
    MAX_SHARE_BYTES: int = Field(8 << 20, gt=0, description="bytes of the body of POST /code/shares")
    # Connections and request heads (api/http_protocol.py): sizes, a client's time to send, and
    # connections per client (TCP peer address) and in all.
    HTTP_MAX_HEADER_BYTES: int = Field(64 * 1024, gt=0, description="request line and headers; past it 431")
    HTTP_MAX_HEADERS: int = Field(100, gt=0, description="header lines; past it 431")
    HTTP_MAX_REQUEST_LINE: int = Field(8 * 1024, gt=0, description="bytes of the URL; past it 414")
    HTTP_HEADER_TIMEOUT: float = Field(10.0, gt=0, description="seconds to send a request's head; then 408")
    HTTP_BODY_TIMEOUT: float = Field(30.0, gt=0, description="seconds to send a request's body; then 408")
    HTTP_KEEP_ALIVE_TIMEOUT: int = Field(5, gt=0, description="seconds an idle connection stays open")
    HTTP_MAX_CONNECTIONS_PER_CLIENT: int = Field(64, gt=0, description="open per peer address; past it 429")
    HTTP_MAX_CONNECTIONS: int = Field(1000, gt=0, description="open in all; past it 503")

    # The static code policy: feedback and operator policy on top of the sandbox.
    CODE_POLICY: Literal["on", "off"] = Field("on", description="the static code policy checked before a run")
    CODE_POLICY_PRESET: Preset = Field(
        "standard",
        description="which modules may be imported: `standard` (the pure-computation standard library "
        "and the scientific stack) or `strict` (the seed's short list)",
    )
    ALLOWED_MODULES: Annotated[frozenset[str] | None, NoDecode] = Field(
        None, description="importable modules, comma-separated; when set, replaces the preset's list"
    )
    # The seed also bans `input`; it is how most programs read their stdin (the only way under
    # the strict preset, which refuses `sys`), and it reads nothing else, so it is allowed here.
    # And `open`: reading the run's input files is what they are sent for, and the kernel
    # sandbox, not the policy, decides what a program can open (the read-only runtime and its
    # own /tmp: docs/security.md).
    BANNED_BUILTINS: Annotated[frozenset[str], NoDecode] = Field(
        CodePolicy().banned_builtins - {"input", "open"},
        description="builtins a program may not use, comma-separated",
    )
    MAX_COMPLEXITY: int = Field(
        CodePolicy().max_complexity, gt=0, description="deepest nesting of statements and expressions"
    )

    WEB_UI_DIR: Path = Field(
        Path(__file__).resolve().parents[2] / "frontend" / "dist",
        description="the built web UI the service serves at / (`make setup` builds it)",
    )

    # Where runs execute.
    EXECUTION_BACKEND: Literal["local", "queue"] = Field(
        "local",
        description="`local`: in this process; `queue`: on `execbox worker` processes fed through Redis "
        "by Celery (needs REDIS_URL and a database all nodes share)",
    )
    QUEUE_MAX_LENGTH: int = Field(1000, gt=0, description="waiting runs beyond which new ones get 503")
    QUEUE_WAIT_TIMEOUT: float = Field(60.0, gt=0, description="seconds a run may wait for a worker")
    QUEUE_LOST_RUN_AFTER: float = Field(
        60.0, gt=0, description="seconds after which a submission whose run Redis lost is internal_error"
    )
    WORKER_METRICS_PORT: int = Field(9100, ge=0, description="the worker's /metrics port; 0: none")
    # Asynchronous submissions (POST /submissions) waiting for a verdict.
    ASYNC_MAX_WAITING: int = Field(
        500, gt=0, description="asynchronous submissions waiting for a verdict, in all; past it 503"
    )
    ASYNC_MAX_WAITING_PER_CLIENT: int = Field(
        5, gt=0, description="asynchronous submissions waiting for a verdict, per client; past it 429"
    )
    ASYNC_START_DEADLINE: float = Field(
        600.0, gt=0, description="seconds one may wait to start before it ends internal_error, never run"
    )
    FAILED_SUBMISSION_RETENTION_DAYS: float = Field(
        7.0,
        ge=0,
        description="asynchronous submissions that did not succeed are deleted this long after they "
        "ended (a synchronous Save keeps successes only); successes and shared runs are kept. 0: kept too",
    )

    # Sandbox engine.
    SANDBOX_LIVE_RUNS: int | None = Field(
        None,
        gt=0,
        description="programs alive at once on this node (the API in local mode, each worker in queue "
        "mode), whether they compute, sleep or wait for input; unset: SANDBOX_MEMORY_TOTAL_MB x 16 / "
        "MEMORY_LIMIT, at most SANDBOX_LIVE_RUNS_MAX. Cores do not count",
    )
    SANDBOX_LIVE_RUNS_MAX: int = Field(
        LIVE_RUNS_CEILING,
        gt=0,
        le=LIVE_RUNS_CEILING,
        description="the ceiling of SANDBOX_LIVE_RUNS's default",
    )
    SANDBOX_WARM_CHILDREN: int | None = Field(
        None,
        gt=0,
        description="idle children each of the 2 templates keeps warm (unset: two per core); past them, "
        "children are made on demand",
    )
    SANDBOX_FIRST_UID: int = Field(
        64000,
        description="where the engine starts looking for its slot uids (live runs + 4 x warm children): "
        "it takes the first range from here that no host user owns and no other engine on the host holds",
    )
    SANDBOX_MEMORY_TOTAL_MB: int | None = Field(
        None,
        gt=0,
        description="MiB for all sandboxes of a node together (one parent cgroup); unset: 3/4 of the host's",
    )
    CLIENT_RUNS_ALIVE: int = Field(
        2,
        ge=0,
        description="synchronous runs (execute, submit, stream) alive at once per client address (runs "
        "sent without credentials) on this node; past it 429, or a wait for runs sent with `wait`. 0: "
        "no share",
    )
    USER_RUNS_ALIVE: int = Field(
        4,
        ge=0,
        description="as CLIENT_RUNS_ALIVE, per signed-in account, unless an administrator set the "
        "account's own. 0: no share",
    )
    KEY_RUNS_ALIVE: int = Field(
        4,
        ge=0,
        description="as CLIENT_RUNS_ALIVE, per API key, unless an administrator set its account's own. 0: "
        "no share",
    )
    CLIENT_RUNS_WAITING: int = Field(
        20,
        ge=0,
        description="runs of one client that may wait (sent with `wait`) behind its share; past it 429",
    )
    RUN_WAIT_MAX_S: float = Field(
        120.0,
        gt=0,
        description="the longest a run sent with `wait` waits for its turn (its share, then a sandbox); "
        "then 503",
    )
    SANDBOX_DEMOTE_AFTER_CPU_S: float = Field(
        1.0, gt=0, description="CPU seconds after which a run yields to fresh ones (the lowest CPU weight)"
    )

    @field_validator("ALLOWED_MODULES", "BANNED_BUILTINS", "ALLOWED_HOSTS", "ALLOWED_ORIGINS", mode="before")
    @classmethod
    def _split_names(cls, value: object) -> object:
        if isinstance(value, str):  # "numpy, pandas" in the environment
            return frozenset(name.strip() for name in value.split(",") if name.strip())
        return value

    @field_validator("PUBLIC_URL")
    @classmethod
    def _check_public_url(cls, value: str | None) -> str | None:
        if value is not None and not value.startswith(("http://", "https://")):
            raise ValueError(f"{value!r} is not a URL: write e.g. 'https://run.example.org'")
        return value.rstrip("/") if value else value

    @field_validator(
        "RATE_LIMIT", "USER_RATE_LIMIT", "KEY_RATE_LIMIT", "REFUSAL_RATE_LIMIT", "LOGIN_RATE_LIMIT"
    )
    @classmethod
    def _parse_rate_limit(cls, value: str) -> str:
        parsed_rate_limit(value)
        return value

    @model_validator(mode="after")
    def _check(self) -> Settings:
        if self.ENVIRONMENT != "local" and self.SECRET_KEY == DEFAULT_SECRET_KEY:
            raise ValueError(
                f"SECRET_KEY is still the default {DEFAULT_SECRET_KEY!r} in ENVIRONMENT={self.ENVIRONMENT}: "
                "set it to a long random value, e.g. "
                'python3 -c "import secrets; print(secrets.token_urlsafe(32))"'
            )
        if not self.ANONYMOUS_RUNS and not self.ACCOUNTS_ENABLED:
            raise ValueError("ANONYMOUS_RUNS=false needs ACCOUNTS_ENABLED=true: nobody could run code")
        if self.SANDBOX_LIVE_RUNS and self.SANDBOX_LIVE_RUNS > self.SANDBOX_LIVE_RUNS_MAX:
            raise ValueError(
                f"SANDBOX_LIVE_RUNS={self.SANDBOX_LIVE_RUNS} is above "
                f"SANDBOX_LIVE_RUNS_MAX={self.SANDBOX_LIVE_RUNS_MAX}"
            )
        if self.EXECUTION_BACKEND == "queue" and not self.REDIS_URL:
            raise ValueError("EXECUTION_BACKEND=queue needs REDIS_URL (the queue lives in Redis)")
        if self.MAX_INPUT_FILES_BYTES > self.MAX_INPUT_FILES_BYTES_MAX:
            raise ValueError(
                f"MAX_INPUT_FILES_BYTES={self.MAX_INPUT_FILES_BYTES} is above "
                f"MAX_INPUT_FILES_BYTES_MAX={self.MAX_INPUT_FILES_BYTES_MAX}"
            )
        self.limit_policy  # noqa: B018 -- a default above its maximum fails here, at start-up
        return self

    @property
    def limit_policy(self) -> LimitPolicy:
        return LimitPolicy(
            default=RunLimits(
                wall_time_s=self.EXECUTION_TIMEOUT,
                cpu_time_s=self.CPU_TIME_LIMIT,
                memory_mb=self.MEMORY_LIMIT,
                output_bytes=self.OUTPUT_LIMIT,
                results_bytes=self.RESULTS_LIMIT,
            ),
            maximum=RunLimits(
                wall_time_s=self.EXECUTION_TIMEOUT_MAX,
                cpu_time_s=self.CPU_TIME_LIMIT_MAX,
                memory_mb=self.MEMORY_LIMIT_MAX,
                output_bytes=self.OUTPUT_LIMIT_MAX,
                results_bytes=self.RESULTS_LIMIT_MAX,
            ),
        )

    @property
    def run_body_bytes(self) -> int:
        """The largest body of a run (execute, submit, submissions) or stream message: code and
        input, and the input files in base64 with their names (JSON may escape a name's every
        character as six)."""
        files_base64 = -(-self.MAX_INPUT_FILES_BYTES // 3) * 4
        names = self.MAX_INPUT_FILES * (6 * MAX_NAME_BYTES + 64)
        return self.MAX_REQUEST_BYTES + files_base64 + names

    @property
    def sandbox_config(self) -> SandboxConfig:
        config = SandboxConfig(
            limits=self.limit_policy,
            first_uid=self.SANDBOX_FIRST_UID,
            live_runs=self.SANDBOX_LIVE_RUNS,
            live_runs_max=self.SANDBOX_LIVE_RUNS_MAX,
            demote_after_cpu_s=self.SANDBOX_DEMOTE_AFTER_CPU_S,
        )
        if self.SANDBOX_WARM_CHILDREN:
            config = dataclasses.replace(config, warm_children=self.SANDBOX_WARM_CHILDREN)
        if self.SANDBOX_MEMORY_TOTAL_MB:
            config = dataclasses.replace(config, sandboxes_memory_mb=self.SANDBOX_MEMORY_TOTAL_MB)
        return config

    @property
    def database_url(self) -> str:
        if self.DATABASE_URL:
            return self.DATABASE_URL
        if self.POSTGRES_SERVER:
            return str(
                PostgresDsn.build(
                    scheme="postgresql+asyncpg",
                    username=self.POSTGRES_USER,
                    password=self.POSTGRES_PASSWORD or None,
                    host=self.POSTGRES_SERVER,
                    port=self.POSTGRES_PORT,
                    path=self.POSTGRES_DB,
                )
            )
        return f"sqlite+aiosqlite:///{self.SQLITE_PATH.resolve()}"

    @property
    def policy_preset(self) -> str:
        """The preset in force, or "custom" when ALLOWED_MODULES replaces its list."""
        return self.CODE_POLICY_PRESET if self.ALLOWED_MODULES is None else "custom"

    @property
    def code_policy(self) -> CodePolicy:
        allowed = self.ALLOWED_MODULES
        return CodePolicy(
            allowed_modules=PRESETS[self.CODE_POLICY_PRESET] if allowed is None else allowed,
            banned_builtins=self.BANNED_BUILTINS,
            max_chars=self.MAX_CODE_LENGTH,
            max_lines=self.MAX_CODE_LINES,
            max_complexity=self.MAX_COMPLEXITY,
        )


@functools.cache
def get_settings() -> Settings:
    return Settings()


def load_settings() -> Settings | None:
    """The settings for a command, or None after telling the operator what is wrong with them."""
    try:
        return get_settings()
    except ValidationError as error:
        print(f"execbox: the settings (environment or .env) are not valid:\n{error}", file=sys.stderr)
        return None
