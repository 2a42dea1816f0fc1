"""Whose policy Lanyard obeys (core/managed_policy.py's Trust): a policy file that anyone but
root could have written -- itself writable by others, owned by another user, in a folder another
user may change, a symlink that leads to such a file, a file swapped for another while it was
checked -- is refused as a whole and reported, as sshd and sudo refuse their own files; the
administrator's file applies. The second user is real where it matters: uid 65534 writes to a
file it was allowed to write (tests/support/unprivileged.py)."""

from __future__ import annotations

import os
import subprocess
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest

from desktop_app.core import managed_policy
from desktop_app.core.config import load_config
from desktop_app.core.managed_policy import MACHINE, Trust
from tests.support.policy import use_policy
from tests.support.unprivileged import NOBODY, nobody_python, require_root

ADMIN = "11111111-2222-3333-4444-555555555555"
ATTACKER = "99999999-8888-7777-6666-555555555555"


def _policy(folder: Path, client: str = ADMIN) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / "policy.toml"
    path.write_text(f'[locked]\nclient_id = "{client}"\n', encoding="utf-8")
    path.chmod(0o644)
    return path


def _load(monkeypatch: pytest.MonkeyPatch, path: Path, top: Path):  # type: ignore[no-untyped-def]
    use_policy(monkeypatch, path, trust=Trust(owner=os.getuid(), top=top))
    return load_config({}, {}, file_values={})


def _refused(config, path: Path, says: str) -> None:  # type: ignore[no-untyped-def]
    assert config.client_id is None  # none of it applies
    assert len(config.policy_problems) == 1, config.policy_problems
    problem = config.policy_problems[0]
    assert problem.startswith(str(path)) and says in problem and problem.endswith("ignored.")


def test_the_administrators_file_applies(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = _policy(tmp_path / "etc" / "lanyard")
    config = _load(monkeypatch, path, tmp_path)
    assert config.client_id == ADMIN
    assert config.policy_problems == ()


@pytest.mark.parametrize("mode", [0o666, 0o646, 0o664, 0o620], ids=oct)
def test_a_file_others_may_write_is_refused(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, mode: int
) -> None:
    path = _policy(tmp_path / "etc" / "lanyard")
    path.chmod(mode)
    config = _load(monkeypatch, path, tmp_path)
    _refused(config, path, f"can be changed by other users (mode {mode:04o})")
    assert "chmod 644" in config.policy_problems[0]


@pytest.mark.parametrize("mode", [0o777, 0o1777, 0o775], ids=oct)
def test_a_folder_others_may_write_is_refused(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, mode: int
) -> None:
    """They could rename another file over the policy (even a sticky /tmp-like folder: the
    attacker's own file, put there first under the policy's name)."""
    path = _policy(tmp_path / "etc" / "lanyard")
    path.parent.parent.chmod(mode)
    config = _load(monkeypatch, path, tmp_path)
    _refused(config, path, f"is in '{path.parent.parent}', which can be changed by other users")


def test_the_real_trust_starts_at_the_root_folder(tmp_path: Path) -> None:
    """The computer's policy is judged up to /: one in /tmp (anyone may write there) is not
    the administrator's, even a root-owned 0644 file."""
    assert Trust(owner=0, top=Path("/")) == MACHINE
    assert managed_policy.TomlSource(Path("/x")).trust is MACHINE
    folder = Path(tempfile.mkdtemp(dir="/tmp"))
    try:
        path = _policy(folder)
        (section,) = managed_policy.TomlSource(path, Trust(owner=os.getuid())).read()
        assert section.locked == {}
        assert (
            "is in '/tmp', which can be changed by other users (mode 1777)" in (section.problems[0])
        )
    finally:
        path.unlink()
        folder.rmdir()


@pytest.fixture
def as_root() -> None:
    require_root()


@pytest.mark.usefixtures("as_root")
def test_a_file_another_user_owns_is_refused(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = _policy(tmp_path / "etc" / "lanyard")
    os.chown(path, NOBODY, NOBODY)
    config = _load(monkeypatch, path, tmp_path)
    _refused(config, path, "belongs to user 'nobody', not user 'root'")


@pytest.mark.usefixtures("as_root")
def test_a_folder_another_user_owns_is_refused(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = _policy(tmp_path / "etc" / "lanyard")
    os.chown(path.parent, NOBODY, NOBODY)
    config = _load(monkeypatch, path, tmp_path)
    _refused(config, path, f"is in '{path.parent}', which belongs to user 'nobody'")


@pytest.mark.usefixtures("as_root")
def test_a_symlink_is_judged_by_where_it_leads(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A root-owned link in a trusted folder to the attacker's file, or to a root-owned file in
    the attacker's folder: refused. A link to the administrator's file elsewhere: obeyed."""
    etc = tmp_path / "etc" / "lanyard"
    etc.mkdir(parents=True)
    link = etc / "policy.toml"

    theirs = _policy(tmp_path / "home" / "mallory", ATTACKER)
    os.chown(theirs, NOBODY, NOBODY)
    link.symlink_to(theirs)
    _refused(_load(monkeypatch, link, tmp_path), link, "belongs to user 'nobody'")

    os.chown(theirs, 0, 0)
    os.chown(theirs.parent, NOBODY, NOBODY)
    _refused(_load(monkeypatch, link, tmp_path), link, f"is in '{theirs.parent}'")

    link.unlink()
    link.symlink_to(_policy(tmp_path / "opt" / "policy"))
    config = _load(monkeypatch, link, tmp_path)
    assert config.client_id == ADMIN and config.policy_problems == ()


def test_a_file_swapped_while_it_is_checked_is_refused(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The file is opened once and the opened file is the one judged and read: one put in the
    policy's place after the open is never read, and the swap is seen (the path no longer leads
    to the file checked)."""
    path = _policy(tmp_path / "etc" / "lanyard")
    theirs = _policy(tmp_path / "etc" / "staged", ATTACKER)
    real_realpath = os.path.realpath

    def swap_then_resolve(name: str | os.PathLike[str]) -> str:
        if Path(name) == path and theirs.exists():
            os.replace(theirs, path)  # between the open and the folder checks
        return real_realpath(name)

    monkeypatch.setattr(os.path, "realpath", swap_then_resolve)
    config = _load(monkeypatch, path, tmp_path)
    _refused(config, path, "was replaced while it was read")
    assert ATTACKER not in str(config)


@pytest.fixture
def shared_folder() -> Iterator[Path]:
    """A root-owned folder the ordinary user can reach (pytest's own are 0700)."""
    require_root()
    folder = Path(tempfile.mkdtemp(prefix="lanyard-policy-", dir="/tmp"))
    folder.chmod(0o755)
    try:
        yield folder
    finally:
        for child in folder.iterdir():
            child.unlink()
        folder.rmdir()


def test_another_user_who_could_write_the_policy_is_not_obeyed(
    shared_folder: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """uid 65534 rewrites a policy left writable by everyone, locking its own app registration
    for every user of the computer; Lanyard, run by root, refuses the file and says why. The
    same user cannot touch a 0644 policy at all."""
    path = _policy(shared_folder)
    write = (
        f"open({str(path)!r}, 'w').write('[locked]\\nclient_id = \"{ATTACKER}\"\\n')\n"
        "print('written')"
    )
    denied = subprocess.run(nobody_python(write), capture_output=True, text=True, timeout=60)
    assert "PermissionError" in denied.stderr

    path.chmod(0o666)
    done = subprocess.run(nobody_python(write), capture_output=True, text=True, timeout=60)
    assert done.stdout.strip() == "written", done.stderr
    assert ATTACKER in path.read_text(encoding="utf-8")
    config = _load(monkeypatch, path, shared_folder)
    _refused(config, path, "can be changed by other users (mode 0666)")
