"""The guest's writer of input files, on its own: it refuses rather than follow a link or reuse
a file, whatever name it is handed (the API and the engine refuse bad names before it; this is
the last line)."""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest

from execbox.sandbox.guest.input_files import InputFile, InputFileError, name_problem, write_input_files


def test_writes_files_and_the_folders_their_names_need(tmp_path: Path) -> None:
    write_input_files(
        [InputFile("a.csv", b"1"), InputFile("data/x/b.csv", b"2"), InputFile("data/c.csv", b"3")],
        str(tmp_path),
    )
    assert (tmp_path / "a.csv").read_bytes() == b"1"
    assert (tmp_path / "data" / "x" / "b.csv").read_bytes() == b"2"
    assert (tmp_path / "data" / "c.csv").read_bytes() == b"3"
    assert (tmp_path / "a.csv").stat().st_mode & 0o777 == 0o600
    assert (tmp_path / "data").stat().st_mode & 0o777 == 0o700


@pytest.mark.parametrize(
    ("name", "reason"),
    [
        ("../x", "has a '.' or '..' component"),
        ("a/../../x", "has a '.' or '..' component"),
        ("/etc/passwd", "is an absolute path"),
        ("", "is empty"),
        ("a//b", "has an empty path component"),
        ("a/", "has an empty path component"),
        ("a\x00b", "contains a NUL character"),
        ("\udc80", "is not valid Unicode text"),
        ("x" * 256, "has a path component longer than 255 bytes"),
        ("a/" * 600, "is longer than 1024 bytes"),
    ],
)
def test_refuses_names_outside_the_directory(tmp_path: Path, name: str, reason: str) -> None:
    work = tmp_path / "work"
    work.mkdir()
    with pytest.raises(InputFileError, match="The input file name .*" + re.escape(reason)):
        write_input_files([InputFile(name, b"escaped")], str(work))
    assert sorted(p.name for p in tmp_path.rglob("*")) == ["work"]


def test_plain_names_and_paths_are_allowed() -> None:
    for name in ("data.csv", "data/a.csv", ".hidden", "a..b", "é.csv", "with space.txt", "back\\slash"):
        assert name_problem(name) is None, name


def test_a_symlink_in_place_of_the_file_is_not_followed(tmp_path: Path) -> None:
    work, outside = tmp_path / "work", tmp_path / "outside"
    work.mkdir()
    outside.write_bytes(b"untouched")
    (work / "data.csv").symlink_to(outside)
    with pytest.raises(
        InputFileError, match=re.escape("'data.csv' could not be written: that name is taken already")
    ):
        write_input_files([InputFile("data.csv", b"evil")], str(work))
    assert outside.read_bytes() == b"untouched"


def test_a_symlink_in_place_of_a_folder_is_not_followed(tmp_path: Path) -> None:
    work, outside = tmp_path / "work", tmp_path / "outside"
    work.mkdir()
    outside.mkdir()
    (work / "data").symlink_to(outside)
    with pytest.raises(
        InputFileError,
        match=re.escape(
            "'data/a.csv' could not be written: a file or a link is where one of its folders should be"
        ),
    ):
        write_input_files([InputFile("data/a.csv", b"evil")], str(work))
    assert list(outside.iterdir()) == []


def test_a_dangling_symlink_is_not_followed(tmp_path: Path) -> None:
    work = tmp_path / "work"
    work.mkdir()
    (work / "data.csv").symlink_to(tmp_path / "created-outside")
    (work / "dir").symlink_to(tmp_path / "made-outside")
    with pytest.raises(InputFileError):
        write_input_files([InputFile("data.csv", b"evil")], str(work))
    with pytest.raises(InputFileError):
        write_input_files([InputFile("dir/a.csv", b"evil")], str(work))
    assert sorted(os.listdir(tmp_path)) == ["work"]


def test_a_duplicate_and_a_file_in_place_of_a_folder_are_refused(tmp_path: Path) -> None:
    with pytest.raises(
        InputFileError, match=re.escape("'a.csv' could not be written: that name is taken already")
    ):
        write_input_files([InputFile("a.csv", b"1"), InputFile("a.csv", b"2")], str(tmp_path))
    assert (tmp_path / "a.csv").read_bytes() == b"1"
    with pytest.raises(
        InputFileError,
        match=re.escape("'a.csv/b' could not be written: a file or a link is where one of its folders"),
    ):
        write_input_files([InputFile("a.csv/b", b"3")], str(tmp_path))
