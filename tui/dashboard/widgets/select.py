"""A Select whose drop-down list survives PageUp/PageDown before it has been laid out.

Textual 8.2's OptionList pages by its rendered lines; pressed in the instant after the list opens
(or while it is hidden), they are not computed yet and ``_move_page`` raises KeyError, which ends
the app. The same crash is reported from other Textual apps. Here a page key that comes too early
does nothing.
"""

from __future__ import annotations

from textual.app import ComposeResult
from textual.widgets import Select
from textual.widgets._select import SelectCurrent, SelectOverlay


class _Overlay(SelectOverlay):
    def _move_page(self, direction) -> None:
        highlighted = self.highlighted or 0
        if not self._lines or highlighted not in self._index_to_line:
            return
        super()._move_page(direction)


class SafeSelect(Select):
    def compose(self) -> ComposeResult:
        yield SelectCurrent(self.prompt)
        yield _Overlay(type_to_search=self._type_to_search).data_bind(compact=Select.compact)
