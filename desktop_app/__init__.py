"""Lanyard: a desktop sign-in and profile viewer for Microsoft Entra ID."""

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("lanyard")  # the one version number lives in pyproject.toml
except PackageNotFoundError:  # running from a source tree that was never installed
    __version__ = "0.0.0+source"
