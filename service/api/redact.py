"""Secrets never reach a log: bearer tokens and the configured model API key are masked in every record.

`install` hooks the log-record factory, so the mask runs once as each record is made, whatever logger made
it (ours, uvicorn's, litellm's) and whichever handlers are attached later (uvicorn's, pytest's caplog).
Arguments are masked one by one, so formatters that read `record.args` (uvicorn's access log) keep working.
"""

from __future__ import annotations

import logging
import re
import threading
from collections.abc import Iterable
from typing import Any

from service.api.tokens import TOKEN_PATTERN

MASK = "***"
# "Bearer <token>" wherever it appears: a header echoed in a message, a curl line in litellm's debug log.
BEARER = re.compile(r"(?i)\b(bearer)(\s+|%20|\+)[A-Za-z0-9\-._~+/]+=*")
# "Authorization: <anything>" / "'authorization': '<anything>'" (other schemes, dumped header dicts).
AUTHORIZATION = re.compile(r"""(?i)(authorization['"]?\s*[:=]\s*['"]?)(?!\*\*\*)[^'",}\s][^'",}\n]*""")
MIN_SECRET_CHARS = 4


class SecretMasker(logging.Filter):
    """A logging filter that masks secrets in place and never drops a record."""

    def __init__(self) -> None:
        super().__init__()
        self._secrets: set[str] = set()

    def add(self, secret: str | None) -> None:
        if secret and len(secret) >= MIN_SECRET_CHARS:
            self._secrets.add(secret)

    def mask(self, text: str) -> str:
        for secret in sorted(self._secrets, key=len, reverse=True):
            if secret in text:
                text = text.replace(secret, MASK)
        text = BEARER.sub(lambda m: f"{m.group(1)} {MASK}", text)
        text = AUTHORIZATION.sub(lambda m: f"{m.group(1)}{MASK}", text)
        return TOKEN_PATTERN.sub(MASK, text)

    def _arg(self, value: Any) -> Any:
        return self.mask(value) if isinstance(value, str) else value

    def filter(self, record: logging.LogRecord) -> bool:
        try:
            self._mask_record(record)
        except Exception:  # a log line is never worth an exception; fall back to the bare template
            record.msg, record.args = "[log message withheld: it could not be checked for secrets]", ()
        return True

    def _mask_record(self, record: logging.LogRecord) -> None:
        if record.args:
            # Mask each argument (formatters such as uvicorn's access log read them one by one), then
            # check the whole message: a secret can hide in a non-string argument or straddle two.
            if isinstance(record.args, tuple):
                record.args = tuple(self._arg(a) for a in record.args)
            elif isinstance(record.args, dict):
                record.args = {k: self._arg(v) for k, v in record.args.items()}
            message = record.getMessage()
            masked = self.mask(message)
            if masked != message:
                record.msg, record.args = masked, ()
        elif isinstance(record.msg, str):
            record.msg = self.mask(record.msg)
        else:
            message = str(record.msg)
            masked = self.mask(message)
            if masked != message:
                record.msg = masked
        if record.exc_info and not record.exc_text:
            text = logging.Formatter().formatException(record.exc_info)
            masked = self.mask(text)
            if masked != text:
                # Keep the masked text only: a handler that renders exc_info itself would show the secret.
                record.exc_text, record.exc_info = masked, None
        if record.exc_text:
            record.exc_text = self.mask(record.exc_text)
        if record.stack_info:
            record.stack_info = self.mask(record.stack_info)


MASKER = SecretMasker()
_lock = threading.Lock()
_installed = False


def install(secrets: Iterable[str | None] = ()) -> SecretMasker:
    """Mask these secrets (and any bearer token) in every log record from now on. Idempotent."""
    global _installed
    for secret in secrets:
        MASKER.add(secret)
    with _lock:
        if not _installed:
            previous = logging.getLogRecordFactory()

            def factory(*args: Any, **kwargs: Any) -> logging.LogRecord:
                record = previous(*args, **kwargs)
                MASKER.filter(record)
                return record

            logging.setLogRecordFactory(factory)
            _installed = True
    return MASKER
