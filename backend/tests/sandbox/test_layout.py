"""The sandbox's view of the filesystem, as planned on the host."""

import sys
from pathlib import Path

import execbox
from execbox.sandbox import layout
from execbox.sandbox.config import SandboxConfig

RUNTIME = layout.RuntimePaths(
    prefix="/srv/execbox/runtime",
    base_prefix="/srv/python/3.11",
    executable="/srv/python/3.11/bin/python3.11",
)
PLAN = layout.plan(SandboxConfig(), RUNTIME, "/run/execbox/root", [64000, 64001])
GUEST_CODE = Path(layout.__file__).parent


def _host_sources() -> set[str]:
    """Every host path whose contents the sandbox sees, as an overlay or a copy."""
    return {m["source"] for m in PLAN["mounts"] if m["kind"] in ("layer", "copy")}


def _layered_at() -> dict[str, str]:
    return {m["target"]: m["source"] for m in PLAN["mounts"] if m["kind"] == "layer"}


def test_the_runtime_and_its_interpreter_are_at_neutral_paths_whatever_the_host_layout() -> None:
    bound = _layered_at()
    assert bound["/opt/python"] == RUNTIME.base_prefix
    assert bound["/opt/runtime"] == RUNTIME.prefix
    assert (PLAN["interpreter"], PLAN["prefix"]) == ("/opt/python/bin/python3.11", "/opt/runtime")
    assert PLAN["environment"]["MPLCONFIGDIR"] == "/opt/runtime/mplconfig"
    # Without a virtualenv, the installation is the runtime.
    bare = layout.RuntimePaths(prefix="/usr", base_prefix="/usr", executable="/usr/bin/python3.11")
    bare_plan = layout.plan(SandboxConfig(), bare, "/run/execbox/root", [64000])
    assert (bare_plan["interpreter"], bare_plan["prefix"]) == ("/opt/python/bin/python3.11", "/opt/python")
    assert "/opt/runtime" not in {m["target"] for m in bare_plan["mounts"]}


def test_only_system_libraries_and_the_runtime_are_shown() -> None:
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
    guest = {str(GUEST_CODE / name) for name in ("guest", "result.py", "errors.py")}
    assert _host_sources() - allowed == {RUNTIME.prefix, RUNTIME.base_prefix, *guest}


def test_nothing_of_the_server_is_shown() -> None:
    server_paths = {
        str(Path(execbox.__file__).parents[1]),
        sys.prefix,
        "/root",
        "/home",
        "/var",
        "/run",
    }
    # Of execbox itself, only the guest code and the result types it reports in.
    guest = (str(GUEST_CODE / "guest"), str(GUEST_CODE / "result.py"), str(GUEST_CODE / "errors.py"))
    for bound in _host_sources() - set(guest):
        for server_path in server_paths:
            assert not bound.startswith(server_path + "/") and bound != server_path
    assert {b for b in _host_sources() if b.startswith("/etc")} <= {"/etc/ld.so.cache", "/etc/localtime"}


def test_the_environment_is_fixed_and_carries_no_secret() -> None:
    assert set(PLAN["environment"]) == {
        "PATH", "HOME", "TMPDIR", "USER", "LANG", "HOSTNAME",
        "OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS", "MPLBACKEND", "MPLCONFIGDIR",
        "LD_LIBRARY_PATH",
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
