"""The play screen's status line, drawn from a snapshot."""

from __future__ import annotations

from rich.text import Text

from agents.registry import OFF_POLICY
from rltui.envs.session import HUMAN
from rltui.live.snapshot import Snapshot
from rltui.ui.format import action_label, num, plural
from rltui.ui.render.palette import ACCENT, INFO, TEXT
from rltui.ui.widgets.training_panel import controller_badge


def status_line(snap: Snapshot, names: tuple[str, ...]) -> Text:
    """The line under the env: who made the last move and what it got, then what the person
    can do now (look back, drive in real time, step, resume ...)."""
    text = controller_badge(snap)
    text.append("  ")
    if snap.step.last is not None:
        text.append("last ", style="dim")
        text.append(action_label(snap.step.last.action, names), style="bold")
        text.append(f" by {snap.step.last.actor}", style="dim")
        if snap.step.last_outcome:
            text.append(f" ({snap.step.last_outcome})", style=f"bold {INFO}")
        text.append(", reward ", style="dim")
        text.append(num(snap.step.last.reward, 2), style="bold")
        text.append("   ")
    if snap.status.loading:
        text.append("Loading the agent… (the first DQN takes a few seconds: torch is big)", style=f"bold {ACCENT}")
    elif snap.timeline.viewing:
        i, n = snap.timeline.shown, snap.timeline.recorded
        text.append(
            f"Looking back at step {i}/{n}: [ ] move, end returns, a move (or n) branches from here.",
            style=f"bold {ACCENT}",
        )
        if snap.timeline.knob_here:
            text.append(f"  Knobs turned here: {snap.timeline.knob_here}.", style=f"bold {INFO}")
    elif snap.status.controller == HUMAN:
        if snap.step.done:
            text.append("Episode over: r starts a new one, tab lets the agent play on.", style=f"bold {ACCENT}")
            if snap.realtime.learning_behind:
                text.append(
                    f" The agent is learning from your {snap.realtime.learning_behind} latest moves.", style="dim"
                )
        elif snap.realtime.on:
            if snap.realtime.clock_running:
                kept = "" if snap.realtime.frame_rate is None else f"{snap.realtime.frame_rate:.0f}/"
                text.append(f"Real time, {kept}{snap.realtime.fps:g} steps/s: hold a key to push", style=TEXT)
                behind, unlearned = snap.realtime.learning_behind, snap.realtime.unlearned
                if behind or unlearned:
                    text.append(
                        f" (the agent learns between frames: {behind} "
                        "moves to go" + (f", {unlearned} skipped" if unlearned else "") + ")",
                        style="dim",
                    )
            else:
                text.append(f"Real time ({snap.realtime.fps:g} steps/s): a key starts the clock", style=TEXT)
            text.append(" (ctrl+t: turn by turn).", style="dim")
        elif not snap.status.has_agent:
            text.append("Your move. tab hands over to an agent.", style=TEXT)
        else:
            learns = snap.status.learning and snap.status.learn_from_human and snap.status.agent_kind in OFF_POLICY
            text.append("Your move" + (" (the agent learns from it)." if learns else "."), style=TEXT)
    elif snap.planning not in (None, "converged", "stopped") and snap.status.paused:
        text.append("Paused: n plans one sweep, space resumes.", style=f"bold {ACCENT}")
    elif snap.planning not in (None, "converged", "stopped"):
        speed = "full speed" if snap.status.full_speed else plural(snap.status.speed, "sweep") + "/s"
        text.append(
            f"Planning, {speed}: the agent acts once its values converge; space pauses, n one sweep, +/- speed.",
            style=TEXT,
        )
    elif snap.status.paused:
        text.append("Paused: n steps once, space resumes, tab takes over.", style=f"bold {ACCENT}")
    else:
        speed = "full speed" if snap.status.full_speed else plural(snap.status.speed, "step") + "/s"
        text.append(f"{speed}: space pauses, +/- speed, f full speed, a move key takes over.", style=TEXT)
    return text
