"""The production stack (Dockerfile, docker-compose.yml) names code and settings that exist.

No Docker engine runs where the suite runs, so these read the files: they catch a renamed
module, a dropped healthcheck or a Python version drifting between the image and the project.
"""

import ast
import json
import re
import shlex
import tomllib
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parent.parent
COMPOSE = yaml.safe_load((ROOT / "docker-compose.yml").read_text())
SERVICES = COMPOSE["services"]
APP_SERVICES = ["web", "worker", "beat"]
WSGI_APP = "config.wsgi:application"


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


def _web_shell_steps() -> list[list[str]]:
    """web runs `sh -c "A && B"`; each step as its own argument list."""
    assert _command("web")[:2] == ["sh", "-c"]
    return [shlex.split(step) for step in _command("web")[2].split("&&")]


def _python_version_file() -> str:
    """major.minor from .python-version (which may pin a patch release too)."""
    return ".".join((ROOT / ".python-version").read_text().strip().split(".")[:2])


# --- docker-compose.yml ------------------------------------------------------------------------

def test_compose_runs_exactly_the_production_services():
    assert set(SERVICES) == {"postgres", "redis", "web", "worker", "beat"}


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
def test_app_service_redis_url_points_at_the_redis_service(service):
    assert SERVICES[service]["environment"]["REDIS_URL"] == "redis://redis:6379/0"


@pytest.mark.parametrize("service", APP_SERVICES)
def test_app_service_waits_for_healthy_postgres_and_redis(service):
    depends_on = SERVICES[service]["depends_on"]
    assert {name: depends_on[name]["condition"] for name in ("postgres", "redis")} == {
        "postgres": "service_healthy", "redis": "service_healthy"}


@pytest.mark.parametrize("service", APP_SERVICES)
def test_app_service_restarts_unless_stopped(service):
    assert SERVICES[service]["restart"] == "unless-stopped"


def test_worker_waits_for_web_so_migrations_have_run():
    assert SERVICES["worker"]["depends_on"]["web"]["condition"] == "service_healthy"


def test_web_migrates_first():
    assert _web_shell_steps()[0] == ["python", "manage.py", "migrate", "--no-input"]


def test_web_then_hands_its_process_to_gunicorn_serving_the_wsgi_application():
    assert _web_shell_steps()[1] == ["exec", "gunicorn", WSGI_APP, "--bind", "0.0.0.0:8000"]


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


def test_celery_finds_the_named_rotamatch_app_in_config():
    # The same lookup `celery -A config` performs.
    from celery.app.utils import find_app

    from config.celery import app

    assert (find_app("config"), app.main) == (app, "rotamatch")


def test_redis_keeps_the_broker_data_in_an_append_only_file():
    command = _command("redis")
    assert command[command.index("--appendonly") + 1] == "yes"


def test_redis_data_lives_on_a_named_volume():
    assert "redis-data:/data" in SERVICES["redis"]["volumes"]


def test_postgres_data_lives_on_a_named_volume():
    assert "postgres-data:/var/lib/postgresql/data" in SERVICES["postgres"]["volumes"]


@pytest.mark.parametrize("service", ["postgres", "redis", "web", "worker", "beat"])
def test_every_service_has_a_healthcheck(service):
    assert SERVICES[service]["healthcheck"]["test"][0] in {"CMD", "CMD-SHELL"}


def test_postgres_healthcheck_is_pg_isready():
    assert SERVICES["postgres"]["healthcheck"]["test"][1] == "pg_isready"


def test_redis_healthcheck_expects_pong():
    assert SERVICES["redis"]["healthcheck"]["test"] == [
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
