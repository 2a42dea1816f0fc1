"""Lanyard: a desktop sign-in and profile viewer for Microsoft Entra ID."""

from __future__ import annotations


def __getattr__(name: str) -> str:
    # read on first use: importlib.metadata costs ~30 ms, which every start and every
    # `lanyard whoami` would otherwise pay
    if name != "__version__":
        raise AttributeError(f"module 'desktop_app' has no attribute '{name}'")
    from importlib.metadata import PackageNotFoundError, version

    try:
        found = version("lanyard")  # the one version number lives in pyproject.toml
    except PackageNotFoundError:  # running from a source tree that was never installed
        found = "0.0.0+source"
    globals()["__version__"] = found
    return found
