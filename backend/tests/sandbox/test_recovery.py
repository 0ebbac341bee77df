"""The engine survives the death of its template: runs fail cleanly, then service resumes."""

import os
import signal
import time

import pytest

from execbox.sandbox.config import SandboxConfig
from execbox.sandbox.errors import SandboxInternalError
from execbox.sandbox.result import RunStatus
from execbox.sandbox.template_choice import TemplateKind
from tests.sandbox.conftest import SandboxHarness


@pytest.mark.parametrize("kind", list(TemplateKind), ids=str)
def test_a_killed_template_is_replaced_and_runs_resume(kind: TemplateKind, own_uids: int) -> None:
    engine = SandboxHarness(SandboxConfig(live_runs=1, warm_children=1, first_uid=own_uids))
    harness = engine.routed_to(kind)
    try:
        assert harness.run("print(1)").status is RunStatus.SUCCESS
        template = harness.engine._templates[kind]
        assert template.alive
        old_pid = template.pid
        os.kill(old_pid, signal.SIGKILL)
        deadline = time.monotonic() + 60
        outcomes = []
        while time.monotonic() < deadline:
            try:
                result = harness.run("print(2)")
            except SandboxInternalError as error:  # a run caught by the death fails cleanly
                outcomes.append(repr(error))
                continue
            outcomes.append(result.status.value)
            # Children forked before the kill may still serve a run or two: recovered means
            # a run succeeds on a child of the new template.
            if result.status is RunStatus.SUCCESS and result.stdout.text == "2\n" and template.pid != old_pid:
                break
        else:
            pytest.fail(f"the engine did not recover: {outcomes}")
        assert template.alive and template.pid != old_pid
        # The other template was not disturbed.
        other = TemplateKind.PLAIN if kind is TemplateKind.SCIENTIFIC else TemplateKind.SCIENTIFIC
        assert engine.routed_to(other).run("print(3)").stdout.text == "3\n"
    finally:
        engine.close()
