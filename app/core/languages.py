"""The 25 publication languages the platform accepts (seed 003, "Languages")."""

from __future__ import annotations

LANGUAGES: dict[str, str] = {
    "eu": "Basque",
    "bg": "Bulgarian",
    "zh": "Chinese",
    "hr": "Croatian",
    "cs": "Czech",
    "da": "Danish",
    "nl": "Dutch",
    "en": "English",
    "fr": "French",
    "fi": "Finnish",
    "de": "German",
    "hu": "Hungarian",
    "it": "Italian",
    "lt": "Lithuanian",
    "no": "Norwegian",
    "pl": "Polish",
    "pt": "Portuguese",
    "ro": "Romanian",
    "ru": "Russian",
    "sr": "Serbian",
    "sk": "Slovak",
    "es": "Spanish",
    "sv": "Swedish",
    "tr": "Turkish",
    "uk": "Ukrainian",
}


def is_language_code(code: str) -> bool:
    return code in LANGUAGES
