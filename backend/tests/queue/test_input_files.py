"""Input files in queue mode: they travel to a worker inside the run's task message (crossing
Redis once) and reach the program byte for byte, synchronously and live."""

from __future__ import annotations

import base64
import hashlib
from concurrent.futures import ThreadPoolExecutor

from tests.queue.conftest import EXECUTE, Cluster
from tests.support.stream_client import StreamClient

EVERY_BYTE = bytes(range(256))
DIGEST = "import hashlib\nprint(hashlib.sha256(open('in/data.bin', 'rb').read()).hexdigest())"


def _file(name: str, content: bytes) -> dict[str, str]:
    return {"name": name, "content": base64.b64encode(content).decode()}


def test_files_reach_the_program_on_a_worker_byte_for_byte(cluster: Cluster) -> None:
    contents = [EVERY_BYTE * (n + 1) * 4096 for n in range(4)]  # 1 to 4 MiB each

    def run(content: bytes) -> dict[str, object]:
        body = {"code": DIGEST, "files": [_file("in/data.bin", content)]}
        response = cluster.api.client.post(EXECUTE, json=body)
        assert response.status_code == 200, response.text
        answer: dict[str, object] = response.json()
        return answer

    with ThreadPoolExecutor(4) as pool:  # both workers take some
        results = list(pool.map(run, contents))
    for content, result in zip(contents, results, strict=True):
        assert result["status"] == "success", result
        assert result["stdout"] == hashlib.sha256(content).hexdigest() + "\n"


def test_pandas_reads_a_csv_on_a_worker(cluster: Cluster) -> None:
    code = "import pandas as pd\nprint(pd.read_csv('data.csv').x.sum())"
    body = {"code": code, "files": [_file("data.csv", b"x\n1\n2\n3\n")]}
    result = cluster.api.client.post(EXECUTE, json=body).json()
    assert (result["status"], result["stdout"]) == ("success", "6\n"), result


def test_a_live_run_on_a_worker_reads_its_files(cluster: Cluster) -> None:
    with StreamClient(cluster.api.url) as streams:
        live = streams.start(code=DIGEST, files=[_file("in/data.bin", EVERY_BYTE)])
        result = live.finish()
    assert result["status"] == "success", result
    assert result["stdout"] == hashlib.sha256(EVERY_BYTE).hexdigest() + "\n"


def test_a_bad_name_is_refused_by_the_api_before_the_queue(cluster: Cluster) -> None:
    body = {"code": "print(1)", "files": [_file("../x", b"1")]}
    response = cluster.api.client.post(EXECUTE, json=body)
    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "body.files.0.name"
