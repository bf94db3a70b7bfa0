"""API keys: FOLIO_API_KEY first, else the system keyring; never plain text without one."""

from __future__ import annotations

from collections.abc import Iterator

import keyring
import keyring.backends.fail
import pytest
from keyring.backend import KeyringBackend
from keyring.errors import PasswordDeleteError

from app.mirror.credentials import (
    API_KEY_ENV,
    SERVICE,
    CredentialStoreError,
    forget_key,
    load_key,
    save_key,
)

URL = "https://folio.example.com"


class MemoryKeyring(KeyringBackend):
    """A keyring that keeps its entries in a dict: (service, username) -> password."""

    priority = 1

    def __init__(self) -> None:
        super().__init__()
        self.entries: dict[tuple[str, str], str] = {}

    def get_password(self, service: str, username: str) -> str | None:
        return self.entries.get((service, username))

    def set_password(self, service: str, username: str, password: str) -> None:
        self.entries[(service, username)] = password

    def delete_password(self, service: str, username: str) -> None:
        if self.entries.pop((service, username), None) is None:
            raise PasswordDeleteError("no such entry")


@pytest.fixture(autouse=True)
def no_env_key(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(API_KEY_ENV, raising=False)


@pytest.fixture
def restore_keyring() -> Iterator[None]:
    original = keyring.get_keyring()
    yield
    keyring.set_keyring(original)


@pytest.fixture
def memory_keyring(restore_keyring: None) -> MemoryKeyring:
    backend = MemoryKeyring()
    keyring.set_keyring(backend)
    return backend


@pytest.fixture
def no_keyring(restore_keyring: None) -> None:
    keyring.set_keyring(keyring.backends.fail.Keyring())


def test_folio_api_key_overrides_the_keyring(
    memory_keyring: MemoryKeyring, monkeypatch: pytest.MonkeyPatch
) -> None:
    save_key(URL, "from-the-keyring")
    monkeypatch.setenv(API_KEY_ENV, "  from-the-environment  ")
    assert load_key(URL) == "from-the-environment"
    monkeypatch.delenv(API_KEY_ENV)
    assert load_key(URL) == "from-the-keyring"


def test_folio_api_key_is_used_without_any_keyring(
    no_keyring: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(API_KEY_ENV, "from-the-environment")
    assert load_key(URL) == "from-the-environment"


def test_without_a_keyring_saving_fails_naming_the_remedy_and_never_plain_text(
    no_keyring: None,
) -> None:
    with pytest.raises(CredentialStoreError) as refused:
        save_key(URL, "secret-key")
    message = str(refused.value)
    assert API_KEY_ENV in message
    assert "never stores keys in plain text" in message
    assert "secret-key" not in message


def test_without_a_keyring_there_is_no_key_and_forgetting_is_harmless(no_keyring: None) -> None:
    assert load_key(URL) is None
    forget_key(URL)


def test_keys_round_trip_one_entry_per_server_under_the_folio_service(
    memory_keyring: MemoryKeyring,
) -> None:
    save_key(URL + "/", "key-one")
    save_key("http://127.0.0.1:8000", "key-two")
    assert memory_keyring.entries == {
        (SERVICE, URL): "key-one",
        (SERVICE, "http://127.0.0.1:8000"): "key-two",
    }
    assert SERVICE == "folio"
    assert load_key(URL) == "key-one"
    assert load_key(URL + "/") == "key-one"
    assert load_key("http://127.0.0.1:8000/") == "key-two"

    save_key(URL, "key-one-renewed")
    assert load_key(URL + "/") == "key-one-renewed"
    assert len(memory_keyring.entries) == 2

    forget_key(URL + "/")
    assert load_key(URL) is None
    assert load_key("http://127.0.0.1:8000") == "key-two"
    forget_key(URL)  # already gone: nothing to do
