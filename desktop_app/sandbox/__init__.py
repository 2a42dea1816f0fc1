"""A local emulator of Microsoft Entra ID v2.0 and Microsoft Graph /v1.0/me (see shared/SANDBOX.md).

An identity provider, not part of the client: it imports nothing else from desktop_app and no Qt.
"""

from desktop_app.sandbox.faults import FaultSpec
from desktop_app.sandbox.server import Sandbox, SandboxInfo

__all__ = ["FaultSpec", "Sandbox", "SandboxInfo"]
