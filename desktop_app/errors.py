"""The one error type that reaches people: what happened, what to do, and what support asks for."""

from __future__ import annotations

import enum
from collections.abc import Mapping
from dataclasses import dataclass, field


class ErrorKind(enum.Enum):
    CONFIG = "config"
    NETWORK = "network"
    SERVICE = "service"  # the identity provider or Graph answered with an error
    INTERACTION_REQUIRED = "interaction_required"
    CANCELLED = "cancelled"
    TIMEOUT = "timeout"
    CACHE = "cache"
    BROWSER = "browser"
    INTERNAL = "internal"


@dataclass(frozen=True)
class LanyardError(Exception):
    """A failure worded for people.

    ``details`` holds what support asks for (AADSTS codes, correlation id, timestamp, request id):
    plain values only, never tokens or authorization codes.
    """

    message: str
    recommendation: str = ""
    kind: ErrorKind = ErrorKind.INTERNAL
    details: Mapping[str, str] = field(default_factory=dict)

    def __str__(self) -> str:
        return self.message

    def support_text(self) -> str:
        """Copyable text for a support ticket."""
        lines = [self.message]
        if self.recommendation:
            lines.append(self.recommendation)
        lines.extend(f"{key}: {value}" for key, value in self.details.items())
        return "\n".join(lines)
