"""Fast JSON encoding for response bodies (pydantic-core's Rust serializer)."""

from __future__ import annotations

from typing import Any

from pydantic_core import to_json


def json_bytes(body: Any) -> bytes:
    return to_json(body)
