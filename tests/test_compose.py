"""docker-compose.yml, deploy/nginx.conf and the Dockerfile, read as data (no Docker engine needed): the
services (one nginx entry point, api replicas, grading workers, PostgreSQL, the model), their health checks,
and the addresses that wire them together."""

from __future__ import annotations

import json
import os
import re
import shlex
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
import yaml
from sqlalchemy import make_url

from service.config import REPO_ROOT, Settings

COMPOSE: dict[str, Any] = yaml.safe_load((REPO_ROOT / "docker-compose.yml").read_text())
SERVICES: dict[str, Any] = COMPOSE["services"]
DOCKERFILE: str = (REPO_ROOT / "Dockerfile").read_text()


def _environment(name: str) -> dict[str, str]:
    """A service's environment, whether written as a mapping or as a list of KEY=VALUE."""
    env = SERVICES[name].get("environment", {})
    if isinstance(env, list):
        return dict(str(item).split("=", 1) for item in env)
    return {str(key): str(value) for key, value in env.items()}


def _command(name: str) -> list[str]:
    command = SERVICES[name]["command"]
    return shlex.split(command) if isinstance(command, str) else [str(arg) for arg in command]


def _option(args: list[str], flag: str) -> str:
    """The value after `flag` in an argument list."""
    assert flag in args, f"{flag} missing from {args}"
    return args[args.index(flag) + 1]


def _port_mappings(name: str) -> list[tuple[int | None, int]]:
    """(published, container) pairs from short ("8000:8000", "127.0.0.1:8000:8000/tcp") or long syntax."""
    pairs: list[tuple[int | None, int]] = []
    for entry in SERVICES[name].get("ports", []):
        if isinstance(entry, dict):
            published = entry.get("published")
            pairs.append((int(published) if published is not None else None, int(entry["target"])))
            continue
        parts = str(entry).split("/")[0].split(":")
        pairs.append((int(parts[-2]) if len(parts) > 1 else None, int(parts[-1])))
    return pairs


def _healthcheck_text(name: str) -> str:
    test = SERVICES[name]["healthcheck"]["test"]
    return test if isinstance(test, str) else " ".join(str(part) for part in test)


def _dockerfile_cmd() -> list[str]:
    match = re.search(r"^CMD\s+(\[.*\])\s*$", DOCKERFILE, re.MULTILINE)
    assert match, "the Dockerfile has no exec-form CMD"
    cmd: list[str] = json.loads(match.group(1))
    return cmd


# --- the services and their health checks -------------------------------------------------------


@pytest.mark.parametrize("name", ["entry", "api", "worker", "postgres", "model"])
def test_service_exists(name: str) -> None:
    assert name in SERVICES


@pytest.mark.parametrize(
    ("name", "probe"),
    [
        ("api", "http://localhost:8000/healthz"),
        ("postgres", "pg_isready"),
        ("model", "http://localhost:8080/health"),
    ],
)
def test_service_has_a_healthcheck(name: str, probe: str) -> None:
    healthcheck = SERVICES[name]["healthcheck"]
    assert not healthcheck.get("disable", False)
    test = healthcheck["test"]
    assert isinstance(test, list) and test[0] in ("CMD", "CMD-SHELL"), test
    assert probe in _healthcheck_text(name)


def test_api_healthcheck_uses_only_the_standard_library() -> None:
    # python:3.11-slim has no curl; urlopen raises (exit status 1) on a refused connection or a non-2xx.
    test = SERVICES["api"]["healthcheck"]["test"]
    assert test[:3] == ["CMD", "python", "-c"]
    assert "urllib.request.urlopen(" in test[3]


# --- how the api reaches the others -------------------------------------------------------------


@pytest.mark.parametrize("dependency", ["postgres", "model"])
def test_api_waits_for_a_healthy(dependency: str) -> None:
    depends_on = SERVICES["api"]["depends_on"]
    assert isinstance(depends_on, dict), "long form needed to state a condition"
    assert depends_on[dependency]["condition"] == "service_healthy"


def test_api_base_points_at_the_model_service() -> None:
    url = urlsplit(_environment("api")["STARDRIVE_API_BASE"])
    model_args = _command("model")
    assert url.scheme == "http"
    assert url.hostname == "model"
    assert url.port == int(_option(model_args, "--port"))
    assert url.path.rstrip("/") == "/v1"  # llama.cpp's OpenAI-compatible routes
    assert _option(model_args, "--host") == "0.0.0.0"  # reachable from the api container


def test_database_url_points_at_the_postgres_service() -> None:
    url = make_url(_environment("api")["STARDRIVE_DATABASE_URL"])
    postgres = _environment("postgres")
    assert url.drivername == "postgresql+asyncpg"
    assert url.host == "postgres"
    assert (url.port or 5432) == 5432
    assert url.username == postgres["POSTGRES_USER"]
    assert url.password == postgres["POSTGRES_PASSWORD"]
    assert url.database == postgres["POSTGRES_DB"]


@pytest.mark.parametrize(
    ("variable", "expected"),
    [
        ("STARDRIVE_MODEL", "openai/smollm2"),
        ("STARDRIVE_JSON_MODE", "json_object"),
    ],
)
def test_api_model_settings(variable: str, expected: str) -> None:
    assert _environment("api")[variable] == expected


def test_every_stardrive_variable_is_a_valid_setting() -> None:
    # Settings ignores unknown variables, so a misspelt name would silently fall back to the default.
    stardrive = {
        key.removeprefix("STARDRIVE_").lower(): value
        for key, value in _environment("api").items()
        if key.startswith("STARDRIVE_")
    }
    unknown = set(stardrive) - set(Settings.model_fields)
    assert not unknown, f"not Settings fields: {sorted(unknown)}"
    Settings.model_validate(stardrive)  # raises on an invalid value; reads no environment or .env


# --- ports, the model file, the image -----------------------------------------------------------


NGINX: str = (REPO_ROOT / "deploy" / "nginx.conf").read_text()


def _nginx(directive: str) -> list[str]:
    """The arguments of every `directive ...;` in deploy/nginx.conf, comments left out."""
    text = re.sub(r"#[^\n]*", "", NGINX)
    return [m.group(1).strip() for m in re.finditer(rf"(?m)^\s*{directive}\s+([^;]*);", text)]


def test_the_entry_point_publishes_port_8000_and_nothing_else_does() -> None:
    """One way in: nginx on the host's port 8000; the api replicas only on the compose network."""
    assert [published for published, _ in _port_mappings("entry")] == [8000]
    assert [name for name in SERVICES if _port_mappings(name)] == ["entry"]


def test_several_api_replicas_behind_the_entry_point() -> None:
    assert SERVICES["api"]["deploy"]["replicas"] >= 2
    assert SERVICES["entry"]["depends_on"]["api"]["condition"] == "service_healthy"
    mounted = [str(v).split(":") for v in SERVICES["entry"]["volumes"]]
    assert any(src == "./deploy/nginx.conf" and dst.startswith("/etc/nginx/") for src, dst, *_ in mounted)


def test_the_entry_point_listens_where_compose_maps_it() -> None:
    listens = {int(arg.split()[0]) for arg in _nginx("listen")}
    assert {container for _, container in _port_mappings("entry")} <= listens


def test_the_entry_point_streams_replies_and_spreads_requests() -> None:
    """SSE needs buffering off at the proxy; resolving `api` per request (a variable and Docker's
    resolver) reaches every replica, and a scaled-up one without a restart."""
    assert "off" in _nginx("proxy_buffering")
    assert any(arg.startswith("127.0.0.11") for arg in _nginx("resolver"))
    [target] = _nginx("set")
    name, url = target.split(maxsplit=1)
    assert _nginx("proxy_pass") == [name]
    parts = urlsplit(url)
    assert parts.hostname == "api" and parts.port == int(_option(_dockerfile_cmd(), "--port"))


def test_model_file_is_inside_a_mounted_volume() -> None:
    gguf = Path(_option(_command("model"), "-m"))
    targets = [Path(str(volume).split(":")[1]) for volume in SERVICES["model"]["volumes"]]
    assert gguf.suffix == ".gguf"
    assert any(gguf.is_relative_to(target) for target in targets), (gguf, targets)


def test_postgres_keeps_its_data_in_a_named_volume() -> None:
    sources = [str(volume).split(":")[0] for volume in SERVICES["postgres"]["volumes"]]
    assert any(source in COMPOSE.get("volumes", {}) for source in sources), sources


def test_the_entry_point_is_published_on_loopback_only() -> None:
    """The image serves without accounts, so nothing but the host itself may reach it."""
    for entry in SERVICES["entry"]["ports"]:
        host = entry.get("host_ip") if isinstance(entry, dict) else str(entry).rsplit(":", 2)[0]
        assert host == "127.0.0.1", entry


def test_image_serves_on_the_port_compose_exposes() -> None:
    cmd = _dockerfile_cmd()
    assert cmd[:2] == ["stardrive", "serve"] and _option(cmd, "--host") == "0.0.0.0"
    assert int(_option(cmd, "--port")) in {int(str(p)) for p in SERVICES["api"]["expose"]}


def test_image_runs_as_a_non_root_user() -> None:
    users = re.findall(r"^USER\s+(\S+)", DOCKERFILE, re.MULTILINE)
    assert users and users[-1] not in ("root", "0"), users


def test_the_image_command_with_the_compose_environment_starts(tmp_path: Path) -> None:
    """The Dockerfile's CMD under the api service's environment, run here: it must serve, not exit 2.
    Only what the compose network provides is swapped: the database (a local SQLite file for the postgres
    service), the model (builtin for the model service) and the port (a free one)."""
    from tests.servers import free_port, running, stardrive_executable

    exe = stardrive_executable()
    assert exe is not None
    cmd = _dockerfile_cmd()
    port = free_port()
    cmd = [exe, *cmd[1:]]
    cmd[cmd.index("--port") + 1] = str(port)
    env = {k: v for k, v in os.environ.items() if not k.startswith("STARDRIVE_")}
    env |= {k: re.sub(r"\$\{[^}]*:-([^}]*)\}", r"\1", v) for k, v in _environment("api").items()}
    env |= {
        "STARDRIVE_DATABASE_URL": f"sqlite+aiosqlite:///{tmp_path / 'stardrive.db'}",
        "STARDRIVE_MODEL": "builtin",
        "LITELLM_LOCAL_MODEL_COST_MAP": "True",
    }
    env.pop("STARDRIVE_API_BASE", None)
    with running(cmd, f"http://127.0.0.1:{port}/healthz", tmp_path / "serve.log", env=env, timeout=60):
        pass


# --- grading workers (issue 14) -----------------------------------------------------------------


def test_workers_grade_against_the_apis_database_and_model() -> None:
    api, worker = _environment("api"), _environment("worker")
    assert _command("worker") == ["stardrive", "worker"]
    for variable in (
        "STARDRIVE_DATABASE_URL",
        "STARDRIVE_MODEL",
        "STARDRIVE_API_BASE",
        "STARDRIVE_JSON_MODE",
    ):
        assert worker[variable] == api[variable], variable
    assert api["STARDRIVE_GRADING_WORKER"] == "false"  # the api enqueues; the workers grade
    assert SERVICES["worker"]["deploy"]["replicas"] >= 2
    assert {d: c["condition"] for d, c in SERVICES["worker"]["depends_on"].items()} == {
        "postgres": "service_healthy",
        "model": "service_healthy",
    }
