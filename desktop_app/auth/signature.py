"""A signature check's answer in words (token_verify.py makes it): light, so the window can
name the outcomes without loading requests or PyJWT before a check is asked for."""

from __future__ import annotations

from dataclasses import dataclass

VERIFIED, NOT_VERIFIED, CANNOT_CHECK = "verified", "not verified", "cannot check"
__all__ = ["CANNOT_CHECK", "NOT_VERIFIED", "VERIFIED", "SignatureCheck"]


@dataclass(frozen=True)
class SignatureCheck:
    outcome: str  # VERIFIED / NOT_VERIFIED / CANNOT_CHECK
    reason: str  # one sentence, shown to people (untrusted parts already through shown())
    keys_url: str = ""

    @property
    def verified(self) -> bool:
        return self.outcome == VERIFIED

    @property
    def words(self) -> str:
        title = {VERIFIED: "Signature verified", NOT_VERIFIED: "Signature NOT verified"}
        return f"{title.get(self.outcome, 'Signature cannot be checked')}: {self.reason}"
