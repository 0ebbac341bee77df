"""The limits on a run's input files, checked before the run counts against anything.

Each name is checked by the request's schema (schemas/input_files.py); what depends on the
operator's limits, or on the files together, is checked here."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from execbox.sandbox.guest.input_files import InputFile
from execbox.schemas.input_files import InputFileIn
from execbox.services.errors import InvalidRequest

NOT_SAVED_YET = (
    "Files are accepted by /execute and the stream; saving them with submissions is not supported "
    "yet: run the program with POST /api/v1/code/execute, or send it without files."
)


@dataclass(frozen=True, slots=True)
class InputFileLimits:
    count: int  # MAX_INPUT_FILES
    total_bytes: int  # MAX_INPUT_FILES_BYTES, decoded

    def admit(self, files: Sequence[InputFileIn]) -> tuple[InputFile, ...]:
        """`files` as the sandbox takes them; raises InvalidRequest naming the first file that
        breaks a limit, is given twice, or is both a file and a folder."""
        if len(files) > self.count:
            _refuse(
                "body.files",
                f"{len(files)} input files were sent; at most {self.count} are allowed per run: send fewer",
            )
        total = 0
        seen: dict[str, int] = {}
        for index, file in enumerate(files):
            total += len(file.content)
            if total > self.total_bytes:
                _refuse(
                    f"body.files.{index}.content",
                    f"The input files come to {total} bytes with {file.name!r} ({len(file.content)} bytes); "
                    f"at most {self.total_bytes} bytes in all are allowed per run: send smaller or fewer "
                    "files.",
                )
            if file.name in seen:
                _refuse(
                    f"body.files.{index}.name",
                    f"The input file {file.name!r} is given twice (files {seen[file.name]} and {index}); "
                    "give each name once.",
                )
            seen[file.name] = index
        _refuse_folders_that_are_files(seen)
        return tuple(InputFile(file.name, file.content) for file in files)


def _refuse_folders_that_are_files(names: dict[str, int]) -> None:
    for name, index in names.items():
        parts = name.split("/")
        for depth in range(1, len(parts)):
            folder = "/".join(parts[:depth])
            if folder in names:
                _refuse(
                    f"body.files.{index}.name",
                    f"The input file {folder!r} is also a folder of {name!r}; rename one of them.",
                )


def _refuse(field: str, message: str) -> None:
    raise InvalidRequest(message, [(field, message)])
