"""The README and docs hold together in a clone: links resolve inside the repo, the contracts are whole,
the Quick start is two commands that each stand alone, and CI runs the README's test command."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
DESIGN = REPO.parent / "shared" / "design"
CONTRACTS = ("study-format.md", "interfaces.md", "analysis.md")
LINK = re.compile(r"\[[^\]]*\]\(([^)\s]+)\)")


def doc_pages() -> list[Path]:
    pages = [REPO / "README.md", *sorted((REPO / "docs").rglob("*.md"))]
    contributing = REPO / "CONTRIBUTING.md"
    return pages + ([contributing] if contributing.exists() else [])


@pytest.mark.parametrize("page", doc_pages(), ids=lambda p: str(p.relative_to(REPO)))
def test_every_link_resolves_inside_the_repo(page):
    text = page.read_text(encoding="utf-8")
    assert "../shared" not in text, f"{page.name} points outside the repository (../shared)"
    prose = re.sub(r"`[^`\n]*`", "", text)  # links written inside code spans are examples
    for target in LINK.findall(prose):
        if re.match(r"[a-z]+:", target) or target.startswith("#"):
            continue
        path = (page.parent / target.split("#")[0]).resolve()
        assert path.exists(), f"{page.relative_to(REPO)}: link {target} does not resolve"
        assert path.is_relative_to(REPO), f"{page.relative_to(REPO)}: link {target} leaves the repository"


@pytest.mark.parametrize("name", CONTRACTS)
def test_the_project_keeps_each_contract_whole(name):
    copy = REPO / "docs" / "contracts" / name
    assert copy.exists()
    original = DESIGN / name
    if not original.exists():
        pytest.skip("the design pages are not beside this clone")
    assert copy.read_text(encoding="utf-8") == original.read_text(encoding="utf-8"), (
        f"docs/contracts/{name} differs from the design page: copy it again"
    )


def quick_start() -> list[str]:
    text = (REPO / "README.md").read_text(encoding="utf-8")
    section = text.split("## Quick start", 1)[1]
    block = section.split("```", 2)[1]
    return [line for line in block.strip("\n").splitlines() if line.strip()]


def test_quick_start_is_two_commands_that_each_stand_alone():
    commands = quick_start()
    assert len(commands) == 2
    first, second = commands
    assert first.endswith(".venv/bin/crosscase")
    assert second.endswith("-m pytest")
    # The second must not rely on the first having run: it makes the environment itself.
    for command in commands:
        assert command.startswith("python3 -m venv .venv && .venv/bin/pip install"), command
        assert '-e ".[test]"' in command


def test_ci_runs_the_readme_test_command_word_for_word():
    run = (REPO / ".ci" / "run").read_text(encoding="utf-8")
    assert quick_start()[1] in run.splitlines()


def test_ci_runs_the_check_command_before_the_tests():
    lines = (REPO / ".ci" / "run").read_text(encoding="utf-8").splitlines()
    assert ".ci/check" in lines
    assert lines.index(".ci/check") < lines.index(quick_start()[1])


SOURCE_PATH = re.compile(r"\b(?:tui|cases|metrics|tests|data)/[A-Za-z0-9_/.-]+\.(?:py|tcss)\b")


@pytest.mark.parametrize("page", doc_pages(), ids=lambda p: str(p.relative_to(REPO)))
def test_every_source_file_a_page_names_exists(page):
    """docs/architecture.md and the others name files by path: a move must update them."""
    named = set(SOURCE_PATH.findall(page.read_text(encoding="utf-8")))
    missing = sorted(p for p in named if "NAME" not in p and not (REPO / p).exists())
    assert missing == [], f"{page.relative_to(REPO)} names files that do not exist"
