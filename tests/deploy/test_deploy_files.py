"""The deployment files: the Dockerfile, compose, Kubernetes, systemd and `.env.example`.

No Docker engine or cluster runs here, so each file is checked as far as it can be
without one: the compose file against the Compose Specification's JSON Schema (the
copy check-jsonschema ships), the Kubernetes manifests against the Kubernetes API's
schemas (kubernetes-validate, strict: unknown fields fail), the systemd unit with
`systemd-analyze`, and each against the others and the code (ports, names, settings).
The Dockerfile's install steps run for real: its build context, its builder's copies,
a wheel, an install into a fresh virtualenv from wheels only, and the installed
`studybot` run with the image's environment; its HEALTHCHECK command is run against
the real /healthz.
"""

from __future__ import annotations

import ast
import asyncio
import hashlib
import json
import os
import re
import shutil
import subprocess
import sys
import sysconfig
import tomllib
from collections.abc import AsyncIterator
from dataclasses import dataclass
from functools import cache
from importlib.resources import files
from pathlib import Path
from typing import Any

import jsonschema
import kubernetes_validate
import pytest
import yaml
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

from adapters.discord.settings import DiscordSettings
from adapters.slack.settings import SlackSettings
from bot.app import App, build_app
from bot.clock import SystemClock
from bot.config import Config, ConfigError, read_env_file
from bot.content.bank import QuestionBank
from bot.health import HealthServer
from tests.conftest import FIXTURE_CONTENT, REPO
from tests.deploy.dockerfile import (
    DockerIgnore,
    Instruction,
    arg_defaults,
    env_of,
    in_stage,
    parse_dockerfile,
    stage_names,
)
from tests.telemetry.console_platform import ConsolePlatform

DEPLOY = REPO / "deploy"
KUBERNETES = DEPLOY / "kubernetes"
ENV_EXAMPLE = REPO / ".env.example"
SETTING_PREFIXES = ("STUDYBOT_", "DISCORD_", "SLACK_")
# Read by the deploy files themselves (compose, systemd), not by the bot.
DEPLOY_ONLY_SETTINGS = {"STUDYBOT_PLATFORM", "POSTGRES_PASSWORD"}
SECRET_SUFFIXES = ("TOKEN", "SECRET", "PASSWORD")


@cache
def code_settings() -> frozenset[str]:
    """Return every setting name bot/ and adapters/ hold as a whole string constant."""
    names: set[str] = set()
    for package in ("bot", "adapters"):
        for path in (REPO / package).rglob("*.py"):
            for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
                if (
                    isinstance(node, ast.Constant)
                    and isinstance(node.value, str)
                    and node.value.startswith(SETTING_PREFIXES)
                    and re.fullmatch(r"[A-Z][A-Z0-9_]*", node.value)
                ):
                    names.add(node.value)
    return frozenset(names)


def known_settings() -> frozenset[str]:
    return code_settings() | DEPLOY_ONLY_SETTINGS


def dockerfile() -> list[Instruction]:
    return parse_dockerfile((REPO / "Dockerfile").read_text(encoding="utf-8"))


def final_stage(instructions: list[Instruction]) -> str:
    return stage_names(instructions)[-1]


def image_user(instructions: list[Instruction]) -> tuple[int, int]:
    """Return the runtime stage's (uid, gid) from its last USER."""
    user = in_stage(instructions, final_stage(instructions), "USER")[-1].args
    uid, _, gid = user.partition(":")
    return int(uid), int(gid)


# -- the Dockerfile -------------------------------------------------------------------


def test_dockerfile_builds_a_wheel_in_a_builder_stage_for_a_slim_runtime_stage() -> None:
    instructions = dockerfile()
    assert stage_names(instructions) == ["builder", "runtime"]
    defaults = arg_defaults(instructions)
    bases = [i.args.split()[0] for i in instructions if i.keyword == "FROM"]
    for base in bases:
        resolved = re.sub(r"\$\{(\w+)\}", lambda m: defaults[m.group(1)], base)
        assert resolved == "python:3.11-slim"
    builder_runs = " ".join(i.args for i in in_stage(instructions, "builder", "RUN"))
    # Dependencies from the lock files only, each checked against its hash.
    assert "pip install --require-hashes -r requirements/build-lock.txt" in builder_runs
    assert "pip wheel --require-hashes --wheel-dir /wheels -r requirements/lock.txt" in builder_runs
    assert "pip wheel --no-deps --no-build-isolation --wheel-dir /wheels ." in builder_runs
    (install,) = [i for i in in_stage(instructions, "runtime", "RUN") if "pip install" in i.args]
    assert install.options()["mount"] == "type=bind,from=builder,source=/wheels,target=/wheels"
    assert "--no-index --find-links=/wheels studybot" in install.args
    assert "--no-cache-dir" in install.args
    # The runtime stage takes the code from the wheels only; from the context, only the bank.
    copies = in_stage(instructions, "runtime", "COPY")
    assert [c.operands()[:-1] for c in copies] == [["content"]]


def _locked(path: Path) -> dict[str, tuple[str, int]]:
    """Return each requirement a lock file pins: its version and how many hashes it has."""
    pins: dict[str, tuple[str, int]] = {}
    name = ""
    for line in path.read_text(encoding="utf-8").splitlines():
        if match := re.match(r"^([A-Za-z0-9_.-]+)==(\S+)", line):
            name = canonicalize_name(match.group(1))
            pins[name] = (match.group(2), 0)
        elif "--hash=sha256:" in line and name:
            version, hashes = pins[name]
            pins[name] = (version, hashes + 1)
    return pins


def test_the_lock_files_pin_every_dependency_within_pyproject_and_with_hashes() -> None:
    project = tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))
    runtime = _locked(REPO / "requirements/lock.txt")
    dev = _locked(REPO / "requirements/dev-lock.txt")
    build = _locked(REPO / "requirements/build-lock.txt")
    wanted = [
        (project["project"]["dependencies"], (runtime, dev)),
        (project["project"]["optional-dependencies"]["dev"], (dev,)),
        (project["build-system"]["requires"], (build,)),
    ]
    for requirements, locks in wanted:
        for text in requirements:
            requirement = Requirement(text)
            for lock in locks:
                name = canonicalize_name(requirement.name)
                assert name in lock, f"{name} is not locked; run ./scripts/lock"
                assert requirement.specifier.contains(lock[name][0], prereleases=True), (
                    f"{name}=={lock[name][0]} is outside {requirement}; run ./scripts/lock"
                )
    for lock in (runtime, dev, build):
        assert all(hashes > 0 for _, hashes in lock.values())
    # The image's and the suite's shared dependencies are the same versions.
    assert {n: v for n, (v, _) in runtime.items()} == {n: dev[n][0] for n in runtime}


def test_dockerfile_runs_as_an_unprivileged_user_with_the_bank_and_port_set() -> None:
    instructions = dockerfile()
    uid, gid = image_user(instructions)
    assert uid >= 1000 and gid >= 1000  # numeric, so Kubernetes can check runAsNonRoot
    (create_user,) = [i for i in in_stage(instructions, "runtime", "RUN") if "useradd" in i.args]
    assert f"--uid {uid}" in create_user.args and f"--gid {gid}" in create_user.args
    env = env_of(instructions, "runtime")
    assert env["STUDYBOT_HTTP_PORT"] == "8080"
    (content_copy,) = in_stage(instructions, "runtime", "COPY")
    assert env["STUDYBOT_CONTENT_DIR"] == content_copy.operands()[-1]
    assert env["STUDYBOT_DATABASE_URL"].startswith("sqlite:////var/lib/studybot/")
    (workdir,) = in_stage(instructions, "runtime", "WORKDIR")
    assert workdir.args == "/var/lib/studybot"  # the user's home, which useradd creates
    assert "--home-dir /var/lib/studybot" in create_user.args
    assert set(env) - {"PIP_DISABLE_PIP_VERSION_CHECK", "PIP_ROOT_USER_ACTION"} <= {
        *known_settings(),
        "PYTHONDONTWRITEBYTECODE",
        "PYTHONUNBUFFERED",
    }
    (expose,) = in_stage(instructions, "runtime", "EXPOSE")
    assert expose.args.split() == ["8080", "3000"]
    (entrypoint,) = in_stage(instructions, "runtime", "ENTRYPOINT")
    assert entrypoint.operands() == ["studybot"]
    (cmd,) = in_stage(instructions, "runtime", "CMD")
    assert cmd.operands() == ["run", "--platform", "discord"]


def test_dockerfile_passes_hadolint() -> None:
    """The Dockerfile linter (a dev dependency, installed beside this Python) finds nothing."""
    hadolint = Path(sys.executable).parent / "hadolint"
    done = subprocess.run(
        [str(hadolint), "--no-color", "--failure-threshold", "info", str(REPO / "Dockerfile")],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert (done.returncode, done.stdout, done.stderr) == (0, "", "")


def healthcheck_command() -> list[str]:
    instructions = dockerfile()
    (check,) = in_stage(instructions, final_stage(instructions), "HEALTHCHECK")
    options = check.options()
    assert options["timeout"] == "5s" and options["start-period"] == "60s"
    command = check.args[check.args.index("CMD ") + 4 :]
    argv: list[str] = json.loads(command)  # exec form: no shell needed in the image
    return argv


def test_dockerfile_healthcheck_uses_python_not_curl() -> None:
    argv = healthcheck_command()
    assert argv[:2] == ["python", "-c"]
    assert "/healthz" in argv[2] and "STUDYBOT_HTTP_PORT" in argv[2]
    for instruction in dockerfile():
        assert not {"curl", "wget"} & set(re.findall(r"\w+", instruction.args)), instruction


@dataclass
class Served:
    platform: ConsolePlatform
    port: int


@pytest.fixture
async def served(tmp_path: Path, fixture_bank: QuestionBank) -> AsyncIterator[Served]:
    """The real /healthz of a real app (SQLite file, APScheduler) on a loopback port."""
    config = Config(
        database_url=f"sqlite:///{tmp_path / 'bot.sqlite3'}", content_dir=FIXTURE_CONTENT
    )
    platform = ConsolePlatform()
    app: App = await build_app(config, platform.chat, SystemClock(), bank=fixture_bank)
    await app.start()
    server = HealthServer(app, platform, port=0, host="127.0.0.1")
    await server.start()
    yield Served(platform, server.port)
    await server.stop()
    await app.stop()


async def run_healthcheck(port: int) -> tuple[int, str]:
    """Run the image's HEALTHCHECK command (with this Python) against a port."""
    argv = healthcheck_command()
    env = {**os.environ, "STUDYBOT_HTTP_PORT": str(port)}
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        *argv[1:],
        env=env,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.STDOUT,
    )
    output, _ = await asyncio.wait_for(process.communicate(), 30)
    assert process.returncode is not None
    return process.returncode, output.decode()


async def test_healthcheck_passes_on_200_and_fails_on_503_or_no_answer(served: Served) -> None:
    served.platform.connected = True
    status, output = await run_healthcheck(served.port)
    assert status == 0, output
    assert json.loads(output)["status"] == "ok"

    served.platform.connected = False
    status, output = await run_healthcheck(served.port)
    assert status == 1  # Docker: 1 is unhealthy (2 is reserved)
    assert "503" in output


async def test_healthcheck_fails_when_nothing_listens(unused_tcp_port: int) -> None:
    status, output = await run_healthcheck(unused_tcp_port)
    assert status == 1
    assert "Connection refused" in output


def test_dockerignore_lets_in_what_the_dockerfile_copies_and_nothing_secret() -> None:
    ignore = DockerIgnore.read(REPO / ".dockerignore")
    copied = [
        source
        for instruction in dockerfile()
        if instruction.keyword == "COPY" and "from" not in instruction.options()
        for source in instruction.operands()[:-1]
    ]
    assert sorted(copied) == [
        "README.md",
        "adapters",
        "bot",
        "content",
        "pyproject.toml",
        "requirements/build-lock.txt",
        "requirements/lock.txt",
    ]
    for source in copied:
        assert not ignore.ignores(source), source
    for kept in ("bot/cli.py", "adapters/slack/main.py", "content/questions/nlp.yaml"):
        assert not ignore.ignores(kept), kept
    for left_out in (
        ".env",
        ".env.example",
        ".git/config",
        ".venv/bin/python",
        "studybot-data/studybot.sqlite3",
        "tests/conftest.py",
        "requirements/dev-lock.txt",
        "bot/__pycache__/cli.cpython-311.pyc",
        "Dockerfile",
    ):
        assert ignore.ignores(left_out), left_out


# -- the Dockerfile's install steps, for real -------------------------------------------


def wheel_cache_root() -> Path:
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "studybot-tests" / "wheelhouse"


def wheelhouse(lock_files: list[Path]) -> Path:
    """Return a folder of the wheels the lock files name, checked against their hashes,
    downloaded once and kept (pip's own HTTP cache is not always usable), keyed by the
    lock files' contents and this interpreter."""
    contents = [path.read_text(encoding="utf-8") for path in lock_files]
    key_text = "\n".join([*contents, sys.version, sysconfig.get_platform()])
    key = hashlib.sha256(key_text.encode()).hexdigest()[:16]
    target = wheel_cache_root() / key
    if target.is_dir():
        return target
    partial = target.with_name(f".{key}-{os.getpid()}")
    shutil.rmtree(partial, ignore_errors=True)
    files = [arg for path in lock_files for arg in ("-r", str(path))]
    pip("download", "--require-hashes", "--dest", str(partial), *files, timeout=600)
    try:
        partial.rename(target)
    except OSError:  # another run finished first
        shutil.rmtree(partial, ignore_errors=True)
    return target


def pip(*args: str, timeout: float = 300) -> str:
    done = subprocess.run(
        [sys.executable, "-m", "pip", "--disable-pip-version-check", *args],
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )
    assert done.returncode == 0, f"pip {' '.join(args)}\n{done.stdout}\n{done.stderr}"
    return done.stdout


def copy_into(source: Path, dest: Path) -> None:
    """Copy a file or folder the way Docker's COPY does (a folder's contents into dest)."""
    if source.is_dir():
        shutil.copytree(source, dest, dirs_exist_ok=True)
    else:
        dest.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(source, dest)


def run_copies(copies: list[Instruction], context: Path, at: Path, workdir: str) -> None:
    """Carry out COPY instructions from `context` into `at`, a stand-in for the image's root."""
    for copy in copies:
        *sources, dest = copy.operands()
        target = at / (dest if dest.startswith("/") else f"{workdir}/{dest}").lstrip("/")
        for source in sources:
            into_folder = dest.endswith("/") or len(sources) > 1
            copy_into(context / source, target / Path(source).name if into_folder else target)


def in_image(value: str, root: Path) -> str:
    """Return an image path (or a sqlite:////path URL) moved under `root`."""
    if value.startswith("sqlite:////"):
        return f"sqlite:///{root}/{value.removeprefix('sqlite:////')}"
    return f"{root}{value}" if value.startswith("/") else value


@dataclass(frozen=True)
class Installed:
    """The image stood up in a folder: a virtualenv with the wheel, and the image's files."""

    venv: Path
    root: Path
    env: dict[str, str]

    def studybot(self, *args: str, stdin: str | None = None) -> subprocess.CompletedProcess[str]:
        workdir = self.root / "var/lib/studybot"
        return subprocess.run(
            [str(self.venv / "bin" / "studybot"), *args],
            cwd=workdir,
            env=self.env,
            input=stdin,
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
        )


@pytest.fixture(scope="module")
def installed(tmp_path_factory: pytest.TempPathFactory) -> Installed:
    """Follow the Dockerfile: its context, the builder's copies, a wheel, a clean install."""
    tmp = tmp_path_factory.mktemp("image")
    instructions = dockerfile()
    ignore = DockerIgnore.read(REPO / ".dockerignore")
    context = tmp / "context"
    for relative in ignore.context_files(REPO):
        copy_into(REPO / relative, context / relative)

    build_root = tmp / "builder"
    (workdir,) = in_stage(instructions, "builder", "WORKDIR")
    run_copies(in_stage(instructions, "builder", "COPY"), context, build_root, workdir.args)
    source = build_root / workdir.args.lstrip("/")
    wheels = wheelhouse([source / "requirements/lock.txt", source / "requirements/build-lock.txt"])
    built = tmp / "wheels"
    pip(
        "wheel",
        "--no-deps",
        "--no-index",
        "--find-links",
        str(wheels),
        "--wheel-dir",
        str(built),
        str(source),
    )

    venv = tmp / "venv"
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(venv)], check=True)
    pip(
        "--python",
        str(venv / "bin" / "python"),
        "install",
        "--no-compile",
        "--no-index",
        "--find-links",
        str(wheels),
        "--find-links",
        str(built),
        "studybot",
    )

    root = tmp / "root"
    run_copies(in_stage(instructions, "runtime", "COPY"), context, root, "/")
    (root / "var/lib/studybot").mkdir(parents=True)
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(SETTING_PREFIXES) and key not in ("PYTHONPATH", "VIRTUAL_ENV")
    }
    for key, value in env_of(instructions, "runtime").items():
        env[key] = in_image(value, root)
    env["PATH"] = f"{venv / 'bin'}{os.pathsep}{env.get('PATH', '')}"
    return Installed(venv, root, env)


@pytest.mark.slow
def test_installed_wheel_runs_from_its_own_site_packages(installed: Installed) -> None:
    done = subprocess.run(
        [str(installed.venv / "bin" / "python"), "-c", "import bot, adapters; print(bot.__file__)"],
        cwd=installed.root,
        env=installed.env,
        capture_output=True,
        text=True,
        check=True,
    )
    assert Path(done.stdout.strip()).is_relative_to(installed.venv)
    assert installed.studybot("--help").returncode == 0


@pytest.mark.slow
def test_installed_bot_reads_the_bank_the_image_bakes_in(installed: Installed) -> None:
    bank = Path(installed.env["STUDYBOT_CONTENT_DIR"])
    assert bank.is_relative_to(installed.root) and (bank / "syllabus.yaml").is_file()
    done = installed.studybot("content", "stats")
    assert done.returncode == 0, done.stderr
    questions = len(list((REPO / "content" / "questions").glob("*.yaml")))
    assert questions > 0 and re.search(r"^all\s+\d+", done.stdout, re.MULTILINE), done.stdout


@pytest.mark.slow
def test_installed_bot_migrates_and_runs_a_round_on_the_image_database(
    installed: Installed,
) -> None:
    first = installed.studybot("db", "migrate")
    assert first.returncode == 0, first.stderr
    assert "schema version 0 -> " in first.stdout
    again = installed.studybot("db", "migrate")
    assert again.returncode == 0 and "already up to date" in again.stdout, again.stdout
    database = installed.root / "var/lib/studybot/studybot.sqlite3"
    assert database.is_file()

    script = "\n".join(
        [
            ":admin",
            "/studybot setup time=09:00 tz=UTC days=daily reveal=18:00",
            ":at 2026-12-01T09:01",
        ]
    )
    done = installed.studybot("run", "--start", "2026-12-01T08:00", "--script", "-", stdin=script)
    assert done.returncode == 0, done.stderr
    assert "Question of the day" in done.stdout, done.stdout
    assert list(Path(installed.env["STUDYBOT_CACHE_DIR"]).glob("bank-*.json"))


# -- compose --------------------------------------------------------------------------


def compose() -> dict[str, Any]:
    document: dict[str, Any] = yaml.safe_load(
        (DEPLOY / "docker-compose.yml").read_text(encoding="utf-8")
    )
    return document


def test_compose_file_matches_the_compose_specification() -> None:
    schema_file = files("check_jsonschema") / "builtin_schemas/vendor/compose-spec.json"
    schema = json.loads(schema_file.read_text(encoding="utf-8"))
    validator_class = jsonschema.validators.validator_for(schema)
    validator_class.check_schema(schema)
    validator = validator_class(schema, format_checker=validator_class.FORMAT_CHECKER)
    errors = sorted(validator.iter_errors(compose()), key=str)
    assert errors == [], "\n".join(f"{list(e.absolute_path)}: {e.message}" for e in errors)


def test_compose_starts_postgres_then_migrates_then_runs_the_bot() -> None:
    services = compose()["services"]
    assert set(services) == {"postgres", "migrate", "bot"}
    postgres, migrate, bot = services["postgres"], services["migrate"], services["bot"]
    assert "pg_isready" in " ".join(postgres["healthcheck"]["test"])
    assert migrate["command"] == ["db", "migrate"] and migrate["restart"] == "no"
    assert migrate["depends_on"] == {"postgres": {"condition": "service_healthy"}}
    assert bot["depends_on"] == {
        "postgres": {"condition": "service_healthy"},
        "migrate": {"condition": "service_completed_successfully"},
    }
    assert bot["command"] == ["run", "--platform", "${STUDYBOT_PLATFORM:-discord}"]
    for service in (migrate, bot):
        assert service["image"] == "studybot:latest"
        assert (DEPLOY / service["build"]["context"] / service["build"]["dockerfile"]).is_file()
        assert service["read_only"] is True and service["cap_drop"] == ["ALL"]
        url = service["environment"]["STUDYBOT_DATABASE_URL"]
        assert url == "postgresql://studybot:${POSTGRES_PASSWORD}@postgres:5432/studybot"
        assert set(service["environment"]) <= known_settings()
    assert "/tmp" in bot["tmpfs"]  # the bank cache the image puts in /tmp
    assert bot["env_file"] == ["../.env"]
    assert (DEPLOY / bot["env_file"][0]).resolve() == REPO / ".env"  # .env.example's copy
    assert (
        "127.0.0.1:8080:8080" in bot["ports"] and bot["environment"]["STUDYBOT_HTTP_PORT"] == "8080"
    )
    assert "3000:3000" in bot["ports"] and bot["environment"]["SLACK_PORT"] == "3000"


def test_the_bot_is_capped_in_memory_tasks_and_cpu_as_in_kubernetes() -> None:
    services = compose()["services"]
    for name in ("migrate", "bot"):
        limits = services[name]["deploy"]["resources"]["limits"]
        assert limits == {"cpus": "1.0", "memory": "512M", "pids": 256}, name
    service = dict(unit_entries()["Service"])
    caps = {key: service.get(key) for key in ("MemoryHigh", "MemoryMax", "TasksMax", "CPUQuota")}
    assert caps == {
        "MemoryHigh": "384M",
        "MemoryMax": "512M",
        "TasksMax": "256",
        "CPUQuota": "100%",
    }


def test_compose_declares_its_volumes_and_every_variable_it_needs_is_documented() -> None:
    document = compose()
    used = {
        volume.split(":", 1)[0]
        for service in document["services"].values()
        for volume in service.get("volumes", [])
    }
    assert used == set(document["volumes"]) == {"postgres-data"}
    text = (DEPLOY / "docker-compose.yml").read_text(encoding="utf-8")
    variables = set(re.findall(r"\$\{(\w+)", text))
    assert variables == {"POSTGRES_PASSWORD", "STUDYBOT_PLATFORM"}
    assert variables <= set(env_example_settings())


# -- Kubernetes -----------------------------------------------------------------------


@cache
def manifests() -> list[tuple[Path, dict[str, Any]]]:
    found = []
    for path in sorted(KUBERNETES.rglob("*.yaml")):
        for document in yaml.safe_load_all(path.read_text(encoding="utf-8")):
            if document is not None:
                found.append((path, document))
    return found


def of_kind(kind: str) -> list[dict[str, Any]]:
    return [document for _, document in manifests() if document["kind"] == kind]


@pytest.mark.parametrize("version", ["1.28.0", kubernetes_validate.latest_version()])
def test_kubernetes_manifests_match_the_api_schemas(version: str) -> None:
    found = manifests()
    kinds = sorted(document["kind"] for _, document in found)
    assert kinds == [
        "ConfigMap",
        "Deployment",
        "Deployment",
        "PodDisruptionBudget",
        "Secret",
        "Service",
    ]
    for path, document in found:
        try:
            kubernetes_validate.validate(document, version, strict=True)
        except kubernetes_validate.ValidationError as exc:
            pytest.fail(f"{path.relative_to(REPO)}: {exc.message} at {list(exc.path)}")


def test_kubernetes_manifests_name_no_namespace() -> None:
    for path, document in manifests():
        assert "namespace" not in document["metadata"], path


def pod_containers(deployment: dict[str, Any]) -> list[dict[str, Any]]:
    spec = deployment["spec"]["template"]["spec"]
    return [*spec.get("initContainers", []), *spec["containers"]]


def deployment(component: str) -> dict[str, Any]:
    (found,) = [
        d
        for d in of_kind("Deployment")
        if d["metadata"]["labels"]["app.kubernetes.io/component"] == component
    ]
    return found


@pytest.mark.parametrize("component", ["slack", "discord"])
def test_kubernetes_deployment_is_probed_limited_and_locked_down(component: str) -> None:
    (config,) = of_kind("ConfigMap")
    found = deployment(component)
    pod = found["spec"]["template"]["spec"]
    uid, gid = image_user(dockerfile())
    assert pod["securityContext"]["runAsNonRoot"] is True
    assert (pod["securityContext"]["runAsUser"], pod["securityContext"]["runAsGroup"]) == (uid, gid)
    assert pod["securityContext"]["seccompProfile"] == {"type": "RuntimeDefault"}
    assert pod["automountServiceAccountToken"] is False
    assert pod["enableServiceLinks"] is False
    for container in pod_containers(found):
        for kind in ("requests", "limits"):
            assert set(container["resources"][kind]) == {"cpu", "memory"}, container["name"]
        security = container["securityContext"]
        assert security["allowPrivilegeEscalation"] is False
        assert security["readOnlyRootFilesystem"] is True
        assert security["capabilities"] == {"drop": ["ALL"]}
        assert container["envFrom"] == [
            {"configMapRef": {"name": config["metadata"]["name"]}},
            {"secretRef": {"name": "studybot-secrets"}},
        ]
    (migrate,) = pod["initContainers"]
    (bot,) = pod["containers"]
    assert migrate["args"] == ["db", "migrate"] and migrate["image"] == bot["image"]
    assert bot["args"] == ["run", "--platform", component]
    ports = {port["name"]: port["containerPort"] for port in bot["ports"]}
    assert ports["health"] == int(config["data"]["STUDYBOT_HTTP_PORT"])
    for probe in ("startupProbe", "readinessProbe", "livenessProbe"):
        check = bot[probe]
        assert check["httpGet"] == {"path": "/healthz", "port": "health"}, probe
        assert check["timeoutSeconds"] >= 2, probe  # /healthz waits up to 1 s for the database
    liveness = bot["livenessProbe"]
    assert liveness["periodSeconds"] * liveness["failureThreshold"] >= 120  # outlives a DB restart
    mounts = {mount["mountPath"]: mount["name"] for mount in bot["volumeMounts"]}
    volumes = {volume["name"]: volume for volume in pod["volumes"]}
    assert "emptyDir" in volumes[mounts["/tmp"]]
    assert config["data"]["STUDYBOT_CACHE_DIR"].startswith("/tmp/")
    assert bot["env"] == [
        {"name": "STUDYBOT_REPLICA_ID", "valueFrom": {"fieldRef": {"fieldPath": "metadata.name"}}}
    ]


def test_kubernetes_slack_runs_replicas_behind_its_service() -> None:
    (config,) = of_kind("ConfigMap")
    slack = deployment("slack")
    assert slack["spec"]["replicas"] >= 2
    assert slack["spec"]["strategy"]["rollingUpdate"]["maxUnavailable"] == 0
    labels = slack["spec"]["template"]["metadata"]["labels"]
    (service,) = of_kind("Service")
    assert service["spec"]["selector"].items() <= labels.items()
    (port,) = service["spec"]["ports"]
    (bot,) = slack["spec"]["template"]["spec"]["containers"]
    ports = {p["name"]: p["containerPort"] for p in bot["ports"]}
    assert ports[port["targetPort"]] == int(config["data"]["SLACK_PORT"])
    (budget,) = of_kind("PodDisruptionBudget")
    assert budget["spec"]["selector"]["matchLabels"].items() <= labels.items()
    assert budget["spec"]["minAvailable"] < slack["spec"]["replicas"]


def test_kubernetes_discord_runs_one_process_per_shard_set() -> None:
    discord = deployment("discord")
    assert discord["spec"]["replicas"] == 1
    assert discord["spec"]["strategy"] == {"type": "Recreate"}
    selectors = [d["spec"]["selector"]["matchLabels"] for d in of_kind("Deployment")]
    assert selectors[0] != selectors[1]


def test_kubernetes_settings_are_known_and_the_secret_example_holds_placeholders() -> None:
    (config,) = of_kind("ConfigMap")
    (secret,) = of_kind("Secret")
    assert set(config["data"]) <= code_settings()
    assert set(secret["stringData"]) <= code_settings()
    assert not set(config["data"]) & set(secret["stringData"])
    for name, value in secret["stringData"].items():
        assert "REPLACE-ME" in value, name
    for name in config["data"]:
        assert not name.endswith(SECRET_SUFFIXES) and name != "STUDYBOT_DATABASE_URL"
    assert {"STUDYBOT_DATABASE_URL", "DISCORD_TOKEN", "SLACK_BOT_TOKEN"} <= set(
        secret["stringData"]
    )
    # Each value of the ConfigMap is one the bot accepts.
    Config.from_env(env=config["data"], env_file=Path(os.devnull))
    DiscordSettings.from_env({**config["data"], "DISCORD_TOKEN": "t"})
    SlackSettings.from_env(
        {**config["data"], "SLACK_BOT_TOKEN": "xoxb-1", "SLACK_SIGNING_SECRET": "s"}
    )


# -- systemd --------------------------------------------------------------------------

UNIT = DEPLOY / "studybot.service"


def unit_entries() -> dict[str, list[tuple[str, str]]]:
    """Return each section's (key, value) pairs in order; keys may repeat, as in systemd."""
    sections: dict[str, list[tuple[str, str]]] = {}
    current: list[tuple[str, str]] | None = None
    for number, line in enumerate(UNIT.read_text(encoding="utf-8").splitlines(), 1):
        line = line.strip()
        if not line or line.startswith(("#", ";")):
            continue
        if line.startswith("[") and line.endswith("]"):
            current = sections.setdefault(line[1:-1], [])
            continue
        assert current is not None and "=" in line, f"line {number}: {line!r}"
        key, _, value = line.partition("=")
        current.append((key.strip(), value.strip()))
    return sections


def unit_value(section: list[tuple[str, str]], key: str) -> str:
    values = [value for k, value in section if k == key]
    assert values, key
    return values[-1]


def test_systemd_unit_runs_migrations_then_the_bot_and_restarts_on_failure() -> None:
    sections = unit_entries()
    assert list(sections) == ["Unit", "Service", "Install"]
    service = sections["Service"]
    assert unit_value(service, "ExecStartPre").endswith("/bin/studybot db migrate")
    assert unit_value(service, "ExecStart").endswith(
        "/bin/studybot run --platform ${STUDYBOT_PLATFORM}"
    )
    assert unit_value(service, "Restart") == "on-failure"
    assert unit_value(service, "EnvironmentFile") == "/etc/studybot/studybot.env"
    assert unit_value(sections["Install"], "WantedBy") == "multi-user.target"
    environment = dict(value.split("=", 1) for key, value in service if key == "Environment")
    assert set(environment) <= known_settings()
    assert environment["STUDYBOT_PLATFORM"] in ("discord", "slack")
    state = "/var/lib/" + unit_value(service, "StateDirectory")
    assert unit_value(service, "WorkingDirectory") == state
    assert environment["STUDYBOT_DATABASE_URL"] == f"sqlite:///{state}/studybot.sqlite3"
    assert environment["STUDYBOT_CACHE_DIR"] == "/var/cache/" + unit_value(
        service, "CacheDirectory"
    )


def test_systemd_unit_is_hardened() -> None:
    service = dict(unit_entries()["Service"])
    expected = {
        "DynamicUser": "yes",
        "NoNewPrivileges": "yes",
        "ProtectSystem": "strict",
        "ProtectHome": "yes",
        "PrivateTmp": "yes",
        "PrivateDevices": "yes",
        "CapabilityBoundingSet": "",
        "RestrictSUIDSGID": "yes",
        "LockPersonality": "yes",
        "UMask": "0077",
    }
    assert {key: service.get(key) for key in expected} == expected


def systemd_analyze(*args: str) -> subprocess.CompletedProcess[str]:
    tool = shutil.which("systemd-analyze")
    if tool is None:
        pytest.skip("systemd-analyze is not installed (the systemd package)")
    return subprocess.run([tool, *args], capture_output=True, text=True, timeout=60, check=False)


@pytest.fixture
def unit_with_real_paths(tmp_path: Path) -> Path:
    """The unit with its studybot executable at a path that exists (verify checks it)."""
    executable = tmp_path / "bin" / "studybot"
    executable.parent.mkdir()
    executable.write_text("#!/bin/sh\nexit 0\n", encoding="utf-8")
    executable.chmod(0o755)
    unit = tmp_path / UNIT.name
    text = UNIT.read_text(encoding="utf-8").replace(
        "/opt/studybot/venv/bin/studybot", str(executable)
    )
    unit.write_text(text, encoding="utf-8")
    return unit


def test_systemd_unit_passes_systemd_analyze_verify(unit_with_real_paths: Path) -> None:
    done = systemd_analyze("verify", str(unit_with_real_paths))
    assert done.returncode == 0, done.stderr
    assert done.stderr == "", done.stderr  # unknown keys and bad values are warnings here


def test_systemd_unit_exposure_is_low(unit_with_real_paths: Path) -> None:
    done = systemd_analyze("security", "--offline=yes", str(unit_with_real_paths))
    assert done.returncode == 0, done.stderr
    match = re.search(r"Overall exposure level for \S+: (\d+\.\d)", done.stdout)
    assert match, done.stdout
    assert float(match.group(1)) <= 2.0, done.stdout  # 0 safest … 10 exposed; "OK" is below 4


# -- .env.example ---------------------------------------------------------------------


def env_example_settings() -> dict[str, tuple[bool, str]]:
    """Return each setting in .env.example: (commented out, value)."""
    found: dict[str, tuple[bool, str]] = {}
    for line in ENV_EXAMPLE.read_text(encoding="utf-8").splitlines():
        match = re.fullmatch(r"(# )?([A-Z][A-Z0-9_]*)=(.*)", line)
        if match:
            assert match.group(2) not in found, f"{match.group(2)} twice"
            found[match.group(2)] = (bool(match.group(1)), match.group(3))
    return found


def test_env_example_documents_every_setting_the_code_reads() -> None:
    documented = env_example_settings()
    missing = code_settings() - set(documented)
    assert not missing, f"not in .env.example: {sorted(missing)}"
    unknown = set(documented) - known_settings()
    assert not unknown, f"in .env.example but read by nothing: {sorted(unknown)}"


def test_env_example_explains_each_setting_and_leaves_secrets_empty() -> None:
    lines = ENV_EXAMPLE.read_text(encoding="utf-8").splitlines()
    for index, line in enumerate(lines):
        if re.fullmatch(r"(# )?[A-Z][A-Z0-9_]*=.*", line):
            above = lines[index - 1]
            assert above.startswith("# ") or re.fullmatch(r"# [A-Z][A-Z0-9_]*=.*", above), line
    for name, (commented, value) in env_example_settings().items():
        if name.endswith(SECRET_SUFFIXES):
            assert not commented and value == "", name


def test_env_example_copied_as_it_is_gives_the_defaults() -> None:
    config = Config.from_env(env={}, env_file=ENV_EXAMPLE)
    defaults = Config.from_env(env={}, env_file=Path(os.devnull))
    assert config == defaults
    with pytest.raises(ConfigError, match="DISCORD_TOKEN is not set"):
        DiscordSettings.from_env(read_env_file(ENV_EXAMPLE))
    with pytest.raises(ConfigError, match="SLACK_BOT_TOKEN is not set"):
        SlackSettings.from_env(read_env_file(ENV_EXAMPLE))


def test_env_example_values_shown_are_accepted() -> None:
    """Uncommenting any one example line gives a configuration the bot accepts."""
    for name, (commented, value) in env_example_settings().items():
        if not commented or not value:
            continue
        env = {name: value}
        if name.startswith("DISCORD_"):
            DiscordSettings.from_env({"DISCORD_TOKEN": "t", **env})
        elif name.startswith("SLACK_"):
            SlackSettings.from_env(
                {"SLACK_BOT_TOKEN": "xoxb-1", "SLACK_SIGNING_SECRET": "s", **env}
            )
        else:
            Config.from_env(env=env, env_file=Path(os.devnull))
