"""The peer panel's rule: a key point is credited when two of three judges credit it."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from bot.peer_judges import PANEL, peer_verdict

Vote = tuple[bool, ...]
votes = st.integers(1, 6).flatmap(
    lambda n: st.lists(st.tuples(*[st.booleans()] * n), min_size=PANEL, max_size=PANEL)
)


def test_one_vote_settles_nothing_and_two_only_when_they_agree() -> None:
    assert peer_verdict([(True, False)]) is None
    assert peer_verdict([(True, False), (True, True)]) is None
    assert peer_verdict([(True, False), (True, False)]) == (True, False)
    assert peer_verdict([(True, False), (True, True), (False, False)]) == (True, False)


@given(votes)
def test_three_votes_give_each_point_its_majority(panel: list[Vote]) -> None:
    verdict = peer_verdict(panel)
    assert verdict is not None
    for n, credited in enumerate(verdict):
        assert credited == (sum(v[n] for v in panel) >= 2)


@given(votes)
def test_two_agreeing_votes_are_what_any_third_vote_would_give(panel: list[Vote]) -> None:
    first, _, third = panel
    settled = peer_verdict([first, first])
    assert settled == first
    assert peer_verdict([first, first, third]) == settled
