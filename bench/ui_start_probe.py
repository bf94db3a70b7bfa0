"""Cold start of the window, for bench/ui_responsiveness.py: runs ``folio gui`` exactly as
``python -m app gui --data-dir D --server URL`` does (same imports, same order), with hooks
that stamp the moments the benchmark reports, then closes the window and exits.

    python bench/ui_start_probe.py --data-dir D --server URL [--want-rows]

The key comes from FOLIO_API_KEY, as for a user. Prints one line ``PROBE {json}`` with
CLOCK_MONOTONIC stamps (shared by every process on the machine, so the parent can subtract
the moment it started this process):

- ``interpreter``: this script's first line ran (Python itself is up);
- ``qapplication``: just before QApplication is created (the launcher's ``_application``);
  ``qapplication_made``: it is (PySide6 imported, the app icon set, the pool sized);
- ``window_imported``: app.ui.main_window and what it imports are in;
- ``workspace``: the Workspace is built (the mirror file opened);
- ``constructed``: MainWindow built; ``shown``: its showEvent;
- ``painted``: the first paint of the window has completed;
- ``loaded``: the table's first query answered (``rows`` says how many);
- ``rows_painted``: the table viewport completed a paint with real rows in it
  (only with ``--want-rows``: the library holds publications).
"""

from __future__ import annotations

import time

STAMPS: dict[str, float] = {"interpreter": time.monotonic()}

import argparse  # noqa: E402
import json  # noqa: E402
import os  # noqa: E402
import sys  # noqa: E402
from pathlib import Path  # noqa: E402
from typing import Any  # noqa: E402

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import app.cli  # noqa: E402  (what ``python -m app`` imports first)
import app.ui.launch as launch  # noqa: E402  (cheap: the launcher imports Qt lazily)

TIMEOUT_S = 60.0


def stamp(name: str) -> None:
    STAMPS.setdefault(name, time.monotonic())


def instrument(window_class: type, want_rows: bool, extra: dict[str, Any]) -> type:
    from PySide6.QtCore import QEvent, QObject, QTimer
    from PySide6.QtWidgets import QApplication

    class Watcher(QObject):
        def __init__(self, window: Any) -> None:
            super().__init__(window)
            self.window = window

        def eventFilter(self, watched: QObject, event: QEvent) -> bool:
            if event.type() == QEvent.Type.Paint:
                if watched is self.window and "painted" not in STAMPS:
                    # The zero timer fires once this paint (and its flush) has returned.
                    QTimer.singleShot(0, lambda: self._after_paint("painted"))
                elif (
                    watched is self.window.table.viewport()
                    and self.window.model.cached_rows > 0
                    and "rows_painted" not in STAMPS
                ):
                    QTimer.singleShot(0, lambda: self._after_paint("rows_painted"))
            return False

        def _after_paint(self, name: str) -> None:
            stamp(name)
            self.maybe_done()

        def maybe_done(self) -> None:
            needed = ["painted", "loaded"] + (["rows_painted"] if want_rows else [])
            if all(name in STAMPS for name in needed) and "done" not in STAMPS:
                stamp("done")
                QTimer.singleShot(0, self.window.close)

    class ProbedWindow(window_class):  # type: ignore[misc, valid-type]
        def __init__(self, *args: Any, **kwargs: Any) -> None:
            super().__init__(*args, **kwargs)
            stamp("constructed")
            self._watcher = Watcher(self)
            self.installEventFilter(self._watcher)
            self.table.viewport().installEventFilter(self._watcher)
            self.model.loaded.connect(self._probe_loaded)
            QTimer.singleShot(int(TIMEOUT_S * 1000), self._probe_timeout)

        def showEvent(self, event: Any) -> None:
            stamp("shown")
            super().showEvent(event)

        def _probe_loaded(self, count: int) -> None:
            if "loaded" not in STAMPS:
                stamp("loaded")
                extra["rows"] = count
            self._watcher.maybe_done()

        def _probe_timeout(self) -> None:
            extra["timed_out"] = True
            QApplication.instance().quit()  # type: ignore[union-attr]

    return ProbedWindow


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--data-dir", required=True)
    parser.add_argument("--server", required=True)
    parser.add_argument("--want-rows", action="store_true")
    args = parser.parse_args()
    extra: dict[str, Any] = {}
    make_application = launch._application

    def application(argv: list[str]) -> object:
        stamp("qapplication")
        made = make_application(argv)
        stamp("qapplication_made")
        # What run_gui imports next anyway: swap in the probed classes first.
        import app.ui.main_window as main_window
        import app.ui.workspace as workspace

        stamp("window_imported")
        main_window.MainWindow = instrument(main_window.MainWindow, args.want_rows, extra)  # type: ignore[misc]

        class ProbedWorkspace(workspace.Workspace):  # type: ignore[misc, valid-type]
            def __init__(self, *args: Any, **kwargs: Any) -> None:
                super().__init__(*args, **kwargs)
                stamp("workspace")

        workspace.Workspace = ProbedWorkspace  # type: ignore[misc]
        return made

    launch._application = application  # type: ignore[assignment]
    code = app.cli.main(["gui", "--data-dir", args.data_dir, "--server", args.server])
    stamp("exited")
    print("PROBE " + json.dumps({"stamps": STAMPS, "code": code, **extra}), flush=True)
    return 0


if __name__ == "__main__":
    main()
    # As bench/ui_responsiveness.py: skip a finalization PySide6 6.12 sometimes aborts in.
    sys.stderr.flush()
    os._exit(0)
