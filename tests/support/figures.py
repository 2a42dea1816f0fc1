"""Figures tests measure (cases survived, examples tried, soak RSS...), printed at the end of the
run by the terminal-summary hook in tests/conftest.py: one line per section, the latest wins."""

from __future__ import annotations

_FIGURES: dict[str, str] = {}


def record(section: str, text: str) -> None:
    _FIGURES[section] = text


def lines() -> list[str]:
    return [f"{section}: {text}" for section, text in _FIGURES.items()]
