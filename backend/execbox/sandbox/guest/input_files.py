"""A run's input files: which names are allowed, and how the child writes them into its
working directory.

The API checks names before a run (this module's `name_problem`); the child checks them again
and writes each file relative to a descriptor of its working directory, one path component
at a time, never following a symlink and never reusing an existing file (O_NOFOLLOW, O_EXCL).
The child does this inside its own mount namespace, as the sandbox user, after isolation: a
hostile name could at worst touch the run's own tmpfs, and it cannot even do that.
"""

from __future__ import annotations

import contextlib
import errno
import os
from typing import NamedTuple

MAX_NAME_BYTES = 1024  # a whole relative path, as UTF-8
MAX_COMPONENT_BYTES = 255  # one path component (NAME_MAX)
# Created files and folders belong to the sandbox user alone, as under its umask.
_FILE_MODE = 0o600
_DIR_MODE = 0o700
_DIR_FLAGS = os.O_RDONLY | os.O_DIRECTORY | os.O_NOFOLLOW | os.O_CLOEXEC
_FILE_FLAGS = os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW | os.O_CLOEXEC


class InputFile(NamedTuple):
    name: str  # a relative path, checked by `name_problem`
    content: bytes | memoryview  # the guest's are views into the bytes it read from the host


class InputFileError(OSError):
    """An input file could not be written; the message names it and says why."""


def name_problem(name: str) -> str | None:
    """Why `name` cannot be an input file's name, or None when it can: a plain file name or a
    relative path of plain components (`data/a.csv`)."""
    if not name:
        return "is empty: give the file a name such as 'data.csv'"
    if "\x00" in name:
        return "contains a NUL character: remove it"
    try:
        encoded = name.encode()
    except UnicodeEncodeError:
        return "is not valid Unicode text: send the name as UTF-8"
    if name.startswith("/"):
        return "is an absolute path: name the file relative to the working directory, e.g. 'data.csv'"
    if len(encoded) > MAX_NAME_BYTES:
        return f"is longer than {MAX_NAME_BYTES} bytes: shorten it"
    parts = name.split("/")
    if any(part in (".", "..") for part in parts):
        return "has a '.' or '..' component: files go in the working directory or folders below it"
    if any(not part for part in parts):
        return "has an empty path component ('//' or a trailing '/'): write it as 'folder/file.csv'"
    if any(len(part.encode()) > MAX_COMPONENT_BYTES for part in parts):
        return f"has a path component longer than {MAX_COMPONENT_BYTES} bytes: shorten it"
    return None


def write_input_files(files: list[InputFile], directory: str = ".") -> None:
    """Write `files` below `directory`, creating the folders their names need; raises
    `InputFileError` naming the first file that cannot be written (a bad name, a name taken,
    a link in the way, no space left)."""
    root = os.open(directory, _DIR_FLAGS)
    try:
        for file in files:
            _write_one(root, file)
    finally:
        os.close(root)


def _write_one(root: int, file: InputFile) -> None:
    problem = name_problem(file.name)
    if problem is not None:
        raise InputFileError(errno.EINVAL, f"The input file name {file.name!r} {problem}.")
    *folders, base = file.name.split("/")
    parent = os.dup(root)
    try:
        for folder in folders:
            inner = _enter(parent, folder, file.name)
            os.close(parent)
            parent = inner
        _create(parent, base, file)
    finally:
        os.close(parent)


def _enter(parent: int, folder: str, name: str) -> int:
    """A descriptor of the folder `folder` of `parent`, made if missing."""
    try:
        # Made for an earlier file, or something else is there: the open below tells which.
        with contextlib.suppress(FileExistsError):
            os.mkdir(folder, _DIR_MODE, dir_fd=parent)
        # O_NOFOLLOW|O_DIRECTORY: a symlink or a file where the folder should be is refused.
        return os.open(folder, _DIR_FLAGS, dir_fd=parent)
    except OSError as error:
        raise _failure(name, error) from None


def _create(parent: int, base: str, file: InputFile) -> None:
    try:
        fd = os.open(base, _FILE_FLAGS, _FILE_MODE, dir_fd=parent)
    except OSError as error:
        raise _failure(file.name, error) from None
    try:
        view = memoryview(file.content)
        while view:
            written = os.write(fd, view)
            view = view[written:]
    except OSError as error:
        raise _failure(file.name, error) from None
    finally:
        os.close(fd)


def _failure(name: str, error: OSError) -> InputFileError:
    reason = {
        errno.ENOSPC: "it does not fit in the run's working directory (its tmpfs is full); "
        "send smaller files",
        errno.EDQUOT: "it does not fit in the run's working directory; send smaller files",
        errno.EFBIG: "it is larger than a run may write one file; send a smaller file",
        errno.EEXIST: "that name is taken already (a duplicate, or a link, which is not followed)",
        errno.ELOOP: "a symbolic link is in the way; links are not followed",
        errno.ENOTDIR: "a file or a link is where one of its folders should be; links are not followed",
    }.get(error.errno or 0, os.strerror(error.errno or 0) if error.errno else str(error))
    return InputFileError(
        error.errno or errno.EIO, f"The input file {name!r} could not be written: {reason}."
    )
