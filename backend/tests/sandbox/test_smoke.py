from execbox.sandbox.result import RunStatus
from tests.sandbox.conftest import SandboxHarness


def test_print(sandbox: SandboxHarness) -> None:
    result = sandbox.run("print('hello')")
    assert result.status is RunStatus.SUCCESS
    assert result.stdout.text == "hello\n"
    assert result.exit_code == 0
