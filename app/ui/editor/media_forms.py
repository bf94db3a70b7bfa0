"""The forms of the hotspots that show media: an image, a video (with what the viewer makes of
its address, as it is typed), and a slideshow (shown, not edited)."""

from __future__ import annotations

from collections.abc import Mapping

from PySide6.QtWidgets import QLabel, QVBoxLayout, QWidget

from app.core.hotspots import HotspotType
from app.ui.editor.property_checks import Properties, provider_text
from app.ui.editor.property_forms import HotspotForm


class ImageForm(HotspotForm):
    kind = HotspotType.IMAGE
    undo_text = "Edit image"

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.source = self._line("source", "https://…", "The web address of the image shown")
        self.alt_text = self._line(
            "altText", "Describe the image", "Read out by screen readers instead of the image"
        )
        self._row("&Address", "source", self.source)
        self._row("Alt &text", "altText", self.alt_text)

    def show_properties(self, properties: Properties, page_count: int) -> None:
        self._set_text("source", str(properties.get("source") or ""))
        self._set_text("altText", str(properties.get("altText") or ""))

    def data(self) -> Properties:
        return {"source": self.source.text(), "altText": self.alt_text.text() or None}


class VideoForm(HotspotForm):
    kind = HotspotType.VIDEO
    undo_text = "Edit video"

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.source = self._line(
            "source", "https://…", "A YouTube or Vimeo page, or the web address of a video file"
        )
        self.provider = QLabel()
        self.provider.setWordWrap(True)
        field = QWidget()
        stacked = QVBoxLayout(field)
        stacked.setContentsMargins(0, 0, 0, 0)
        stacked.setSpacing(2)
        stacked.addWidget(self.source)
        stacked.addWidget(self.provider)
        self._row("&Address", "source", field)
        self.autoplay = self._check("autoplay", "Auto&play", "Starts playing when its page opens")
        self.loop = self._check("loop", "&Loop", "Starts again from the beginning when it ends")
        self.thumbnail = self._check(
            "showThumbnail", "Show &thumbnail", "Shows a still of the video before it plays"
        )
        self.source.textChanged.connect(self._show_provider)

    def _show_provider(self, _typed: str = "") -> None:
        text = self.source.text().strip()
        self.provider.setText(provider_text(text) if text else "")
        refused = bool(self.boxes["source"].error.text())
        self.provider.setVisible(bool(text) and not refused)

    def show_messages(self, messages: Mapping[str, str]) -> None:
        super().show_messages(messages)
        self._show_provider()

    def show_properties(self, properties: Properties, page_count: int) -> None:
        self._set_text("source", str(properties.get("source") or ""))
        self._set_check(self.autoplay, bool(properties.get("autoplay", False)))
        self._set_check(self.loop, bool(properties.get("loop", False)))
        self._set_check(self.thumbnail, bool(properties.get("showThumbnail", True)))
        self._show_provider()

    def data(self) -> Properties:
        return {
            "source": self.source.text(),
            "autoplay": self.autoplay.isChecked(),
            "loop": self.loop.isChecked(),
            "showThumbnail": self.thumbnail.isChecked(),
        }


class SlideshowForm(HotspotForm):
    kind = HotspotType.SLIDESHOW

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.summary = QLabel()
        self.summary.setWordWrap(True)
        self.layout_form.addRow(self.summary)

    def show_properties(self, properties: Properties, page_count: int) -> None:
        images = properties.get("images")
        count = len(images) if isinstance(images, list) else 0
        noun = "image" if count == 1 else "images"
        self.summary.setText(
            f"A slideshow of {count} {noun}. Its images are kept as they are: "
            "the editor can't change them yet."
        )

    def data(self) -> Properties:
        return {}
