"""Typed errors the command line turns into a message and an exit code."""

from __future__ import annotations


class StationError(Exception):
    """An error the operator can understand and act on.

    ``message`` is shown as is (Chinese first); ``exit_code`` is what the
    `station` command exits with.
    """

    exit_code = 1

    def __init__(self, message: str, *, exit_code: int | None = None):
        super().__init__(message)
        self.message = message
        if exit_code is not None:
            self.exit_code = exit_code


class InputError(StationError):
    """A file or an argument could not be read (wrong password, corrupt file...)."""

    exit_code = 2


class NotFound(StationError):
    exit_code = 3


class PasswordNeeded(InputError):
    """An encrypted file needs a password (``wrong``: the one given did not open it)."""

    def __init__(self, message: str, *, wrong: bool = False):
        super().__init__(message)
        self.wrong = wrong
