import random

import pytest

from execbox.sandbox.guest.seccomp import all_but, build_policy

TIOCSTI, TIOCLINUX = 0x5412, 0x541C


def _matches(pairs: list[tuple[int, int]], value: int) -> bool:
    return any(value & mask == expected for mask, expected in pairs)


@pytest.mark.parametrize("excluded", [(TIOCSTI,), (TIOCSTI, TIOCLINUX), (0,), (0xFFFFFFFF,), (1, 2, 3)])
def test_all_but_matches_exactly_the_complement(excluded: tuple[int, ...]) -> None:
    pairs = all_but(excluded)
    for value in excluded:
        assert not _matches(pairs, value)
    samples = [random.getrandbits(32) for _ in range(20000)] + [v ^ 1 for v in excluded] + [0, 0xFFFFFFFF]
    for value in samples:
        assert _matches(pairs, value) == (value not in excluded)


def test_all_but_never_looks_at_the_high_half_of_a_register() -> None:
    for mask, _ in all_but((TIOCSTI, TIOCLINUX)):
        assert mask <= 0xFFFFFFFF


def test_the_policy_compiles_to_a_bpf_program() -> None:
    program = build_policy()
    assert len(program) % 8 == 0  # struct sock_filter is 8 bytes
    assert 50 < len(program) // 8 < 4096  # BPF_MAXINSNS
