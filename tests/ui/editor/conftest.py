"""Editor windows a test opened are closed after it."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.ui.editor.editor_driver import close_opened


@pytest.fixture(autouse=True)
def _close_editors(qtbot: object) -> Iterator[None]:
    yield
    close_opened()
