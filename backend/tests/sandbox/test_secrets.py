"""The service's environment never reaches a sandbox: the run gets a fixed, minimal one."""

from __future__ import annotations

import json
import os

from execbox.sandbox.result import RunStatus
from tests.sandbox.conftest import IN_BOTH_TEMPLATES, SECRET_NAME, SECRET_VALUE, SandboxHarness
from tests.sandbox.memscan import SCANNER, scan_request

pytestmark = IN_BOTH_TEMPLATES


def _expected_environment(sandbox: SandboxHarness) -> dict[str, str]:
    return {
        "PATH": "/usr/local/bin:/usr/bin:/bin",
        "HOME": "/tmp",
        "TMPDIR": "/tmp",
        "USER": "sandbox",
        "LANG": "C.UTF-8",
        "HOSTNAME": sandbox.engine.config.hostname,
        "OPENBLAS_NUM_THREADS": "1",
        "OMP_NUM_THREADS": "1",
        "MKL_NUM_THREADS": "1",
        "MPLBACKEND": "Agg",
        "MPLCONFIGDIR": "/opt/runtime/mplconfig",  # the runtime, at its neutral path
        "LD_LIBRARY_PATH": "/opt/python/lib",
    }


ENVIRONMENTS = """
import json, os
out = {"os.environ": dict(os.environ)}
for path in ("/proc/self/environ", "/proc/1/environ", f"/proc/{os.getppid()}/environ"):
    try:
        with open(path, "rb") as handle:
            raw = handle.read()
        out[path] = dict(item.split("=", 1) for item in raw.decode("utf-8", "replace").split("\\0") if item)
    except OSError as error:
        out[path] = type(error).__name__
print(json.dumps(out))
"""


def test_secret_is_in_no_environment(sandbox: SandboxHarness) -> None:
    assert os.environ[SECRET_NAME] == SECRET_VALUE  # the test process does have it
    result = sandbox.run(ENVIRONMENTS, wall_time_s=5)
    assert result.status is RunStatus.SUCCESS, result
    assert SECRET_VALUE not in result.stdout.text
    assert SECRET_NAME not in result.stdout.text
    seen = json.loads(result.stdout.text)
    assert SECRET_NAME not in seen["os.environ"]
    assert isinstance(seen["/proc/self/environ"], dict)  # control: the probe reads environ files
    assert SECRET_NAME not in seen["/proc/self/environ"]
    # pid 1 and the template (the run's parent) belong to root: hidden by hidepid.
    assert len(seen) == 4
    for key, value in seen.items():
        if key not in ("os.environ", "/proc/self/environ"):
            assert value == "FileNotFoundError", f"{key} is readable: {value}"
    sandbox.assert_healthy()


def test_environment_is_exactly_the_fixed_one(sandbox: SandboxHarness) -> None:
    result = sandbox.run(ENVIRONMENTS, wall_time_s=5)
    assert result.status is RunStatus.SUCCESS, result
    seen = json.loads(result.stdout.text)
    expected = _expected_environment(sandbox)
    assert seen["os.environ"] == expected
    # What the process was started with (the template's environment) is the same fixed set,
    # apart from the OpenBLAS tuning variables the engine passes through on purpose.
    initial = seen["/proc/self/environ"]
    assert isinstance(initial, dict)
    assert {
        k: v for k, v in initial.items() if k not in ("OPENBLAS_CORETYPE", "OPENBLAS_L2_SIZE")
    } == expected
    sandbox.assert_healthy()


def test_secret_is_not_in_the_sandbox_memory(sandbox: SandboxHarness) -> None:
    result = sandbox.run(SCANNER, stdin=scan_request({"secret": SECRET_VALUE}), wall_time_s=20)
    assert result.status is RunStatus.SUCCESS, result
    assert SECRET_VALUE not in result.stdout.text
    scan = json.loads(result.stdout.text)
    assert scan["control_found"] is True, scan  # the scan does find what is in memory
    assert scan["scanned_bytes"] > 10 << 20, scan
    assert scan["found"] == [], "the service's secret is in the sandbox's memory"
    sandbox.assert_healthy()
