import pytest

from execbox.sandbox.errors import LimitError
from execbox.sandbox.limits import LimitPolicy, LimitRequest, RunLimits

POLICY = LimitPolicy(
    default=RunLimits(wall_time_s=30, cpu_time_s=30, memory_mb=512, output_bytes=1 << 20),
    maximum=RunLimits(wall_time_s=60, cpu_time_s=60, memory_mb=1024, output_bytes=4 << 20),
)


def test_no_request_gives_the_defaults() -> None:
    assert POLICY.resolve(None) == POLICY.default
    assert POLICY.resolve(LimitRequest()) == POLICY.default


def test_a_request_changes_only_what_it_names() -> None:
    limits = POLICY.resolve(LimitRequest(wall_time_s=2, memory_mb=64))
    assert limits == RunLimits(wall_time_s=2, cpu_time_s=30, memory_mb=64, output_bytes=1 << 20)


def test_a_request_may_go_up_to_the_maximum_but_not_beyond() -> None:
    assert POLICY.resolve(LimitRequest(memory_mb=1024)).memory_mb == 1024
    with pytest.raises(LimitError, match="memory_mb may be at most 1024"):
        POLICY.resolve(LimitRequest(memory_mb=1025))


@pytest.mark.parametrize("field", ["wall_time_s", "cpu_time_s", "memory_mb", "output_bytes"])
def test_non_positive_requests_are_refused(field: str) -> None:
    with pytest.raises(LimitError, match=f"{field} must be positive"):
        POLICY.resolve(LimitRequest(**{field: 0}))


def test_a_default_above_its_maximum_is_a_configuration_error() -> None:
    with pytest.raises(LimitError, match="default memory_mb is above its maximum"):
        LimitPolicy(default=RunLimits(memory_mb=2048), maximum=RunLimits(memory_mb=1024))


def test_memory_has_a_floor_a_run_can_start_with() -> None:
    with pytest.raises(LimitError, match="memory_mb must be at least 16, got 1"):
        POLICY.resolve(LimitRequest(memory_mb=1))
    assert POLICY.resolve(LimitRequest(memory_mb=16)).memory_mb == 16
