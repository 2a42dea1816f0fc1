from __future__ import annotations

import re
from pathlib import Path

from desktop_app.sandbox.state import SandboxState, normalize_user_code

OID = "8a1f3c52-6d4e-4b7a-9e2f-0c1d2b3a4f51"
APP_A = "0c5f8f1a-7e21-4c8e-b3a4-6c1d9e2f7a10"
APP_B = "11111111-2222-4333-8444-555555555555"
READ = "https://graph.microsoft.com/User.Read"
MAIL = "https://graph.microsoft.com/Mail.Read"


def test_user_codes_are_typable_and_normalised(tmp_path: Path) -> None:
    state = SandboxState(tmp_path, 3600, None)
    codes = {state.new_user_code() for _ in range(50)}
    assert all(re.fullmatch(r"[A-HJKMNP-Z2-9]{9}", code) for code in codes)
    assert normalize_user_code(" abc-def 12x ") == "ABCDEF12X"


def test_revoking_some_scopes_of_one_client(tmp_path: Path) -> None:
    state = SandboxState(tmp_path, 3600, None)
    state.grant_consent(OID, APP_A, (READ, MAIL, "openid"))
    state.grant_consent(OID, APP_B, (READ,))
    assert state.revoke_consent(OID, APP_A, (MAIL,)) == [MAIL]
    assert state.consented(OID, APP_A) == {READ, "openid"}
    assert state.consented(OID, APP_B) == {READ}
    assert set(state.consent_revoked_at) == {state.consent_key(OID, APP_A)}
    # persisted: a restart with the same state dir sees the withdrawal
    assert SandboxState(tmp_path, 3600, None).consented(OID, APP_A) == {READ, "openid"}


def test_revoking_everything_for_every_client(tmp_path: Path) -> None:
    state = SandboxState(tmp_path, 3600, None)
    state.grant_consent(OID, APP_A, (READ, "openid"))
    state.grant_consent(OID, APP_B, (READ,))
    assert sorted(state.revoke_consent(OID, None, None)) == sorted([READ, "openid", READ])
    assert state.consented(OID, APP_A) == set()
    assert state.consented(OID, APP_B) == set()


def test_revoking_for_a_client_never_consented_still_marks_the_time(tmp_path: Path) -> None:
    state = SandboxState(tmp_path, 3600, None)
    assert state.revoke_consent(OID, APP_B, None) == []
    assert state.consent_key(OID, APP_B) in state.consent_revoked_at
