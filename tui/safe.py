"""The one escaping path for text from data files on its way to a terminal or a file (cases/escape.py).

Every output path (the dashboard, summary's text, markdown, JSON and TOML, validate, themes, diff and
the problem lines) escapes data through these functions; the implementation is in ``cases.escape``
so that ``cases`` can use it without importing the UI.
"""

from cases.escape import clean, code_points, escape_serialised, shorten, visible

__all__ = ["clean", "code_points", "escape_serialised", "shorten", "visible"]
