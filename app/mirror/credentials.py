"""API keys for servers other than the embedded one: the system keyring, or FOLIO_API_KEY.

One keyring entry per server URL under the service ``folio``. Where the machine has no
keyring backend, saving fails with a message naming the remedies; a key is never written
in plain text as a fallback.
"""

from __future__ import annotations

import os

import keyring
import keyring.errors
from keyring.backend import KeyringBackend

from app.core.errors import FolioError

SERVICE = "folio"
API_KEY_ENV = "FOLIO_API_KEY"

NO_KEYRING_MESSAGE = (
    "No system keyring is available to keep the API key safely. Either set the key in the "
    "FOLIO_API_KEY environment variable, or install and unlock a keyring: on Linux the "
    "Secret Service (GNOME Keyring or KWallet), on Windows the Credential Manager and on "
    "macOS the Keychain are used automatically. Folio never stores keys in plain text."
)


class CredentialStoreError(FolioError):
    """The keyring can't be used; the message names the remedy."""


def normalize_url(server_url: str) -> str:
    return server_url.rstrip("/")


def _backend_usable(backend: KeyringBackend) -> bool:
    # The fail backend (and a chainer with nothing in it) has priority 0 or below.
    try:
        return float(backend.priority) > 0  # type: ignore[arg-type]
    except Exception:
        return False


def keyring_available() -> bool:
    return _backend_usable(keyring.get_keyring())


def load_key(server_url: str) -> str | None:
    """FOLIO_API_KEY when set, else the keyring's entry for ``server_url``, else None."""
    from_env = os.environ.get(API_KEY_ENV, "").strip()
    if from_env:
        return from_env
    if not keyring_available():
        return None
    try:
        return keyring.get_password(SERVICE, normalize_url(server_url))
    except keyring.errors.KeyringError as exc:
        raise CredentialStoreError(f"The system keyring could not be read: {exc}") from None


def save_key(server_url: str, key: str) -> None:
    """Keep ``key`` for ``server_url`` in the keyring; raises CredentialStoreError without one."""
    if not keyring_available():
        raise CredentialStoreError(NO_KEYRING_MESSAGE)
    try:
        keyring.set_password(SERVICE, normalize_url(server_url), key)
    except keyring.errors.KeyringError as exc:
        raise CredentialStoreError(
            f"The system keyring refused to store the key ({exc}). {NO_KEYRING_MESSAGE}"
        ) from None


def forget_key(server_url: str) -> None:
    if not keyring_available():
        return
    try:
        keyring.delete_password(SERVICE, normalize_url(server_url))
    except keyring.errors.PasswordDeleteError:
        pass
    except keyring.errors.KeyringError as exc:
        raise CredentialStoreError(f"The system keyring could not be changed: {exc}") from None
