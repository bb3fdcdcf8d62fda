"""The study: reading, validating and fingerprinting study folders, and the model they load into.

This package knows files and polars; it never imports textual, plotext or ``tui``.
"""

from cases.errors import Problem, StudyError
from cases.model import Study

__all__ = ["Problem", "Study", "StudyError"]
