"""Turn pydantic validation failures into the API's field-error shape."""

from __future__ import annotations

from typing import Any, TypeVar

from pydantic import BaseModel
from pydantic import ValidationError as PydanticValidationError

from app.server.errors import FieldErrors

ModelT = TypeVar("ModelT", bound=BaseModel)

_FRIENDLY = {
    "missing": "is required",
    "string_type": "must be a string",
    "int_parsing": "must be an integer",
    "int_type": "must be an integer",
    "bool_parsing": "must be true or false",
    "bool_type": "must be true or false",
    "list_type": "must be an array",
    "dict_type": "must be an object",
    "date_from_datetime_parsing": "must be a date (YYYY-MM-DD)",
    "date_parsing": "must be a date (YYYY-MM-DD)",
    "date_type": "must be a date (YYYY-MM-DD)",
    "extra_forbidden": "is not a known field",
}


def validate(model: type[ModelT], data: dict[str, Any]) -> ModelT:
    """``model`` built from ``data``, or FieldErrors (422) naming each bad field."""
    try:
        return model.model_validate(data)
    except PydanticValidationError as exc:
        errors: dict[str, list[str]] = {}
        for item in exc.errors():
            loc = [str(part) for part in item["loc"] if not isinstance(part, int)]
            field = loc[0] if loc else "base"
            message = _FRIENDLY.get(item["type"])
            if message is None:
                message = str(item["msg"]).removeprefix("Value error, ")
            if len(loc) > 1:
                message = f"{'.'.join(loc[1:])} {message}"
            errors.setdefault(field, [])
            if message not in errors[field]:
                errors[field].append(message)
        raise FieldErrors(errors) from None
