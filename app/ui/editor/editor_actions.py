"""The editor's menus, toolbar and keyboard shortcuts (listed in Help > Keyboard shortcuts)."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

import shiboken6
from PySide6.QtCore import Qt
from PySide6.QtGui import QAction, QActionGroup, QKeySequence
from PySide6.QtWidgets import QComboBox, QMessageBox, QToolBar

from app.core.hotspots import HotspotType
from app.ui.editor.canvas import MAX_ZOOM, MIN_ZOOM
from app.ui.editor.editing import Align
from app.ui.editor.page_items import TYPE_NAMES
from app.ui.menus import fill_menu

if TYPE_CHECKING:
    from app.ui.editor.editor_window import EditorWindow

ZOOM_CHOICES = (
    "Fit width",
    "Fit page",
    "25 %",
    "50 %",
    "75 %",
    "100 %",
    "150 %",
    "200 %",
    "400 %",
    "800 %",
)
TOOL_KEYS = {
    None: "V",
    HotspotType.PRODUCT: "P",
    HotspotType.EXTERNAL_LINK: "L",
    HotspotType.PAGE_REFERENCE: "R",
    HotspotType.IMAGE: "I",
    HotspotType.VIDEO: "M",
}
# Shortcuts handled by the canvas itself, listed with the menu ones.
CANVAS_KEYS = [
    ("Arrow keys", "Move the selected hotspots by 1 pt"),
    ("Shift+arrow keys", "Move them by 10 pt"),
    ("Ctrl+wheel", "Zoom in and out around the pointer"),
    ("Space+drag or middle-drag", "Pan"),
    ("Shift+click, Ctrl+click", "Add to or remove from the selection"),
    ("Drag on a page", "Select the hotspots in a rectangle"),
    ("Alt while dragging", "Don't snap to page edges and other hotspots"),
    ("Double-click a hotspot", "Edit its properties"),
    ("Esc", "Cancel a drag, leave a drawing tool, clear the selection"),
]


class EditorActions:
    def __init__(self, window: EditorWindow) -> None:
        self.window = window
        self.actions: dict[str, QAction] = {}
        self.tools: dict[HotspotType | None, QAction] = {}
        self.editing = True
        self.toolbar_buttons: dict[str, QAction] = {}

    def _action(
        self,
        name: str,
        text: str,
        slot: Callable[[], object],
        shortcut: object = None,
        tip: str = "",
    ) -> QAction:
        action = QAction(text, self.window)
        if shortcut is not None:
            action.setShortcut(QKeySequence(shortcut))  # type: ignore[arg-type]
        action.setStatusTip(tip)
        action.triggered.connect(lambda _checked=False: slot())
        self.window.addAction(action)
        self.actions[name] = action
        return action

    def install(self) -> None:
        w = self.window
        editor, canvas, saving = w.editor, w.canvas, w.saving
        a = self._action
        stack = editor.undo_stack
        undo = a(
            "undo", "&Undo", lambda: self.editing and stack.undo(), QKeySequence.StandardKey.Undo
        )
        redo = a(
            "redo", "&Redo", lambda: self.editing and stack.redo(), QKeySequence.StandardKey.Redo
        )
        # The menu says what is undone; the toolbar's buttons keep a fixed width.
        stack.undoTextChanged.connect(lambda text: undo.setText(f"&Undo {text}".strip()))
        stack.redoTextChanged.connect(lambda text: redo.setText(f"&Redo {text}".strip()))
        stack.canUndoChanged.connect(lambda _can: self.update_enabled())
        stack.canRedoChanged.connect(lambda _can: self.update_enabled())

        file_menu = w.menuBar().addMenu("&File")
        fill_menu(
            file_menu,
            [
                a(
                    "save",
                    "&Save",
                    saving.save,
                    QKeySequence.StandardKey.Save,
                    "Save the hotspots (into the PDF, or to the server for a library publication)",
                ),
                a(
                    "save_as",
                    "Save PDF &as…",
                    saving.save_as,
                    "Ctrl+Shift+S",
                    "Write a copy of the PDF with these hotspots",
                ),
                a(
                    "publish",
                    "&Upload as new publication…",
                    saving.publish,
                    None,
                    "Create a publication on the server from this PDF and its hotspots",
                ),
                None,
                a("export_csv", "&Export hotspots as CSV…", saving.export_csv, None),
                a("import_csv", "&Import hotspots from CSV…", saving.import_csv, None),
                a("catalogue", "Check SKUs against a &catalogue…", saving.choose_catalogue, None),
                None,
                a("close", "&Close", w.close, QKeySequence.StandardKey.Close),
            ],
        )
        edit_menu = w.menuBar().addMenu("&Edit")
        fill_menu(
            edit_menu,
            [
                undo,
                redo,
                None,
                a("cut", "Cu&t", self._cut, QKeySequence.StandardKey.Cut),
                a("copy", "&Copy", editor.copy, QKeySequence.StandardKey.Copy),
                a(
                    "paste",
                    "&Paste on this page",
                    lambda: editor.paste(canvas.current_page()),
                    QKeySequence.StandardKey.Paste,
                ),
                a("duplicate", "&Duplicate", editor.duplicate, "Ctrl+D"),
                a("delete", "De&lete", editor.delete, QKeySequence.StandardKey.Delete),
                None,
                a(
                    "select_page",
                    "Select all on this &page",
                    lambda: editor.select(i.key for i in w.model.on_page(canvas.current_page())),
                    QKeySequence.StandardKey.SelectAll,
                ),
                a(
                    "select_all",
                    "Select all in the &document",
                    lambda: editor.select(w.model.keys()),
                    "Ctrl+Shift+A",
                ),
            ],
        )
        arrange = w.menuBar().addMenu("&Arrange")
        aligns = [
            (Align.LEFT, "Align &left edges", "Ctrl+Alt+Left"),
            (Align.CENTRE, "Align &centres", None),
            (Align.RIGHT, "Align &right edges", "Ctrl+Alt+Right"),
            (Align.TOP, "Align &top edges", "Ctrl+Alt+Up"),
            (Align.MIDDLE, "Align &middles", None),
            (Align.BOTTOM, "Align &bottom edges", "Ctrl+Alt+Down"),
        ]
        items: list[QAction | None] = [
            a(f"align_{how.value}", text, lambda how=how: editor.align(how), key)
            for how, text, key in aligns
        ]
        items += [
            None,
            a("distribute_h", "Distribute &horizontally", lambda: editor.distribute(True)),
            a("distribute_v", "Distribute &vertically", lambda: editor.distribute(False)),
            None,
            a("front", "Bring to &front", editor.bring_to_front, "Ctrl+Shift+]"),
            a("back", "Send to bac&k", editor.send_to_back, "Ctrl+Shift+["),
        ]
        fill_menu(arrange, items)

        view = w.menuBar().addMenu("&View")
        spreads = a(
            "spreads",
            "&Spreads",
            lambda: canvas.set_spreads(self.actions["spreads"].isChecked()),
            "Ctrl+2",
            "Facing pages as a reader sees them",
        )
        spreads.setCheckable(True)
        preview = a(
            "preview",
            "&Preview as a reader",
            lambda: self._set_preview(self.actions["preview"].isChecked()),
            "F9",
            "Hotspots as the reader shows them: icons where shown, invisible otherwise",
        )
        preview.setCheckable(True)
        fill_menu(
            view,
            [
                a("fit_width", "Fit &width", canvas.fit_width, "Ctrl+0"),
                a("fit_page", "Fit &page", canvas.fit_page, "Ctrl+9"),
                a("actual", "&Actual size", lambda: canvas.set_zoom(1.0), "Ctrl+1"),
                a(
                    "zoom_in",
                    "Zoom &in",
                    lambda: canvas.zoom_by(1.25),
                    QKeySequence.StandardKey.ZoomIn,
                ),
                a(
                    "zoom_out",
                    "Zoom &out",
                    lambda: canvas.zoom_by(0.8),
                    QKeySequence.StandardKey.ZoomOut,
                ),
                None,
                spreads,
                preview,
            ],
        )
        page_menu = w.menuBar().addMenu("&Page")
        fill_menu(
            page_menu,
            [
                a(
                    "replace_page",
                    "&Replace this page…",
                    saving.replace_page,
                    None,
                    "Replace the page with a page of another PDF, choosing which hotspots to keep",
                ),
                a(
                    "next_page",
                    "&Next page",
                    lambda: canvas.scroll_to_page(
                        canvas.current_page()
                        + (2 if canvas.spreads and canvas.current_page() > 1 else 1)
                    ),
                    "Ctrl+PgDown",
                ),
                a(
                    "previous_page",
                    "Pre&vious page",
                    lambda: canvas.scroll_to_page(
                        max(1, canvas.current_page() - (2 if canvas.spreads else 1))
                    ),
                    "Ctrl+PgUp",
                ),
            ],
        )
        help_menu = w.menuBar().addMenu("&Help")
        fill_menu(help_menu, [a("shortcuts", "&Keyboard shortcuts", self.show_shortcuts, "F1")])
        self._toolbar()

    def _toolbar(self) -> None:
        w = self.window
        bar = QToolBar("Tools", w)
        bar.setObjectName("editor-tools")
        bar.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextOnly)
        w.addToolBar(bar)
        group = QActionGroup(w)
        for tool, key in TOOL_KEYS.items():
            text = "Select" if tool is None else TYPE_NAMES[tool]
            action = self._action(
                f"tool_{tool.value if tool else 'select'}",
                text,
                lambda tool=tool: w.canvas.set_tool(tool),
                key,
                "Select, move and resize" if tool is None else f"Draw a {text.lower()} hotspot",
            )
            action.setCheckable(True)
            group.addAction(action)
            bar.addAction(action)
            self.tools[tool] = action
        self.tools[None].setChecked(True)
        w.canvas.tool_changed.connect(lambda tool: self.tools[tool].setChecked(True))
        bar.addSeparator()
        bar.addAction(self.actions["zoom_out"])
        self.zoom_box = QComboBox()
        self.zoom_box.setEditable(True)
        self.zoom_box.addItems(ZOOM_CHOICES)
        self.zoom_box.setMinimumContentsLength(8)
        self.zoom_box.setToolTip("Zoom: fit width, fit page, or 25 to 800 %")
        self.zoom_box.textActivated.connect(self._zoom_chosen)
        w.canvas.zoom_changed.connect(self._show_zoom)
        bar.addWidget(self.zoom_box)
        bar.addAction(self.actions["zoom_in"])
        bar.addSeparator()
        bar.addAction(self.actions["spreads"])
        bar.addAction(self.actions["preview"])
        bar.addSeparator()
        for name in ("undo", "redo"):
            button = QAction(name.capitalize(), w)
            button.triggered.connect(self.actions[name].trigger)
            self.toolbar_buttons[name] = button
            bar.addAction(button)
        bar.addSeparator()
        bar.addAction(self.actions["save"])

    def _zoom_chosen(self, text: str) -> None:
        canvas = self.window.canvas
        if text == "Fit width":
            canvas.fit_width()
        elif text == "Fit page":
            canvas.fit_page()
        else:
            try:
                percent = float(text.replace("%", "").strip())
            except ValueError:
                self._show_zoom(canvas.zoom)
                return
            canvas.set_zoom(min(MAX_ZOOM, max(MIN_ZOOM, percent / 100)))
        canvas.setFocus()

    def _show_zoom(self, zoom: float) -> None:
        mode = self.window.canvas.zoom_mode.value
        text = {"fit_width": "Fit width", "fit_page": "Fit page"}.get(mode, f"{zoom * 100:.0f} %")
        self.zoom_box.setEditText(text)

    def _cut(self) -> None:
        if self.window.editor.copy():
            self.window.editor.delete()

    def _set_preview(self, preview: bool) -> None:
        self.window.canvas.set_preview(preview)
        for action in self.tools.values():
            action.setEnabled(not preview)

    def set_editing_enabled(self, enabled: bool) -> None:
        self.editing = enabled
        self.update_enabled()

    def update_enabled(self) -> None:
        w = self.window
        if not shiboken6.isValid(w) or not shiboken6.isValid(w.editor.undo_stack):
            return  # the stack signals while the window is being destroyed
        # While a save runs nothing may change: with no selection, the edits are off too.
        selected = len(w.editor.selected) if self.editing else 0
        is_pdf = w.pdf_session is not None and self.editing
        for name in ("paste", "import_csv", "save"):
            self.actions[name].setEnabled(self.editing)
        stack = w.editor.undo_stack
        for name, can in (("undo", stack.canUndo()), ("redo", stack.canRedo())):
            self.actions[name].setEnabled(self.editing and can)
            if name in self.toolbar_buttons:
                self.toolbar_buttons[name].setEnabled(self.editing and can)
        for action in self.tools.values():
            action.setEnabled(self.editing and not w.canvas.preview)
        for name in ("cut", "copy", "duplicate", "delete", "front", "back"):
            self.actions[name].setEnabled(selected > 0)
        for how in Align:
            self.actions[f"align_{how.value}"].setEnabled(selected > 1)
        for name in ("distribute_h", "distribute_v"):
            self.actions[name].setEnabled(selected > 2)
        self.actions["save_as"].setEnabled(is_pdf)
        self.actions["replace_page"].setEnabled(is_pdf)
        self.actions["publish"].setEnabled(is_pdf and w.workspace is not None)

    def show_shortcuts(self) -> None:
        rows = []
        for action in self.actions.values():
            key = action.shortcut().toString(QKeySequence.SequenceFormat.NativeText)
            if key:
                rows.append((key, action.text().replace("&", "")))
        for tool, key in TOOL_KEYS.items():
            rows.append(
                (key, "Select tool" if tool is None else f"Draw {TYPE_NAMES[tool].lower()}")
            )
        rows = sorted(set(rows), key=lambda row: row[1]) + CANVAS_KEYS
        table = "".join(
            f"<tr><td><b>{key}</b></td><td>&nbsp;&nbsp;{text}</td></tr>" for key, text in rows
        )
        box = QMessageBox(self.window)
        box.setWindowTitle("Keyboard shortcuts")
        box.setTextFormat(Qt.TextFormat.RichText)
        box.setText(f"<table>{table}</table>")
        box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        box.open()
