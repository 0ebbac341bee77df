"""Input files (`files` of execute and the stream) through a real server and sandbox: read where
the program runs, and every refusal named with the file and what to do."""

from __future__ import annotations

import base64
from collections.abc import Iterator
from typing import Any

import pytest

from tests.api.conftest import StartApi
from tests.support.api_server import ApiServer
from tests.support.databases import MakeDatabase
from tests.support.stream_client import StreamClient

EXECUTE = "/api/v1/code/execute"
TEN_MIB = 10 << 20


@pytest.fixture(scope="module")
def server(make_database: MakeDatabase) -> Iterator[ApiServer]:
    server = ApiServer({"DATABASE_URL": make_database("sqlite")}).start()
    yield server
    server.close()


def file(name: str, content: bytes) -> dict[str, str]:
    return {"name": name, "content": base64.b64encode(content).decode()}


def refused(response: Any, field: str, message: str) -> None:
    assert response.status_code == 422, response.text
    body = response.json()
    assert body["errors"] == [{"field": field, "message": message}]
    assert message in body["detail"]


def test_pandas_and_open_read_a_csv_in_the_working_directory(server: ApiServer) -> None:
    code = (
        "import pandas as pd\n"
        "print(pd.read_csv('data.csv').people.sum())\n"
        "with open('data.csv') as f:\n    print(f.readline().strip())\n"
    )
    body = {"code": code, "files": [file("data.csv", b"city,people\nLyon,522\nNantes,320\n")]}
    result = server.client.post(EXECUTE, json=body).json()
    assert result["status"] == "success", result
    assert result["stdout"] == "842\ncity,people\n"


def test_a_nested_relative_path_gets_its_folders(server: ApiServer) -> None:
    code = "import numpy as np\nprint(np.loadtxt('data/2024/m.txt').sum())"
    body = {"code": code, "files": [file("data/2024/m.txt", b"1 2\n3 4\n")]}
    result = server.client.post(EXECUTE, json=body).json()
    assert (result["status"], result["stdout"]) == ("success", "10.0\n"), result


@pytest.mark.parametrize(
    ("name", "problem"),
    [
        ("../x", "has a '.' or '..' component: files go in the working directory or folders below it"),
        (
            "data/../../x",
            "has a '.' or '..' component: files go in the working directory or folders below it",
        ),
        (
            "/etc/passwd",
            "is an absolute path: name the file relative to the working directory, e.g. 'data.csv'",
        ),
        ("", "is empty: give the file a name such as 'data.csv'"),
        (
            "data//a.csv",
            "has an empty path component ('//' or a trailing '/'): write it as 'folder/file.csv'",
        ),
        ("a\x00.csv", "contains a NUL character: remove it"),
    ],
)
def test_names_outside_the_working_directory_are_refused(server: ApiServer, name: str, problem: str) -> None:
    response = server.client.post(EXECUTE, json={"code": "print(1)", "files": [file(name, b"x")]})
    refused(response, "body.files.0.name", f"The input file name {name!r} {problem}.")


def test_content_that_is_not_base64_is_refused_with_the_files_name(server: ApiServer) -> None:
    body = {"code": "print(1)", "files": [{"name": "data.csv", "content": "a,b\n1,2"}]}
    refused(
        server.client.post(EXECUTE, json=body),
        "body.files.0.content",
        "The content of the input file 'data.csv' is not valid base64 (Only base64 data is allowed): send "
        "the file's bytes in standard base64 with padding, e.g. the output of `base64 -w0 data.csv`.",
    )


def test_a_name_given_twice_is_refused(server: ApiServer) -> None:
    body = {"code": "print(1)", "files": [file("a.csv", b"1"), file("b.csv", b"2"), file("a.csv", b"3")]}
    refused(
        server.client.post(EXECUTE, json=body),
        "body.files.2.name",
        "The input file 'a.csv' is given twice (files 0 and 2); give each name once.",
    )


def test_a_file_that_is_also_a_folder_is_refused(server: ApiServer) -> None:
    body = {"code": "print(1)", "files": [file("data", b"1"), file("data/a.csv", b"2")]}
    refused(
        server.client.post(EXECUTE, json=body),
        "body.files.1.name",
        "The input file 'data' is also a folder of 'data/a.csv'; rename one of them.",
    )


def test_more_files_than_allowed_are_refused(server: ApiServer) -> None:
    body = {"code": "print(1)", "files": [file(f"f{n}.txt", b"x") for n in range(21)]}
    refused(
        server.client.post(EXECUTE, json=body),
        "body.files",
        "21 input files were sent; at most 20 are allowed per run: send fewer",
    )


def test_files_over_max_input_files_bytes_are_refused_naming_the_file(server: ApiServer) -> None:
    files = [file("small.csv", b"x" * 100), file("big.csv", b"x" * TEN_MIB)]
    refused(
        server.client.post(EXECUTE, json={"code": "print(1)", "files": files}),
        "body.files.1.content",
        f"The input files come to {TEN_MIB + 100} bytes with 'big.csv' ({TEN_MIB} bytes); at most "
        f"{TEN_MIB} bytes in all are allowed per run: send smaller or fewer files.",
    )


def test_a_ten_mib_csv_is_read_and_the_body_limit_grew_only_for_runs(server: ApiServer) -> None:
    row = b"1.5,2,hello\n"
    data = b"a,b,c\n" + row * ((TEN_MIB - 6) // len(row))
    code = "import pandas as pd\ndf = pd.read_csv('big.csv')\nprint(len(df), df.b.sum())"
    result = server.client.post(EXECUTE, json={"code": code, "files": [file("big.csv", data)]}).json()
    rows = (TEN_MIB - 6) // len(row)
    assert (result["status"], result["stdout"]) == ("success", f"{rows} {2 * rows}\n"), result
    too_big = server.client.post(EXECUTE, json={"code": "print(1)", "files": [file("x", b"x" * (12 << 20))]})
    assert too_big.status_code == 413, too_big.text
    share = server.client.post(
        "/api/v1/code/shares", content=b"x" * (9 << 20), headers={"content-type": "application/json"}
    )
    assert share.status_code == 413  # other endpoints keep their own limit


@pytest.mark.parametrize("path", ["/api/v1/code/submit", "/api/v1/code/submissions"])
def test_submissions_refuse_files_rather_than_drop_them(server: ApiServer, path: str) -> None:
    headers = {"X-Owner-Token": "t" * 43}
    body = {"code": "print(1)", "files": [file("data.csv", b"a")]}
    refused(
        server.client.post(path, json=body, headers=headers),
        "body.files",
        "Files are accepted by /execute and the stream; saving them with submissions is not supported "
        "yet: run the program with POST /api/v1/code/execute, or send it without files.",
    )
    assert server.client.get("/api/v1/code/submissions", headers=headers).json()["items"] == []


def test_a_live_run_reads_its_files_and_a_bad_name_is_an_error_message(server: ApiServer) -> None:
    with StreamClient(server.url) as streams:
        live = streams.start(code="print(open('in/a.txt').read())", files=[file("in/a.txt", b"hello")])
        result = live.finish()
        assert (result["status"], result["stdout"]) == ("success", "hello\n"), result
        bad = streams.start(code="print(1)", files=[file("../a.txt", b"x")])
        error = bad.finish()
        assert error["status"] == 422
        assert error["errors"][0]["field"] == "files.0.name"
        assert bad.close_code() == 4422


def test_the_runtime_says_the_limits(server: ApiServer) -> None:
    runtime = server.client.get("/api/v1/runtime").json()
    assert (runtime["max_input_files"], runtime["max_input_files_bytes"]) == (20, TEN_MIB)
    assert "open" not in runtime["policy"]["banned_builtins"]


def test_without_the_code_policy_a_name_still_cannot_leave_the_working_directory(start_api: StartApi) -> None:
    api = start_api(CODE_POLICY="off")
    for name in ("../escaped", "/tmp/../escaped", "/escaped", "a/../../escaped"):
        response = api.client.post(EXECUTE, json={"code": "print(1)", "files": [file(name, b"x")]})
        assert response.status_code == 422, (name, response.text)
        assert response.json()["errors"][0]["field"] == "body.files.0.name"
    code = (
        "import os\n"
        "print(os.getcwd(), sorted(os.listdir('.')), os.path.exists('/escaped'), os.path.exists('/tmp/x/y'))"
    )
    result = api.client.post(EXECUTE, json={"code": code, "files": [file("x/y", b"1")]}).json()
    assert result["stdout"] == "/tmp ['x'] False True\n", result
