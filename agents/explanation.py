"""What an explanation of a step is (:mod:`agents.explain` makes them): plain data, laid out
for the panel and for ``rltui explain``."""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from typing import Any

import numpy as np

from agents.base import Transition

After = Sequence[Transition]
"""The episode's transitions from the step explained on (the step itself first)."""
MAX_AFTER = 256
"""Steps after the explained one its advantage sums at most ((γλ)^256 is below 1e-5 at
γλ = 0.95)."""


@dataclass(frozen=True)
class Term:
    """One symbol of an update, what it means and its value."""

    symbol: str
    meaning: str
    value: float | int | str | None

    def shown(self) -> str:
        return number(self.value)


@dataclass(frozen=True)
class Explanation:
    """One update, as the literature writes it and with its numbers."""

    title: str
    """What is explained: ``Q-learning: the update of Q(s, a) at this step``."""
    equation: str
    """The update in symbols."""
    filled: str
    """The same with every symbol replaced by its value."""
    terms: tuple[Term, ...]
    """The symbols' values, in the order the equation reads them."""
    result: tuple[Term, ...]
    """What the update made: the new value, the error, the loss."""
    notes: tuple[str, ...] = ()
    """What to know to read it (the target network's turn, a pending rollout …)."""
    batch: tuple[Term, ...] = field(default=())
    """For a network agent: its last gradient step on a batch (mean target, loss, ∇ norm)."""

    def as_dict(self) -> dict[str, Any]:
        """For ``rltui explain --json``: plain JSON types only."""
        return asdict(self)


Segment = tuple[str, str]
"""A piece of a laid-out explanation: (text, role); roles: title, equation, filled, heading,
symbol, value, result, meaning, note."""


def layout(ex: Explanation, width: int) -> list[Segment]:
    """An explanation laid out in ``width`` columns, as segments to print in order (the panel
    styles each by its role; ``rltui explain`` prints them plain): the equations wrap, each
    term is one line, what it means cut to fit."""
    out: list[Segment] = [
        (ex.title + "\n", "title"),
        (ex.equation + "\n", "equation"),
        (ex.filled + "\n\n", "filled"),
    ]
    out += _term_lines(ex.terms, width, "value")
    if ex.result:
        out.append(("\n", "meaning"))
        out += _term_lines(ex.result, width, "result")
    if ex.batch:
        out.append(("\nThe last gradient step, on a batch\n", "heading"))
        out += _term_lines(ex.batch, width, "value")
    out += [("\n· " + note, "note") for note in ex.notes]
    return out


def _term_lines(terms: tuple[Term, ...], width: int, role: str) -> list[Segment]:
    symbol_width = max((len(t.symbol) for t in terms), default=0)
    value_width = max((len(t.shown()) for t in terms), default=0)
    room = width - symbol_width - value_width - 3
    out: list[Segment] = []
    for term in terms:
        meaning = term.meaning if len(term.meaning) <= room else term.meaning[: max(0, room - 1)] + "…"
        out += [
            (f"{term.symbol:<{symbol_width}} ", "symbol"),
            (f"{term.shown():>{value_width}}", role),
            (f"  {meaning}\n" if room > 4 else "\n", "meaning"),
        ]
    return out


def as_text(ex: Explanation, width: int = 100) -> str:
    """An explanation as plain text (``rltui explain``)."""
    return "".join(text for text, _ in layout(ex, width)).rstrip() + "\n"


def number(value: Any) -> str:
    """A value as an explanation shows it: integers whole, reals to four decimals (enough for
    the arithmetic to be redone by hand), non-finite ones by name."""
    if value is None:
        return "—"
    if isinstance(value, (bool, np.bool_)):
        return "yes" if value else "no"
    if isinstance(value, (int, np.integer)):
        return str(int(value))
    if isinstance(value, (float, np.floating)):
        v = float(value)
        if not math.isfinite(v):
            return str(v)
        if v != 0 and (abs(v) >= 1e6 or abs(v) < 1e-4):
            return f"{v:.4e}"
        return f"{v:.4f}".rstrip("0").rstrip(".") if "." in f"{v:.4f}" else f"{v:.4f}"
    return str(value)


def eq(value: Any) -> str:
    """A value inside an equation: negative ones in parentheses."""
    shown = number(value)
    return f"({shown})" if shown.startswith("-") else shown
