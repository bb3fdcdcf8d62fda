"""cases/tomlcheck.py: the one checker of study.toml, themes.toml and snapshots, in its two forms."""

from __future__ import annotations

from cases.errors import Collector
from cases.tomlcheck import TomlChecker

TEXT = '[study]\ntitle = 1\n\n[[metrics]]\nmetric = "a"\n\n[[metrics]]\n[metrics.high]\nn = "x"\n'


def lines(c: TomlChecker) -> list[str]:
    return [str(p) for p in c.problems]


def test_plain_messages_name_their_table_and_the_line_is_the_keys_or_its_tables():
    out = Collector()
    c = TomlChecker("study.toml", TEXT, out)
    assert c.string(("study",), {"title": 1}, "title", "study", required=True) is None
    c.string(("study",), {}, "description", "study", required=True)
    c.unknown(("metrics", 0), {"metric": "a", "colour": 1}, {"metric"}, "[metrics]")
    assert c.problems is out.problems
    assert lines(c) == [
        "study.toml:2: [study] title must be a non-empty text",
        'study.toml:1: [study] needs description = "..."',
        'study.toml:4: [[metrics]] has an unknown key "colour" (allowed: metric)',
    ]
    assert c.line(("metrics", 1, "high"), "n") == 9


def test_keyed_messages_start_with_the_dotted_key_and_name_the_nearest_line():
    c = TomlChecker("s.toml", TEXT, keyed=True)
    assert c.need({"title": 1}, ("study",), "title", str) is None
    c.need({"metric": "a"}, ("metrics", 0), "label", str)
    c.need({"n": "x"}, ("metrics", 1, "high"), "n", int)
    c.need({}, ("metrics", 1, "low"), "n", int)  # no [metrics.low]: the closest table above it
    c.need({}, (), "schema", str)
    assert lines(c) == [
        "s.toml:2: study.title: must be text",
        's.toml:4: metrics[1]: missing key "label"',
        "s.toml:9: metrics[2].high.n: must be a whole number",
        's.toml:7: metrics[2].low: missing key "n"',
        's.toml: missing "schema"',
    ]
