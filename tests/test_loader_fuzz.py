"""Property tests: whatever is done to a study file, load_study loads or raises StudyError.

Each example takes one file of the example study (plus a themes.toml), corrupts it (random bytes,
truncation, flipped bytes, inserted quotes, a deleted column, random unicode), and loads the
folder. The only exception allowed is cases.errors.StudyError, and each of its problems is one line
that starts with a study file's name and holds no traceback.
"""

from __future__ import annotations

import shutil
import tempfile
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from cases.errors import StudyError
from cases.loader import CONTACTS_FILES, RATINGS_FILES, SITES_FILES, load_study

EXAMPLE = Path(__file__).resolve().parent.parent / "data" / "example"
THEMES = """\
[[theme]]
id = "own-theme"
title = "A theme of the study"
domain = "Inner setting"
sources = ["10.1000/example"]

[[theme]]
id = "leadership-support"
title = "The study's leadership theme"
"""
FILES = ["study.toml", "sites.csv", "contacts.csv", "ratings.csv", "themes.toml", "evidence.csv"]
KNOWN = (
    "study.toml",
    "themes.toml",
    *SITES_FILES,
    *CONTACTS_FILES,
    *RATINGS_FILES,
    "ratings/",
    "evidence.csv",
    "judgements.csv",
)  # ratings/RATER.csv too
ORIGINAL = {name: (EXAMPLE / name).read_bytes() for name in FILES if name != "themes.toml"}
ORIGINAL["themes.toml"] = THEMES.encode()
FUZZ = settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow]
)

# ---- corruptions: each takes the file's bytes and a hypothesis draw function -----------------------


def truncate(data: bytes, draw) -> bytes:
    return data[: draw(st.integers(0, len(data)))]


def flip_bytes(data: bytes, draw) -> bytes:
    buf = bytearray(data)
    for _ in range(draw(st.integers(1, 8))):
        i = draw(st.integers(0, len(buf) - 1))
        buf[i] = draw(st.integers(0, 255))
    return bytes(buf)


def insert_quotes(data: bytes, draw) -> bytes:
    buf = bytearray(data)
    for _ in range(draw(st.integers(1, 4))):
        i = draw(st.integers(0, len(buf)))
        buf[i:i] = draw(st.sampled_from([b'"', b"'", b'""', b'"""', b"[", b"]", b"=", b",", b"\n", b"\r", b"\t"]))
    return bytes(buf)


def delete_column(data: bytes, draw) -> bytes:
    """CSV: drop the k-th field of every line; TOML: drop a line."""
    lines = data.split(b"\n")
    k = draw(st.integers(0, 13))
    if data.lstrip().startswith((b"[", b"#")):  # TOML
        if lines:
            del lines[k * 7 % len(lines)]
        return b"\n".join(lines)
    return b"\n".join(b",".join(f for i, f in enumerate(line.split(b",")) if i != k) for line in lines)


def insert_unicode(data: bytes, draw) -> bytes:
    text = draw(st.text(min_size=1, max_size=20))
    i = draw(st.integers(0, len(data)))
    return data[:i] + text.encode("utf-8", "surrogatepass") + data[i:]


def random_bytes(data: bytes, draw) -> bytes:
    return draw(st.binary(max_size=300))


def random_text(data: bytes, draw) -> bytes:
    return draw(st.text(max_size=200)).encode("utf-8", "surrogatepass")


def replace_line(data: bytes, draw) -> bytes:
    lines = data.split(b"\n")
    i = draw(st.integers(0, max(len(lines) - 1, 0)))
    lines[i] = draw(
        st.text(alphabet=st.sampled_from(list(',"=[]. -+0123456789abcS\\\u2212\ufeff')), max_size=40)
    ).encode()
    return b"\n".join(lines)


CORRUPTIONS = [
    truncate,
    flip_bytes,
    insert_quotes,
    delete_column,
    insert_unicode,
    random_bytes,
    random_text,
    replace_line,
]


def check_load(folder: Path) -> None:
    try:
        load_study(folder)
    except StudyError as exc:
        assert exc.problems, "a StudyError with no problem"
        for problem in exc.problems:
            line = str(problem)
            assert line.startswith(KNOWN), line
            assert "Traceback" not in line
    # any other exception propagates and fails the test


def fuzz_one(name: str, corrupt, draw) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp) / "study"
        shutil.copytree(EXAMPLE, folder)
        (folder / "themes.toml").write_bytes(ORIGINAL["themes.toml"])
        (folder / name).write_bytes(corrupt(ORIGINAL[name], draw))
        check_load(folder)


@FUZZ
@given(data=st.data(), name=st.sampled_from(FILES), corrupt=st.sampled_from(CORRUPTIONS))
def test_corrupted_file_loads_or_raises_study_error(data, name, corrupt):
    fuzz_one(name, corrupt, data.draw)


@FUZZ
@given(data=st.data(), names=st.lists(st.sampled_from(FILES), min_size=2, max_size=5, unique=True))
def test_several_corrupted_files(data, names):
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp) / "study"
        shutil.copytree(EXAMPLE, folder)
        (folder / "themes.toml").write_bytes(ORIGINAL["themes.toml"])
        for name in names:
            corrupt = data.draw(st.sampled_from(CORRUPTIONS))
            (folder / name).write_bytes(corrupt(ORIGINAL[name], data.draw))
        check_load(folder)


def test_the_uncorrupted_base_loads():
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp) / "study"
        shutil.copytree(EXAMPLE, folder)
        (folder / "themes.toml").write_bytes(ORIGINAL["themes.toml"])
        study = load_study(folder)
        assert list(study.themes)[:2] == ["own-theme", "leadership-support"]


def _wide_from_long() -> bytes:
    """The example's ratings as a published CFIR table: themes down (by title), sites across."""
    import csv
    import io

    from cases.catalogue import load_catalogue

    titles = {t.id: t.title for t in load_catalogue().themes}
    rows = list(csv.DictReader(io.StringIO(ORIGINAL["ratings.csv"].decode())))
    sites = list(dict.fromkeys(r["site"] for r in rows))
    table: dict[str, dict[str, str]] = {}
    for r in rows:
        table.setdefault(r["theme"], {})[r["site"]] = r["rating"]
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(["domain", "theme", *sites])
    for theme, cells in table.items():
        writer.writerow(["", titles[theme], *(cells.get(s, "") for s in sites)])
    return out.getvalue().encode()


WIDE = _wide_from_long()


def test_the_wide_base_loads_with_the_same_ratings():
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp) / "study"
        shutil.copytree(EXAMPLE, folder)
        (folder / "ratings.csv").unlink()
        (folder / "ratings-wide.csv").write_bytes(WIDE)
        wide = load_study(folder)
    long = load_study(EXAMPLE)
    assert {(r.site, r.theme, r.token) for r in wide.ratings} == {(r.site, r.theme, r.token) for r in long.ratings}


@FUZZ
@given(data=st.data(), corrupt=st.sampled_from(CORRUPTIONS))
def test_corrupted_wide_ratings_load_or_raise_study_error(data, corrupt):
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp) / "study"
        shutil.copytree(EXAMPLE, folder)
        (folder / "ratings.csv").unlink()
        (folder / "ratings-wide.csv").write_bytes(corrupt(WIDE, data.draw))
        check_load(folder)
