"""Input files in the sandbox: written into the program's working directory before it starts,
read there by pandas, numpy and open(); a run whose files do not fit is told so, not broken."""

from __future__ import annotations

import hashlib

import pytest

from execbox.sandbox import engine as engine_module
from execbox.sandbox.errors import InvalidInput
from execbox.sandbox.guest.input_files import InputFile
from execbox.sandbox.result import RunStatus
from tests.sandbox.conftest import IN_BOTH_TEMPLATES, SandboxHarness
from tests.sandbox.test_filesystem import EMPTY_TMP

EVERY_BYTE = bytes(range(256)) * 64


def test_pandas_reads_a_csv_from_the_working_directory(sandbox: SandboxHarness) -> None:
    csv = InputFile("data.csv", b"city,people\nLyon,522\nNantes,320\n")
    code = 'import pandas as pd\ndf = pd.read_csv("data.csv")\nprint(df.people.sum(), list(df.city))'
    result = sandbox.run(code, files=[csv])
    assert result.status is RunStatus.SUCCESS, result
    assert result.stdout.text == "842 ['Lyon', 'Nantes']\n"


def test_numpy_reads_a_file_in_a_nested_folder(sandbox: SandboxHarness) -> None:
    files = [InputFile("data/deep/m.txt", b"1 2\n3 4\n"), InputFile("data/other.txt", b"5\n")]
    code = 'import numpy as np\nprint(np.loadtxt("data/deep/m.txt").sum(), np.loadtxt("data/other.txt"))'
    result = sandbox.run(code, files=files)
    assert result.status is RunStatus.SUCCESS, result
    assert result.stdout.text == "10.0 5.0\n"


@IN_BOTH_TEMPLATES
def test_open_reads_every_byte_value_back(sandbox: SandboxHarness) -> None:
    code = (
        "import hashlib, os\n"
        "with open('bytes.bin', 'rb') as f:\n    data = f.read()\n"
        "print(len(data), hashlib.sha256(data).hexdigest(), os.getcwd(), oct(os.stat('bytes.bin').st_mode))"
    )
    result = sandbox.run(code, files=[InputFile("bytes.bin", EVERY_BYTE)])
    assert result.status is RunStatus.SUCCESS, result
    assert result.stdout.text == f"{len(EVERY_BYTE)} {hashlib.sha256(EVERY_BYTE).hexdigest()} /tmp 0o100600\n"


def test_a_run_without_files_sees_an_empty_working_directory_after_one_with_files(
    sandbox: SandboxHarness,
) -> None:
    result = sandbox.run("print(open('data.csv').read())", files=[InputFile("data.csv", b"a,b\n")])
    assert result.stdout.text == "a,b\n\n", result
    for _ in range(sandbox.engine.config.slots + 1):
        later = sandbox.run(EMPTY_TMP, wall_time_s=5)
        assert later.status is RunStatus.SUCCESS, later
        assert later.stdout.text == "[] True\n"


def test_files_larger_than_the_runs_tmpfs_are_refused_before_the_program_runs(
    sandbox: SandboxHarness,
) -> None:
    tmp_mb = sandbox.engine.config.tmp_size_mb
    third = (tmp_mb << 20) // 3 + (1 << 20)  # three of them are over the tmpfs
    files = [InputFile(f"part-{n}.bin", b"\x00" * third) for n in range(3)]
    result = sandbox.run("print('the program ran')", files=files, wall_time_s=20)
    assert result.status is RunStatus.RUNTIME_ERROR, result
    assert "the program ran" not in result.stdout.text
    assert result.error is not None
    assert result.error.type == "InputFileError"
    assert result.error.message == (
        "The input file 'part-2.bin' could not be written: it does not fit in the run's working "
        "directory (its tmpfs is full); send smaller files."
    )
    assert result.stderr.text == f"InputFileError: {result.error.message} The program was not run.\n"
    for _ in range(sandbox.engine.config.slots + 1):
        later = sandbox.run(EMPTY_TMP, wall_time_s=5)
        assert later.stdout.text == "[] True\n", later
    sandbox.assert_healthy()


@pytest.mark.parametrize("name", ["../x", "/etc/passwd", "a//b", "a/./b", "", "a\x00b"])
def test_the_engine_refuses_names_outside_the_working_directory(sandbox: SandboxHarness, name: str) -> None:
    with pytest.raises(InvalidInput, match="the input file name"):
        sandbox.run("print(1)", files=[InputFile(name, b"x")])
    sandbox.assert_healthy()


@pytest.mark.parametrize("name", ["../escaped", "/tmp/../escaped", "a/../../escaped"])
def test_the_child_refuses_a_bad_name_the_host_let_through(
    sandbox: SandboxHarness, monkeypatch: pytest.MonkeyPatch, name: str
) -> None:
    """The last line: with the engine's own check gone, the child still writes nothing outside
    its working directory, and the program does not run."""
    monkeypatch.setattr(engine_module, "name_problem", lambda _name: None)
    result = sandbox.run("print('ran')", files=[InputFile(name, b"x")])
    assert result.status is RunStatus.RUNTIME_ERROR, result
    assert result.error is not None and result.error.type == "InputFileError"
    assert result.error.message.startswith(f"The input file name {name!r} ")
    assert result.stdout.text == ""
    monkeypatch.undo()
    seen = sandbox.run("import os\nprint(os.path.exists('/escaped'), os.path.exists('/tmp/escaped'))")
    assert seen.stdout.text == "False False\n"
    sandbox.assert_healthy()
