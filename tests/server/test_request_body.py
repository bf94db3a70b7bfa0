"""Rails-style form bodies and JSON bodies parse to the same structure."""

from __future__ import annotations

import pytest

from app.server.errors import ApiError
from app.server.request_body import parse_body, parse_rails_form


def test_nested_fields_and_lists() -> None:
    parsed = parse_rails_form(
        [
            ("publication[title]", "Winter"),
            ("publication[metatag_ids][]", "1"),
            ("publication[metatag_ids][]", "2"),
            ("publication[extraction_options][links][icons]", "true"),
        ]
    )
    assert parsed == {
        "publication": {
            "title": "Winter",
            "metatag_ids": ["1", "2"],
            "extraction_options": {"links": {"icons": "true"}},
        }
    }


def test_single_empty_list_value_means_empty_list() -> None:
    assert parse_rails_form([("p[metatag_ids][]", "")]) == {"p": {"metatag_ids": []}}


def test_json_sent_as_form_is_read_as_json() -> None:
    body = b'{"collection": {"title": "New Collection"}}'
    assert parse_body(body, "application/x-www-form-urlencoded") == {
        "collection": {"title": "New Collection"}
    }


@pytest.mark.parametrize(
    ("raw", "content_type", "status"),
    [
        (b"{nope", "application/json", 400),
        (b"[1, 2]", "application/json", 400),
        (b"\xff\xfe", "application/json", 400),
        (b"a,b", "text/csv", 415),
        (b"p[a]=1&p[a][b]=2", "application/x-www-form-urlencoded", 400),
    ],
)
def test_bad_bodies_are_refused_clearly(raw: bytes, content_type: str, status: int) -> None:
    with pytest.raises(ApiError) as caught:
        parse_body(raw, content_type)
    assert caught.value.status == status and caught.value.message
