"""What to say when an optional feature's package is missing (one sentence, the fix in it)."""

from __future__ import annotations


def missing(feature: str, extra: str) -> str:
    """``feature`` needs the optional extra ``extra``: how to install it."""
    return f"{feature} needs the {extra} extra: pip install 'rltui[{extra}]' (or '.[{extra}]' in a clone)."
