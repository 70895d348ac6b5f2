"""The IMAP adapter (imaplib): connect over TLS, STARTTLS or (local tests only) plain, log in
by password or OAuth2 XOAUTH2, list the UIDs to read, fetch without setting \\Seen, and
finish a message by flagging it \\Seen or moving it to a folder.

Owns the protocol and nothing else: no database, no parsing. Every failure is raised as
`ImapError` (or the socket's own error) for the poller to count.
"""

from __future__ import annotations

import contextlib
import imaplib
import os
import re
import ssl
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

Security = Literal["ssl", "starttls", "none"]
Auth = Literal["password", "xoauth2"]
SECURITIES: tuple[Security, ...] = ("ssl", "starttls", "none")
AUTHS: tuple[Auth, ...] = ("password", "xoauth2")

_UIDVALIDITY = re.compile(rb"UIDVALIDITY (\d+)")
_SIZE = re.compile(rb"UID (\d+) RFC822\.SIZE (\d+)|RFC822\.SIZE (\d+) UID (\d+)")


class ImapError(Exception):
    """The mailbox could not be read (connection, login, folder or command failure)."""


class MailConfigError(ImapError):
    """A mailbox's configuration cannot work (an unknown secret reference, …)."""


@dataclass(frozen=True, slots=True)
class ImapAccount:
    """How to reach and log in to one mailbox (the secret already resolved)."""

    host: str
    port: int
    username: str
    secret: str
    security: Security = "ssl"
    auth: Auth = "password"
    ca_file: str | None = None
    timeout_s: float = 60.0


def resolve_secret(reference: str) -> str:
    """A secret reference (`env:NAME`) in, the secret out; MailConfigError when unset."""
    scheme, _, name = reference.partition(":")
    if scheme != "env" or not name:
        raise MailConfigError(f"secret reference {reference!r} is not env:NAME")
    value = os.environ.get(name)
    if not value:
        raise MailConfigError(f"environment variable {name} (the mailbox secret) is not set")
    return value


def xoauth2(username: str, token: str) -> bytes:
    """The SASL XOAUTH2 initial response for a user and an OAuth2 access token."""
    return f"user={username}\x01auth=Bearer {token}\x01\x01".encode()


def _tls(account: ImapAccount) -> ssl.SSLContext:
    return ssl.create_default_context(cafile=account.ca_file)


def _check(result: tuple[str, Sequence[object]], what: str) -> Sequence[object]:
    status, data = result
    if status != "OK":
        raise ImapError(f"{what} failed: {data!r}")
    return data


class ImapMailbox:
    """One logged-in IMAP connection on one selected folder."""

    def __init__(self, account: ImapAccount) -> None:
        self.client = self._connect(account)
        try:
            self._login(account)
        except BaseException:
            self.close()
            raise
        self.uidvalidity = 0

    @staticmethod
    def _connect(account: ImapAccount) -> imaplib.IMAP4:
        timeout = account.timeout_s
        if account.security == "ssl":
            context = _tls(account)
            return imaplib.IMAP4_SSL(
                account.host, account.port, ssl_context=context, timeout=timeout
            )
        client = imaplib.IMAP4(account.host, account.port, timeout=timeout)
        if account.security == "starttls":
            client.starttls(ssl_context=_tls(account))
        return client

    def _login(self, account: ImapAccount) -> None:
        try:
            if account.auth == "xoauth2":
                initial = xoauth2(account.username, account.secret)
                self.client.authenticate("XOAUTH2", lambda _challenge: initial)
            else:
                self.client.login(account.username, account.secret)
        except imaplib.IMAP4.error as error:
            raise ImapError(f"login as {account.username} failed: {error}") from error

    def select(self, folder: str) -> int:
        """Select the folder (read-write) and return its UIDVALIDITY."""
        data = _check(self.client.select(_quote(folder)), f"SELECT {folder}")
        validity = self.client.response("UIDVALIDITY")[1]
        raw = validity[0] if validity and isinstance(validity[0], bytes) else None
        if raw is None:
            match = _UIDVALIDITY.search(b" ".join(d for d in data if isinstance(d, bytes)))
            raw = match.group(1) if match else b"0"
        self.uidvalidity = int(raw)
        return self.uidvalidity

    def uids(self, unseen_only: bool) -> list[int]:
        """The folder's message UIDs (only those without \\Seen when asked), oldest first."""
        data = _check(self.client.uid("SEARCH", "UNSEEN" if unseen_only else "ALL"), "SEARCH")
        words = b" ".join(d for d in data if isinstance(d, bytes)).split()
        return sorted(int(word) for word in words)

    def sizes(self, uids: list[int]) -> dict[int, int]:
        """Each UID's message size in bytes (RFC822.SIZE)."""
        if not uids:
            return {}
        data = _check(self.client.uid("FETCH", _uid_set(uids), "(RFC822.SIZE)"), "FETCH SIZE")
        sizes: dict[int, int] = {}
        for item in data:
            line = item[0] if isinstance(item, tuple) else item
            if isinstance(line, bytes) and (match := _SIZE.search(line)):
                uid, size = (
                    (match.group(1), match.group(2))
                    if match.group(1)
                    else (match.group(4), match.group(3))
                )
                sizes[int(uid)] = int(size)
        return sizes

    def fetch(self, uid: int, headers_only: bool = False) -> bytes | None:
        """The message's bytes (or only its header), without setting \\Seen; None if gone."""
        section = "(BODY.PEEK[HEADER])" if headers_only else "(BODY.PEEK[])"
        data = _check(self.client.uid("FETCH", str(uid), section), "FETCH")
        for item in data:
            if isinstance(item, tuple) and len(item) == 2 and isinstance(item[1], bytes):
                return item[1]
        return None

    def mark_seen(self, uid: int) -> None:
        """Flag the message \\Seen."""
        _check(self.client.uid("STORE", str(uid), "+FLAGS.SILENT", r"(\Seen)"), "STORE")

    def move(self, uid: int, folder: str) -> None:
        """Move the message to the folder (created if missing); COPY + expunge without MOVE."""
        self.client.create(_quote(folder))  # "already exists" is fine
        capabilities = _check(self.client.capability(), "CAPABILITY")
        words = b" ".join(c for c in capabilities if isinstance(c, bytes)).upper().split()
        if b"MOVE" in words:
            _check(self.client.uid("MOVE", str(uid), _quote(folder)), "MOVE")
            return
        _check(self.client.uid("COPY", str(uid), _quote(folder)), "COPY")
        _check(self.client.uid("STORE", str(uid), "+FLAGS.SILENT", r"(\Deleted)"), "STORE")
        if b"UIDPLUS" in words:
            _check(self.client.uid("EXPUNGE", str(uid)), "UID EXPUNGE")
        else:
            _check(self.client.expunge(), "EXPUNGE")

    def close(self) -> None:
        """Log out; a connection already gone is fine."""
        with contextlib.suppress(imaplib.IMAP4.error, OSError):
            self.client.logout()


def _quote(folder: str) -> str:
    escaped = folder.replace("\\", "\\\\").replace('"', '\\"')
    return f'"{escaped}"'


def _uid_set(uids: list[int]) -> str:
    return ",".join(str(uid) for uid in uids)
