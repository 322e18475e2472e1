"""What the README and the docs pages it links to promise of the command line: γ in `rltui envs`
(docs/environments.md), the order of `rltui saves` (docs/getting-started.md), the `l` notice's
learners (docs/playing.md), install hints that name this venv's pip and rltui's extras (README.md,
docs/getting-started.md), and the TensorBoard command beside this Python (docs/cli.md)."""

from __future__ import annotations

import shutil
import sys
from pathlib import Path

import pytest

from rltui import extras
from rltui.cli import main
from rltui.envs import catalog
from rltui.paths import SHIPPED_DIR

ROOT = Path(__file__).resolve().parents[2]


def test_envs_shows_each_envs_gamma(capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("COLUMNS", "200")
    assert main(["envs"]) == 0
    lines = capsys.readouterr().out.splitlines()
    header = next(line for line in lines if " id " in line)
    assert [c.strip() for c in header.strip("┃ ").split("┃")][:2] == ["id", "γ"]
    for env_id in ("Taxi-v4", "FrozenLake-v1", "CartPole-v1"):
        row = next(line for line in lines if f" {env_id} " in line)
        assert row.split("│")[2].strip() == f"{catalog.get(env_id).gamma:g}"


def test_saves_lists_your_agents_and_episodes_before_the_shipped_ones(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    from rltui.envs.session import Session
    from rltui.live.playalong import PlayAlong

    yours = tmp_path / "saves"
    monkeypatch.setenv("RLTUI_SAVES", str(yours))
    monkeypatch.setenv("COLUMNS", "200")
    yours.mkdir()
    shutil.copy(SHIPPED_DIR / "Taxi-v4-q-learning.safetensors", yours / "mine.safetensors")
    owner = PlayAlong(Session(catalog.resolve("CliffWalking-v1"), seed=0, render=False))
    owner.commands.act(0)
    episode, _ = owner.save_episode(yours / "episodes")
    assert main(["saves"]) == 0
    out = capsys.readouterr().out
    order = [out.index("mine"), out.index(episode.name), out.index("Taxi-v4-q-learning")]
    assert order == sorted(order), out


def test_the_l_notice_under_an_on_policy_agent_names_the_registrys_off_policy_kinds() -> None:
    from agents.registry import OFF_POLICY, kinds_for
    from rltui.envs.session import Session
    from rltui.live.playalong import PlayAlong
    from rltui.training.agent_factory import make_agent_for

    said = []
    entry = catalog.resolve("Pendulum-v1")
    owner = PlayAlong(Session(entry, seed=0, render=False), deliver=said.append)
    owner.agent = make_agent_for(entry, "reinforce", {"hidden": "8"}, seed=0)
    before = owner.learn_from_human
    owner.commands.toggle_learn_from_human()
    (notice,) = [m for m in said if hasattr(m, "text")]
    learners = [k for k in kinds_for(owner.session.env) if k in OFF_POLICY]
    assert "sac" in learners  # SAC learns from a person's moves too
    text = notice.text
    assert text.startswith("reinforce learns only from its own moves")
    named = text.split("Of the kinds that play Pendulum-v1, ", 1)[1].split(" learn from yours")[0]
    assert named.replace(" and ", ", ").split(", ") == learners
    assert owner.learn_from_human == before  # nothing to turn on or off


def _fake_venv(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, *scripts: str) -> None:
    bin_dir = tmp_path / "venv" / "bin"
    bin_dir.mkdir(parents=True)
    for name in ("python", *scripts):
        (bin_dir / name).write_text("#!/bin/sh\n")
        (bin_dir / name).chmod(0o755)
    monkeypatch.setattr(sys, "executable", str(bin_dir / "python"))
    monkeypatch.chdir(tmp_path)


def test_install_hints_name_this_pythons_pip_and_rltuis_extra(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    _fake_venv(tmp_path, monkeypatch, "pip")
    monkeypatch.setattr(extras, "source_checkout", lambda: tmp_path)
    assert extras.install_hint("box2d") == "venv/bin/pip install -e '.[box2d]'"
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    monkeypatch.chdir(elsewhere)
    assert extras.install_hint("box2d") == f"{tmp_path}/venv/bin/pip install -e '{tmp_path}[box2d]'"
    monkeypatch.setattr(extras, "source_checkout", lambda: None)  # installed as a package
    assert extras.install_hint("gif") == f"{tmp_path}/venv/bin/pip install 'rltui[gif]'"
    (tmp_path / "venv" / "bin" / "pip").unlink()  # no pip beside it: that Python's -m pip
    assert extras.install_hint("gif") == f"{tmp_path}/venv/bin/python -m pip install 'rltui[gif]'"
    assert extras.missing("GIFs", "gif") == f"GIFs needs the gif extra: {extras.install_hint('gif')}."


def test_this_checkout_is_found_and_box2d_says_the_readmes_command(monkeypatch: pytest.MonkeyPatch) -> None:
    assert extras.source_checkout() == ROOT  # the test venv installs rltui with -e
    monkeypatch.chdir(ROOT)
    for env_id in ("LunarLander-v3", "LunarLanderContinuous-v3", "BipedalWalker-v3"):
        hint = catalog.get(env_id).install_hint
        assert hint == f"{extras.pip_command()} install -e '.[box2d]'"
        assert "gymnasium[box2d]" not in hint
    if Path(sys.executable).parent == ROOT / ".venv" / "bin":
        assert catalog.get("LunarLander-v3").install_hint == ".venv/bin/pip install -e '.[box2d]'"


def test_train_tensorboard_names_the_tensorboard_beside_this_python(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    beside = Path(sys.executable).parent / "tensorboard"
    if not beside.is_file():
        pytest.skip("no tensorboard script beside this Python")
    assert (
        main(
            [
                "train",
                "CliffWalking-v1",
                "--agent",
                "q-learning",
                "--steps",
                "10",
                "--tensorboard",
                str(tmp_path / "tb"),
                "--no-save",
                "--quiet",
            ]
        )
        == 0
    )
    (line,) = [x for x in capsys.readouterr().out.splitlines() if x.startswith("TensorBoard: ")]
    viewer, flag = line.removeprefix("TensorBoard: ").split()[:2]
    assert flag == "--logdir" and Path(viewer).resolve() == beside.resolve()


def test_the_promises_are_made_where_the_tests_above_say() -> None:
    """Each promise checked above is still made, on the page it moved to from the README."""

    def page(name: str) -> str:
        return " ".join((ROOT / "docs" / f"{name}.md").read_text().split())

    assert "`rltui envs` prints the same" in page("environments")
    assert "`rltui saves`, `ctrl+o` and the launcher list both, yours first" in page("getting-started")
    assert "Your own moves teach off-policy agents too (Q-learning, Expected SARSA, DQN, SAC" in page("playing")
    assert "(`l` says so instead of doing nothing)" in page("playing")
    for where in (page("getting-started"), " ".join((ROOT / "README.md").read_text().split())):
        assert "`.venv/bin/pip install -e '.[box2d]'`" in where
    assert ".venv/bin/tensorboard --logdir runs" in page("cli")
