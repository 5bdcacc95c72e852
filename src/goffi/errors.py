"""Exceptions goffi raises while building a bundle (not at call time).

Every build-time problem derives from GoffiError so callers can catch them all;
each message says what went wrong, where, and what to do about it. Runtime
exceptions raised by Go code (GoError, GoPanic) live with the runtime instead.
"""

from __future__ import annotations


class GoffiError(Exception):
    """Base class of goffi's build-time errors."""


class ToolchainError(GoffiError):
    """No usable Go toolchain, C compiler or Python headers were found."""


class SpecError(GoffiError, ValueError):
    """A package spec (what the user asked to import) is malformed or points nowhere.

    Also a ValueError, since it is a bad argument from the caller's point of view.
    """


class BuildError(GoffiError):
    """A Go command run while preparing or building a bundle failed."""


class ExtractionError(GoffiError):
    """Reading the exported surface of a Go package failed."""
