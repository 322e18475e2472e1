"""An agent that has learned (a save) comes to be watched: greedy, until t trains it on."""

from __future__ import annotations

import copy

import pytest

from rltui.envs import catalog
from rltui.envs.session import AGENT, Session
from rltui.live.inbox import Notice
from rltui.live.playalong import PlayAlong
from rltui.training.agent_factory import load_agent_for, make_agent_for

PORTAL = catalog.resolve("PortalRescue-v0")
SHIPPED = "saves/PortalRescue-v0-q-learning.safetensors"


def _heard(owner_notices: list) -> list[str]:
    return [m.text for m in owner_notices if isinstance(m, Notice)]


@pytest.mark.parametrize("how", ["--load", "ctrl+o"])
def test_a_shipped_agent_plays_its_greedy_policy_until_t(how: str) -> None:
    agent, _ = load_agent_for(SHIPPED, PORTAL)
    assert agent.epsilon > 0.5  # saved mid-schedule: training stopped once it solved the env
    heard: list = []
    session = Session(PORTAL, seed=0, render=False, kind=agent.kind)
    if how == "--load":
        owner = PlayAlong(session, agent, deliver=heard.append)
    else:
        owner = PlayAlong(session, None, deliver=heard.append)
        owner._attach(agent)  # what ctrl+o's set_agent calls on the owner thread
    assert not owner.learning and owner.latest is not None
    owner.publish(force=True)
    assert owner.latest.training.epsilon is None  # the panel shows no ε at work
    assert any("greedy policy" in t and "t goes on training" in t for t in _heard(heard))
    # It acts as eval would: always the greedy action, and learns nothing meanwhile.
    owner.controller = AGENT
    table, steps = copy.deepcopy(agent.table), agent.steps
    for _ in range(20):
        greedy = agent.act(owner.session.obs, explore=False)
        owner.stepper.agent()
        assert owner.session.episode.actions[-1] == greedy
        if owner.session.episode.done:
            break
    assert agent.steps == steps and agent.table == table
    owner.commands.toggle_learning()  # t: it trains on, from where its schedule stood
    owner.publish(force=True)
    assert owner.learning and owner.latest.training.epsilon == pytest.approx(agent.epsilon)


def test_a_fresh_agent_learns_from_the_start() -> None:
    session = Session(PORTAL, seed=0, render=False, kind="q-learning")
    owner = PlayAlong(session, make_agent_for(PORTAL, "q-learning", {}, seed=0))
    owner.publish(force=True)
    assert owner.learning and owner.latest.training.epsilon == pytest.approx(1.0)
