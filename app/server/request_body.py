"""Request bodies: JSON, or Rails-style form fields (``publication[metatag_ids][]=1``).

The seed's curl examples use both, and one sends JSON with curl's default form content type,
so a form body that is a JSON object is read as JSON.
"""

from __future__ import annotations

import json
import re
from typing import Any
from urllib.parse import parse_qsl

from app.server.errors import ApiError, FieldErrors

_KEY_PART = re.compile(r"\[([^\[\]]*)\]")


def _split_key(key: str) -> list[str]:
    head, _, rest = key.partition("[")
    parts = [head]
    if rest:
        parts.extend(_KEY_PART.findall("[" + rest))
    return parts


def parse_rails_form(pairs: list[tuple[str, str]]) -> dict[str, Any]:
    """Nest ``a[b][c]=v`` into dicts and ``a[b][]=v`` into lists, as Rails does."""
    root: dict[str, Any] = {}
    for key, value in pairs:
        parts = _split_key(key)
        node: Any = root
        for index, part in enumerate(parts):
            last = index == len(parts) - 1
            next_is_list = not last and parts[index + 1] == ""
            if part == "":
                if not isinstance(node, list):
                    raise ApiError(400, f"Malformed form field name: {key}", "malformed_body")
                # Rails sends `x[]=` (one empty value) to mean an empty list.
                if last:
                    if value != "":
                        node.append(value)
                    break
                raise ApiError(400, f"Nested lists are not supported: {key}", "malformed_body")
            if not isinstance(node, dict):
                raise ApiError(400, f"Conflicting form field names at {key}", "malformed_body")
            if last:
                node[part] = value
            else:
                default: Any = [] if next_is_list else {}
                child = node.setdefault(part, default)
                if isinstance(child, str) or (next_is_list != isinstance(child, list)):
                    raise ApiError(400, f"Conflicting form field names at {key}", "malformed_body")
                node = child
    return root


def _parse_json(raw: bytes) -> dict[str, Any]:
    try:
        data = json.loads(raw.decode("utf-8"))
    except UnicodeDecodeError:
        raise ApiError(400, "Request body is not valid UTF-8", "malformed_body") from None
    except json.JSONDecodeError as exc:
        raise ApiError(
            400,
            f"Malformed JSON body: {exc.msg} at line {exc.lineno} column {exc.colno}",
            "malformed_body",
        ) from None
    except RecursionError:
        raise ApiError(400, "Malformed JSON body: nested too deeply", "malformed_body") from None
    except ValueError as exc:
        # e.g. an integer literal longer than Python's int conversion limit
        raise ApiError(400, f"Malformed JSON body: {exc}", "malformed_body") from None
    if not isinstance(data, dict):
        raise ApiError(400, "The JSON body must be an object", "malformed_body")
    return data


def parse_body(raw: bytes, content_type: str | None) -> dict[str, Any]:
    """The body as a dict. Raises ApiError 400 (malformed) or 415 (unsupported type)."""
    media_type = (content_type or "").split(";", 1)[0].strip().lower()
    if not raw.strip():
        return {}
    if media_type == "application/json" or media_type.endswith("+json"):
        return _parse_json(raw)
    if media_type in ("", "application/x-www-form-urlencoded", "text/plain"):
        if raw.lstrip()[:1] == b"{":
            return _parse_json(raw)
        try:
            text = raw.decode("utf-8")
        except UnicodeDecodeError:
            raise ApiError(400, "Request body is not valid UTF-8", "malformed_body") from None
        return parse_rails_form(parse_qsl(text, keep_blank_values=True))
    raise ApiError(
        415,
        f"Unsupported content type {media_type!r}: send application/json or form fields",
        "unsupported_media_type",
    )


def scoped(body: dict[str, Any], scope: str) -> dict[str, Any]:
    """The object under ``scope`` (``{"publication": {...}}``), or a 422 naming what is missing."""
    value = body.get(scope)
    if value is None:
        raise FieldErrors({scope: [f"is required: send the fields inside a {scope!r} object"]})
    if not isinstance(value, dict):
        raise FieldErrors({scope: ["must be an object"]})
    return value
