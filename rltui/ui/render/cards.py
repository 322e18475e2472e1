"""Blackjack hands as cards."""

from __future__ import annotations

from rich.text import Text

from rltui.envs.scenes import CardsScene
from rltui.ui.render.palette import CARD, CARD_BACK


def _rank(card: int) -> str:
    return "A" if card == 1 else str(card)


def _cards(out: Text, cards: list[str]) -> None:
    styles = [f"bold black on {CARD_BACK if c == '?' else CARD}" for c in cards]
    for row in range(3):
        for i, (card, style) in enumerate(zip(cards, styles)):
            if i:
                out.append(" ")
            if row == 1:
                out.append(f" {card:<3} ", style)
            else:
                out.append("     ", style)
        out.append("\n")


def render_cards(scene: CardsScene) -> Text:
    """Draw the dealer's and the player's hands with their sums."""
    out = Text(no_wrap=True, overflow="crop")
    out.append("Dealer\n", "bold")
    dealer = [_rank(c) for c in scene.dealer]
    if not scene.reveal_dealer:
        dealer = dealer[:1] + ["?"]
    _cards(out, dealer)
    if scene.dealer_sum is None:
        out.append(f"showing {_rank(scene.dealer_showing)}\n\n")
    else:
        out.append(f"sum {scene.dealer_sum}" + (" (bust)" if scene.dealer_sum > 21 else "") + "\n\n")
    out.append("You\n", "bold")
    _cards(out, [_rank(c) for c in scene.player])
    out.append(f"sum {scene.player_sum}")
    if scene.usable_ace:
        out.append(" (usable ace)")
    out.append("\n")
    if scene.outcome:
        out.append("\n" + scene.outcome, "bold")
    return out
