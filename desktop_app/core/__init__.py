"""Lanyard's foundation, no Qt: errors, settings, paths, atomic files, logs, diagnostics, HTTP."""
