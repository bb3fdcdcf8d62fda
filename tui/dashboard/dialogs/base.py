"""What every dialog shares."""

from __future__ import annotations

from typing import Generic, TypeVar

from textual.await_complete import AwaitComplete
from textual.screen import ModalScreen

R = TypeVar("R")


class Dialog(ModalScreen[R], Generic[R]):
    """A modal dialog that closes once.

    Enter or a click twice in quick succession (key repeat, a slow SSH link) queues a second
    dismiss; Textual's would then pop the screen below the dialog, or crash when that is the last
    one. Once the dialog is no longer on top, a further dismiss does nothing.
    """

    def dismiss(self, result=None):
        return super().dismiss(result) if self.is_active else AwaitComplete()
