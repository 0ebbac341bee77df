"""The sandbox's view of the filesystem, as planned on the host."""

import sys
from pathlib import Path

import execbox
from execbox.sandbox import layout
from execbox.sandbox.config import SandboxConfig

RUNTIME = layout.RuntimePaths(prefix="/opt/execbox/runtime", base_prefix="/opt/python/3.11")
PLAN = layout.plan(SandboxConfig(), RUNTIME, "/run/execbox/root", [64000, 64001])


def _binds() -> set[str]:
    return {m["source"] for m in PLAN["mounts"] if m["kind"] == "bind"}


def test_only_system_libraries_and_the_runtime_are_bound() -> None:
    allowed = {
        "/usr",
        "/bin",
        "/sbin",
        "/lib",
        "/lib32",
        "/lib64",
        "/libx32",
        "/etc/ld.so.cache",
        "/etc/localtime",
    }
    assert _binds() - allowed == {RUNTIME.prefix, RUNTIME.base_prefix}


def test_nothing_of_the_server_is_bound() -> None:
    server_paths = {
        str(Path(execbox.__file__).parents[1]),
        sys.prefix,
        "/root",
        "/home",
        "/var",
        "/run",
    }
    for bound in _binds():
        for server_path in server_paths:
            assert not bound.startswith(server_path + "/") and bound != server_path
    assert {b for b in _binds() if b.startswith("/etc")} <= {"/etc/ld.so.cache", "/etc/localtime"}


def test_the_environment_is_fixed_and_carries_no_secret() -> None:
    assert set(PLAN["environment"]) == {
        "PATH", "HOME", "TMPDIR", "USER", "LANG", "HOSTNAME",
        "OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS", "MPLBACKEND", "MPLCONFIGDIR",
    }  # fmt: skip
    assert PLAN["environment"]["HOME"] == "/tmp"
    assert PLAN["environment"]["MPLCONFIGDIR"].endswith("/mplconfig")  # inside the read-only runtime


def test_every_slot_uid_has_a_passwd_entry() -> None:
    passwd = next(m["source"] for m in PLAN["mounts"] if m["target"] == "/etc/passwd")
    assert "sandbox:x:64000:64000:" in passwd and "sandbox:x:64001:64001:" in passwd


def test_tmp_is_size_capped_and_proc_hides_other_users() -> None:
    assert "size=64m" in PLAN["tmp_options"]
    proc = next(m for m in PLAN["mounts"] if m["kind"] == "proc")
    assert "hidepid=2" in proc["options"]
