"""The help screen: every key, and what the numbers in the panels mean."""

from __future__ import annotations

from rich.console import Group
from rich.table import Table
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Static

from rltui.envs.catalog import EnvEntry
from rltui.live.realtime import HOLD
from rltui.ui.render.palette import ACCENT, TEXT

APP_KEYS = (
    ("tab", "hand control to the agent and back (it continues from the current state)"),
    ("a move key", "take the wheel back while the agent drives"),
    ("space", "pause / resume the agent"),
    ("n or .", "one agent step (then it waits)"),
    ("+ / -", "agent speed: 1 to 128 steps a second (- from full speed: 128)"),
    ("f", "full speed on, or off again (back to the last counted speed); the screen refreshes a few times a second"),
    ("t", "training on/off (off: the agent acts greedily)"),
    ("l", "learn from your moves on/off (Q-learning, Expected SARSA, DQN, SAC)"),
    (
        "K",
        "knobs: change α, ε (and its schedule), γ or the learning rate while the agent runs; "
        "from its next step, marked on the timeline and as a line in the Training plot; on a grid "
        "map also the world's slip and living reward, from the next episode",
    ),
    (
        "E",
        "edit this grid world's map (maps, FrozenLake, CliffWalking): walls, start, exits, holes, "
        "cliff, slip, living reward, γ; p saves it to saves/maps/ and plays it",
    ),
    (
        "P",
        "paint the world while the agent learns (maps): a reward, a wall, a hole, an exit, slip, "
        "living reward; p applies it at the next episode, marked like a knob; the agent keeps its "
        "values and the value map (v) shows them reroute; the size stays",
    ),
    (
        "X",
        "explain this step: the update the agent made, the equation with its numbers (Q-learning's "
        "α, r, γ, max Q(s',·); DQN's target and loss; PPO's advantage and ratio π/π_old; SAC's soft target; "
        "a planner's Bellman backup); works on any step [ ] looks back at; X again closes it",
    ),
    ("ctrl+t", "real time (the env moves at its own pace, a held key pushes) / turn by turn"),
    (
        "v",
        "value map: V(s) as colour, the greedy action as an arrow; press again for V(s) in numbers, "
        "again for Q(s,a) per action (each move's value on its side of the cell), again to hide it "
        "(grid worlds; MountainCar over position × velocity)",
    ),
    ("[ / ]", "step back / forward through the episode; acting from an earlier step branches"),
    ("home / end", "the episode's first / latest step"),
    ("r", "start a new episode"),
    ("ctrl+s / ctrl+o", "save the agent (a file, or a folder to save in) / load an agent or an episode"),
    (
        "ctrl+e",
        "save this episode (rltui play --replay FILE opens it; rltui saves lists them; "
        "rltui episodes gif FILE makes a GIF of it; rltui episodes export FILE... --minari ID "
        "makes a Minari dataset of several)",
    ),
    ("esc", "back to the environment list"),
    ("?", "this help"),
    ("q", "quit (asks first if the agent has learned since it was saved)"),
)

DEFINITIONS = (
    ("return", "Σ r_t: the sum of the episode's rewards"),
    ("discounted", "Σ γ^k r_k over the steps so far"),
    ("G_t", "r_t + γ r_(t+1) + γ² r_(t+2) + …: what step t was worth"),
    ("V(s_t)", "max_a Q(s_t, a): what the agent expected step t to be worth (a policy agent: its critic)"),
    ("π(a|s)", "a policy agent's probability of each action (REINFORCE, PPO); it samples from it"),
    ("advantage", "G_t − V(s_t) (REINFORCE) or GAE (PPO): how much better the move was than expected"),
    ("KL / clip", "how far an update moved π from the rollout's policy / the share of steps PPO clipped"),
    ("TD target", "r + γ max_a' Q(s', a') (Q-learning; 0 after the last step)"),
    ("TD error", "TD target − Q(s, a): Q(s, a) moves α × this towards the target (DQN: a gradient step)"),
    ("γ", "the discount: the env's, or the agent's own when it brought one (the panel says so)"),
    ("★ / ▶", "the greedy (likeliest) action / the action just taken"),
    ("★ / ▲", "continuous actions: the policy's mean (its greedy action) / the action just taken"),
    (
        "curve",
        "one continuous action: π(a|s) over its range (PPO), or Q(s, a) (SAC); several: mean ± std per dimension",
    ),
    ("α", "SAC's temperature: how much it values the policy's entropy; tuned toward −(action dimensions)"),
)


class HelpScreen(ModalScreen[None]):
    """Keys for the current environment and the app, and the definitions."""

    BINDINGS = [Binding("escape,question_mark,q", "dismiss", "Close", key_display="esc")]

    def __init__(self, entry: EnvEntry | None = None) -> None:
        super().__init__()
        self.entry = entry

    def compose(self) -> ComposeResult:
        with VerticalScroll(id="help-box"):
            yield Static(self._content())

    def on_mount(self) -> None:
        box = self.query_one("#help-box")
        box.border_title = "Help"
        box.border_subtitle = "↑↓ pgup pgdn scroll · esc closes"
        box.focus()

    def _content(self) -> Group:
        parts: list[object] = []
        if self.entry is not None:
            # The heading is its own line: as a table title it wraps inside the table's width
            # and splits the env id.
            parts.append(Text(f"{self.entry.id} actions", style="bold italic", no_wrap=True))
            keys = Table(box=None)
            keys.add_column("keys", style=f"bold {ACCENT}")
            keys.add_column("action")
            vectors = self.entry.action_vectors
            for ak in self.entry.keys:
                name = self.entry.action_names[ak.action]
                if vectors is not None:
                    name += "  (" + ", ".join(f"{v:+g}" for v in vectors[ak.action]) + ")"
                keys.add_row(ak.label, name)
            parts += [keys, Text()]
            if self.entry.realtime:
                rest = self.entry.rest_description
                parts += [
                    Text(
                        f"Real time: the env moves at its own pace while you drive. A key's action lasts "
                        f"{HOLD:g} s after its latest press, so holding a key (the terminal repeats it) "
                        f"keeps pushing; with no key held the env gets {rest}. + and - set the pace (play --fps "
                        "starts at one); ctrl+t switches to turn by turn (one step per key).",
                        style=TEXT,
                    ),
                    Text(),
                ]
        app_keys = Table(title="Everywhere", title_justify="left", box=None)
        app_keys.add_column("keys", style=f"bold {ACCENT}")
        app_keys.add_column("does")
        for key, what in APP_KEYS:
            app_keys.add_row(key, what)
        defs = Table(title="What the panels show", title_justify="left", box=None)
        defs.add_column("name", style="bold")
        defs.add_column("meaning")
        for name, meaning in DEFINITIONS:
            defs.add_row(name, meaning)
        return Group(*parts, app_keys, Text(), defs)

    async def action_dismiss(self, result: None = None) -> None:
        self.dismiss(result)
