"""The production stack (Dockerfile, docker-compose.yml, deploy/Caddyfile) names code and settings
that exist, and scales with `docker compose up --scale web=N --scale worker=N`.

No Docker engine runs where the suite runs, so these read the files: they catch a renamed
module, a dropped healthcheck, a fixed host port that would stop a service from scaling, or a
Python version drifting between the image and the project.
"""

import ast
import json
import os
import re
import shlex
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parent.parent
COMPOSE = yaml.safe_load((ROOT / "docker-compose.yml").read_text())
SERVICES = COMPOSE["services"]
# Every container of the project's image; the first runs once, the others run on.
APP_SERVICES = ["migrate", "web", "worker", "beat"]
LONG_RUNNING_APP_SERVICES = ["web", "worker", "beat"]
SCALED_SERVICES = ["web", "worker"]
WSGI_APP = "config.wsgi:application"
BROKER_URL = "redis://redis:6379/0"
CACHE_URL = "redis://cache:6379/0"


def _dockerfile_stages() -> list[list[tuple[str, str]]]:
    """The Dockerfile's instructions as (INSTRUCTION, arguments), grouped by FROM."""
    logical, current = [], ""
    for line in (ROOT / "Dockerfile").read_text().splitlines():
        if not current and (not line.strip() or line.lstrip().startswith("#")):
            continue
        if line.rstrip().endswith("\\"):
            current += line.rstrip()[:-1] + " "
        else:
            logical.append(current + line)
            current = ""
    stages: list[list[tuple[str, str]]] = []
    for text in logical:
        instruction, _, arguments = text.strip().partition(" ")
        if instruction.upper() == "FROM":
            stages.append([])
        stages[-1].append((instruction.upper(), arguments.strip()))
    return stages


STAGES = _dockerfile_stages()
FINAL_STAGE = STAGES[-1]


def _instructions(stage, name: str) -> list[str]:
    return [arguments for instruction, arguments in stage if instruction == name]


def _base_image(stage) -> str:
    return _instructions(stage, "FROM")[0].split()[0]


def _command(service: str) -> list[str]:
    command = SERVICES[service]["command"]
    return shlex.split(command) if isinstance(command, str) else command


def _web_port() -> str:
    """The port gunicorn binds in each web container."""
    command = _command("web")
    return command[command.index("--bind") + 1].rpartition(":")[2]


def _caddyfile() -> list[tuple[list[str], list]]:
    """deploy/Caddyfile as (words, children) per line, a line ending in `{` holding a block."""
    root: list = []
    stack = [root]
    for line in (ROOT / "deploy" / "Caddyfile").read_text().splitlines():
        words = shlex.split(line.partition("#")[0])
        if words == ["}"]:
            stack.pop()
        elif words:
            opens = words[-1] == "{"
            node = (words[:-1] if opens else words, [])
            stack[-1].append(node)
            if opens:
                stack.append(node[1])
    assert stack == [root], "unbalanced braces in deploy/Caddyfile"
    return root


def _caddy_find(nodes, *words: str) -> list[tuple[list[str], list]]:
    """Every node, at any depth, whose words start with `words`."""
    found = []
    for node in nodes:
        if node[0][:len(words)] == list(words):
            found.append(node)
        found += _caddy_find(node[1], *words)
    return found


def _caddy_site(address: str):
    [site] = [node for node in _caddyfile() if node[0] == [address]]
    return site


def _cache_and_broker_urls(environment: dict[str, str]) -> list[str]:
    """The cache's Redis and Celery's broker, as the settings read them from `environment`."""
    code = ("from django.conf import settings; "
            "print(settings.CACHES['redis']['LOCATION'], settings.CELERY_BROKER_URL)")
    inherited = {k: v for k, v in os.environ.items() if k not in {"CACHE_REDIS_URL", "REDIS_URL"}}
    env = {**inherited, "SECRET_KEY": "compose-test-" + "k" * 50, "EMAIL_URL": "smtp://mail.invalid:25",
           "SITE_URL": "https://rotamatch.example.org", **environment}
    result = subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True,
                            text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    return result.stdout.split()


def _compose_environment(service: str) -> dict[str, str]:
    """The service's `environment`, with ${NAME:?message} filled in as Compose would."""
    return {name: re.sub(r"\$\{(\w+):\?[^}]*\}", "compose-test-value", str(value))
            for name, value in SERVICES[service]["environment"].items()}


def _python_version_file() -> str:
    """major.minor from .python-version (which may pin a patch release too)."""
    return ".".join((ROOT / ".python-version").read_text().strip().split(".")[:2])


# --- docker-compose.yml ------------------------------------------------------------------------

def test_compose_runs_exactly_the_production_services():
    assert set(SERVICES) == {"postgres", "redis", "cache", "migrate", "web", "worker", "beat", "proxy"}


@pytest.mark.parametrize("service", APP_SERVICES)
def test_app_service_uses_production_settings(service):
    assert SERVICES[service]["environment"]["DJANGO_SETTINGS_MODULE"] == "config.settings.production"


@pytest.mark.parametrize("service", APP_SERVICES)
def test_app_service_builds_from_the_project_root(service):
    assert SERVICES[service]["build"] == "."


@pytest.mark.parametrize("service", APP_SERVICES)
def test_app_service_reads_secrets_from_the_env_file(service):
    assert SERVICES[service]["env_file"] == ".env"


@pytest.mark.parametrize("service", APP_SERVICES)
def test_app_service_database_url_points_at_the_postgres_service(service):
    url = SERVICES[service]["environment"]["DATABASE_URL"]
    assert re.fullmatch(r"postgres://[^:@]+:[^@]+@([^:/]+):5432/\w+", url).group(1) == "postgres"


@pytest.mark.parametrize("service", APP_SERVICES)
def test_app_service_redis_url_points_at_the_broker_redis_service(service):
    assert SERVICES[service]["environment"]["REDIS_URL"] == BROKER_URL


@pytest.mark.parametrize("service", APP_SERVICES)
def test_app_service_cache_redis_url_points_at_the_cache_redis_service(service):
    assert SERVICES[service]["environment"]["CACHE_REDIS_URL"] == CACHE_URL


def test_the_compose_environment_gives_the_cache_and_the_broker_their_own_redis():
    assert _cache_and_broker_urls(_compose_environment("web")) == [CACHE_URL, BROKER_URL]


def test_without_cache_redis_url_the_cache_shares_the_broker_redis():
    # As under `make run` and `make test`, which start one Redis.
    environment = {k: v for k, v in _compose_environment("web").items() if k != "CACHE_REDIS_URL"}
    assert _cache_and_broker_urls(environment) == [BROKER_URL, BROKER_URL]


@pytest.mark.parametrize("service", LONG_RUNNING_APP_SERVICES)
def test_app_service_waits_for_healthy_postgres_and_both_redis(service):
    depends_on = SERVICES[service]["depends_on"]
    assert {name: depends_on[name]["condition"] for name in ("postgres", "redis", "cache")} == {
        "postgres": "service_healthy", "redis": "service_healthy", "cache": "service_healthy"}


@pytest.mark.parametrize("service", LONG_RUNNING_APP_SERVICES)
def test_app_service_starts_after_the_migrations_have_run(service):
    assert SERVICES[service]["depends_on"]["migrate"]["condition"] == "service_completed_successfully"


@pytest.mark.parametrize("service", LONG_RUNNING_APP_SERVICES)
def test_app_service_restarts_unless_stopped(service):
    assert SERVICES[service]["restart"] == "unless-stopped"


def test_migrate_runs_the_migrations_once_waiting_for_postgres_only():
    assert _command("migrate") == ["python", "manage.py", "migrate", "--no-input"]
    assert SERVICES["migrate"]["depends_on"] == {"postgres": {"condition": "service_healthy"}}


def test_migrate_is_a_one_shot_job_that_is_never_restarted():
    # "unless-stopped" would start it again after every successful run.
    assert SERVICES["migrate"]["restart"] == "no"


def test_only_the_migrate_service_runs_migrations():
    # Replicas that each migrated at start would race on the same schema changes.
    assert [name for name, service in SERVICES.items()
            if "command" in service and "migrate" in " ".join(_command(name)).split()] == ["migrate"]


def test_web_serves_the_wsgi_application_with_gunicorn():
    assert _command("web") == ["gunicorn", WSGI_APP, "--bind", "0.0.0.0:8000"]


def test_the_wsgi_module_gunicorn_loads_defines_application():
    module, attribute = WSGI_APP.split(":")
    source = (ROOT / Path(*module.split("."))).with_suffix(".py").read_text()
    assigned = {target.id for node in ast.parse(source).body if isinstance(node, ast.Assign)
                for target in node.targets if isinstance(target, ast.Name)}
    assert attribute in assigned


def test_worker_runs_a_celery_worker_of_the_config_app():
    assert _command("worker")[:4] == ["celery", "-A", "config", "worker"]


def test_beat_runs_celery_beat_of_the_config_app():
    assert _command("beat")[:4] == ["celery", "-A", "config", "beat"]


# --- Scaling out -------------------------------------------------------------------------------

@pytest.mark.parametrize("service", SCALED_SERVICES)
def test_scaled_service_has_no_container_name(service):
    # Docker refuses a second container of the same name.
    assert "container_name" not in SERVICES[service]


@pytest.mark.parametrize("service", SCALED_SERVICES)
def test_scaled_service_publishes_no_host_port(service):
    # A second replica could not bind the same host port.
    assert "ports" not in SERVICES[service]


def test_only_the_load_balancer_publishes_a_port_and_on_loopback_only():
    published = {name: service["ports"] for name, service in SERVICES.items() if "ports" in service}
    assert published == {"proxy": ["127.0.0.1:${WEB_PORT:-8000}:8000"]}


def test_beat_runs_exactly_one_replica():
    # Two beats would each send every scheduled task.
    assert SERVICES["beat"]["deploy"] == {"replicas": 1}


@pytest.mark.parametrize("service", SCALED_SERVICES)
def test_scaled_service_shares_the_private_media_volume(service):
    # An upload stored by one web replica is read by another, or by a worker.
    assert "private-media:/app/media-private" in SERVICES[service]["volumes"]
    assert "private-media" in COMPOSE["volumes"]


def test_proxy_runs_caddy_with_the_caddyfile_of_the_repository():
    assert SERVICES["proxy"]["image"].split(":")[0] == "caddy"
    assert SERVICES["proxy"]["volumes"] == ["./deploy/Caddyfile:/etc/caddy/Caddyfile:ro"]


def test_proxy_serves_the_port_it_publishes():
    container_port = SERVICES["proxy"]["ports"][0].rpartition(":")[2]
    assert _caddy_site(f":{container_port}")[1] != []


def test_proxy_balances_over_every_replica_of_the_web_service_found_by_dns():
    [(words, options)] = _caddy_find(_caddy_site(":8000")[1], "dynamic")
    assert words == ["dynamic", "a"]
    assert {option[0][0]: option[0][1:] for option in options} == {
        "name": ["web"], "port": [_web_port()], "refresh": ["5s"]}
    assert "web" in SERVICES


def test_proxy_passes_on_the_forwarded_proto_of_the_tls_proxy():
    # Without trusting its client, Caddy replaces X-Forwarded-Proto with its own "http", and
    # Django (which trusts that header) would redirect every request to HTTPS again.
    [(words, _)] = _caddy_find(_caddyfile(), "trusted_proxies")
    assert words == ["trusted_proxies", "static", "private_ranges"]


def test_proxy_healthcheck_asks_a_site_bound_to_the_container_loopback():
    assert SERVICES["proxy"]["healthcheck"]["test"] == [
        "CMD", "wget", "-q", "-O", "/dev/null", "http://127.0.0.1:8001/"]
    assert ["bind", "127.0.0.1"] in [words for words, _ in _caddy_site(":8001")[1]]


def test_celery_finds_the_named_rotamatch_app_in_config():
    # The same lookup `celery -A config` performs.
    from celery.app.utils import find_app

    from config.celery import app

    assert (find_app("config"), app.main) == (app, "rotamatch")


def test_redis_keeps_the_broker_data_in_an_append_only_file():
    command = _command("redis")
    assert command[command.index("--appendonly") + 1] == "yes"


def test_the_broker_redis_never_evicts_a_queued_task():
    # Redis's default policy, noeviction, refuses writes when full rather than drop keys.
    assert [arg for arg in _command("redis") if arg.startswith("--maxmemory")] == []


def test_the_cache_redis_keeps_nothing_and_evicts_the_least_recently_used_keys():
    command = _command("cache")
    assert {option: command[command.index(option) + 1] for option in (
        "--save", "--appendonly", "--maxmemory", "--maxmemory-policy")} == {
        "--save": "", "--appendonly": "no", "--maxmemory": "256mb",
        "--maxmemory-policy": "allkeys-lru"}


def test_redis_data_lives_on_a_named_volume():
    assert "redis-data:/data" in SERVICES["redis"]["volumes"]


def test_postgres_data_lives_on_a_named_volume():
    assert "postgres-data:/var/lib/postgresql/data" in SERVICES["postgres"]["volumes"]


@pytest.mark.parametrize("service", sorted(set(SERVICES) - {"migrate"}))
def test_every_long_running_service_has_a_healthcheck(service):
    assert SERVICES[service]["healthcheck"]["test"][0] in {"CMD", "CMD-SHELL"}


def test_postgres_healthcheck_is_pg_isready():
    assert SERVICES["postgres"]["healthcheck"]["test"][1] == "pg_isready"


@pytest.mark.parametrize("service", ["redis", "cache"])
def test_redis_healthcheck_expects_pong(service):
    assert SERVICES[service]["healthcheck"]["test"] == [
        "CMD-SHELL", 'test "$$(redis-cli ping)" = PONG']


def test_web_healthcheck_is_valid_python_claiming_https():
    test = SERVICES["web"]["healthcheck"]["test"]
    assert test[:3] == ["CMD", "python", "-c"]
    compile(test[3], "web healthcheck", "exec")
    assert '"X-Forwarded-Proto": "https"' in test[3]


def test_worker_healthcheck_pings_its_own_node():
    assert SERVICES["worker"]["healthcheck"]["test"] == [
        "CMD-SHELL", "celery -A config inspect ping --destination celery@$$HOSTNAME --timeout 10"]


def test_beat_answers_the_ping_its_healthcheck_sends():
    assert "--enable-remote-control" in _command("beat")
    assert SERVICES["beat"]["healthcheck"]["test"] == [
        "CMD-SHELL",
        "celery -A config inspect ping --destination celerybeat@$$HOSTNAME --timeout 10"]


# --- Dockerfile ----------------------------------------------------------------------------------

def test_dockerfile_builds_assets_with_node_then_the_app_with_python():
    assert [_base_image(stage) for stage in STAGES] == ["node:20-slim", "python:3.12-slim"]


def test_image_default_command_serves_the_same_wsgi_application():
    assert json.loads(_instructions(FINAL_STAGE, "CMD")[-1]) == [
        "gunicorn", WSGI_APP, "--bind", "0.0.0.0:8000"]


def test_image_defaults_to_production_settings():
    assert "DJANGO_SETTINGS_MODULE=config.settings.production" in " ".join(
        _instructions(FINAL_STAGE, "ENV")).split()


def test_image_runs_as_a_non_root_user():
    assert _instructions(FINAL_STAGE, "USER")[-1] not in {"root", "0", "0:0"}


def test_image_keeps_no_secret_settings_in_its_environment():
    declared = " ".join(_instructions(FINAL_STAGE, "ENV") + _instructions(FINAL_STAGE, "ARG"))
    assert [name for name in ("SECRET_KEY", "DATABASE_URL", "REDIS_URL") if name in declared] == []


def test_image_collects_static_files():
    assert [run for run in _instructions(FINAL_STAGE, "RUN")
            if "manage.py collectstatic --no-input" in run] != []


def test_image_vendors_the_same_assets_as_make_assets():
    makefile_copies = re.findall(r"cp (node_modules/\S+)", (ROOT / "Makefile").read_text())
    dockerfile_copies = re.findall(r"cp (node_modules/\S+)", " ".join(_instructions(STAGES[0], "RUN")))
    assert dockerfile_copies == makefile_copies


def test_python_image_matches_python_version_file():
    tag = _base_image(FINAL_STAGE).split(":")[1]
    assert tag.split("-")[0] == _python_version_file() == "3.12"


def test_requires_python_floor_matches_python_version_file():
    pyproject = tomllib.loads((ROOT / "pyproject.toml").read_text())
    assert pyproject["project"]["requires-python"] == f">={_python_version_file()}"


def test_dockerignore_keeps_the_env_file_out_of_the_image():
    assert ".env" in (ROOT / ".dockerignore").read_text().splitlines()
