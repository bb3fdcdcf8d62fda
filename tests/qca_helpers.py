"""Helpers for the QCA tests: the example study.toml without its QCA part (its fuzzy and rating
conditions and [qca]), so that a test adds exactly the conditions and table it checks."""

from __future__ import annotations


def crisp_example(text: str) -> str:
    """The example's study.toml with the block from "# Set-theoretic analysis" up to the next
    "# Statistics by themes" comment left out (the four crisp conditions stay)."""
    start = text.index("# Set-theoretic analysis")
    end = text.index("# Statistics by themes", start)
    return text[:start] + text[end:]
