"""The agent protocols answer by class, once: the same answers Python's own check gives."""

from __future__ import annotations

from typing import Any

from agents import protocols
from agents.protocols import ContinuousAgent, PolicyAgent, TableAgent, ValueAgent


class _Values:
    def q_values(self, obs: Any) -> Any:
        return [0.0]


class _NoTable(_Values):
    q_table = None  # a method set to None does not count


def test_answers_are_kept_per_class_and_match_pythons_own() -> None:
    for _ in range(3):  # asked again: the kept answer
        assert isinstance(_Values(), ValueAgent)
        assert not isinstance(_Values(), PolicyAgent)
        assert isinstance(_NoTable(), ValueAgent) and not isinstance(_NoTable(), TableAgent)
        assert not isinstance(3, ContinuousAgent)
    assert protocols._SEEN[ValueAgent][_Values] is True
    plain = type(protocols.Protocol)
    assert plain.__instancecheck__(ValueAgent, _Values()) and not plain.__instancecheck__(TableAgent, _NoTable())
