"""The catalog's files without GNU gettext's tools: the marked strings found in the source
(``_``, ``N_``, ``ngettext`` calls, read with ``ast``), a ``.po`` file read and written, and
compiled to the ``.mo`` that Python's gettext loads (the layout of GNU msgfmt's, as CPython's
Tools/i18n/msgfmt.py writes it). scripts/i18n.py runs these; tests/unit/core/test_catalogs.py
checks that the committed ``.mo`` files are what their ``.po`` compiles to.

Only the build and the tests import this module, never a running Lanyard.
"""

from __future__ import annotations

import ast
import re
import struct
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path


@dataclass
class Entry:
    msgid: str
    msgid_plural: str = ""
    msgstr: list[str] = field(default_factory=lambda: [""])
    comments: list[str] = field(default_factory=list)  # "#." and "#:" lines, kept as written
    fuzzy: bool = False

    @property
    def translated(self) -> bool:
        return not self.fuzzy and all(self.msgstr)


@dataclass
class Catalog:
    header: str  # the msgstr of the empty msgid: Language, Plural-Forms, Content-Type
    entries: list[Entry]

    def by_id(self) -> dict[str, Entry]:
        return {entry.msgid: entry for entry in self.entries}


class PoError(ValueError):
    pass


_ESCAPES = {"n": "\n", "t": "\t", '"': '"', "\\": "\\", "r": "\r"}


def _unquote(text: str, where: str) -> str:
    text = text.strip()
    if len(text) < 2 or text[0] != '"' or text[-1] != '"':
        raise PoError(f"{where}: expected a quoted string, found {text[:40]!r}")
    body, out, i = text[1:-1], [], 0
    while i < len(body):
        ch = body[i]
        if ch == "\\" and i + 1 < len(body):
            out.append(_ESCAPES.get(body[i + 1], body[i + 1]))
            i += 2
        else:
            out.append(ch)
            i += 1
    return "".join(out)


def _quote(text: str) -> str:
    escaped = text.replace("\\", "\\\\").replace('"', '\\"').replace("\t", "\\t")
    lines = escaped.split("\n")
    if len(lines) == 1:
        return f'"{escaped}"'
    parts = [line + "\\n" for line in lines[:-1]] + ([lines[-1]] if lines[-1] else [])
    return '""\n' + "\n".join(f'"{part}"' for part in parts)


def read_po(path: Path) -> Catalog:
    header = ""
    entries: list[Entry] = []
    comments: list[str] = []
    fuzzy = False
    key = ""
    values: dict[str, str] = {}

    def finish() -> None:
        nonlocal header, comments, fuzzy, values, key
        msgid = values["msgid"]
        plural = values.get("msgid_plural", "")
        if plural:
            count = sum(1 for name in values if name.startswith("msgstr["))
            strs = [values.get(f"msgstr[{i}]", "") for i in range(max(count, 1))]
        else:
            strs = [values.get("msgstr", "")]
        if msgid == "":
            header = strs[0]
        else:
            entries.append(Entry(msgid, plural, strs, comments, fuzzy))
        values, comments, fuzzy, key = {}, [], False, ""

    def has_msgstr() -> bool:
        return any(name.startswith("msgstr") for name in values)

    for number, raw in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        line = raw.strip()
        where = f"{path.name}:{number}"
        if not line:
            continue
        if line.startswith("#"):
            if has_msgstr():
                finish()
            if line.startswith("#,"):
                fuzzy = fuzzy or "fuzzy" in line
            elif line.startswith(("#.", "#:")):
                comments.append(line)
            continue
        if line.startswith('"'):
            if not key:
                raise PoError(f"{where}: a continuation line before any keyword")
            values[key] += _unquote(line, where)
            continue
        match = re.match(r"^(msgid_plural|msgid|msgstr\[\d+\]|msgstr)\s+(.*)$", line)
        if not match:
            raise PoError(f"{where}: not a .po line: {line[:40]!r}")
        if match.group(1) == "msgid" and has_msgstr():
            finish()
        key = match.group(1)
        values[key] = _unquote(match.group(2), where)
    if "msgid" in values:
        finish()
    return Catalog(header, entries)


def write_po(path: Path, catalog: Catalog) -> None:
    out = ['msgid ""', "msgstr " + _quote(catalog.header), ""]
    for entry in catalog.entries:
        out += entry.comments
        if entry.fuzzy:
            out.append("#, fuzzy")
        out.append("msgid " + _quote(entry.msgid))
        if entry.msgid_plural:
            out.append("msgid_plural " + _quote(entry.msgid_plural))
            out += [f"msgstr[{i}] " + _quote(text) for i, text in enumerate(entry.msgstr)]
        else:
            out.append("msgstr " + _quote(entry.msgstr[0]))
        out.append("")
    path.write_text("\n".join(out), encoding="utf-8")


def compile_mo(catalog: Catalog) -> bytes:
    """The ``.mo`` bytes of ``catalog``'s translated entries (little-endian, sorted by msgid, no
    hash table: gettext's reader does not need one)."""
    pairs = [("", catalog.header)]
    for entry in catalog.entries:
        if not entry.translated:
            continue
        if entry.msgid_plural:
            pairs.append((f"{entry.msgid}\0{entry.msgid_plural}", "\0".join(entry.msgstr)))
        else:
            pairs.append((entry.msgid, entry.msgstr[0]))
    pairs.sort(key=lambda pair: pair[0].encode("utf-8"))
    ids = [key.encode("utf-8") for key, _value in pairs]
    strs = [value.encode("utf-8") for _key, value in pairs]
    count = len(pairs)
    key_table, value_table = 7 * 4, 7 * 4 + count * 8
    data_start = value_table + count * 8
    offsets: list[int] = []
    blob = b""
    for item in ids:
        offsets += [len(item), data_start + len(blob)]
        blob += item + b"\0"
    for item in strs:
        offsets += [len(item), data_start + len(blob)]
        blob += item + b"\0"
    header = struct.pack("<7I", 0x950412DE, 0, count, key_table, value_table, 0, 0)
    return header + struct.pack(f"<{len(offsets)}I", *offsets) + blob


@dataclass(frozen=True)
class Marked:
    msgid: str
    msgid_plural: str
    where: str  # file:line


_MARKERS = {"_": 1, "N_": 1, "ngettext": 2}


def extract(files: Iterable[Path], root: Path) -> list[Marked]:
    """Every ``_("...")``, ``N_("...")``, ``ngettext("...", "...", n)`` with literal strings,
    in file order. ``_(name)`` translates what N_ marked elsewhere and is skipped; an N_ or
    ngettext with anything but literal text is an error (it could not be translated)."""
    found: list[Marked] = []
    for path in files:
        tree = ast.parse(path.read_text(encoding="utf-8"), str(path))
        rel = path.relative_to(root).as_posix()
        for node in ast.walk(tree):
            if not (isinstance(node, ast.Call) and isinstance(node.func, ast.Name)):
                continue
            wanted = _MARKERS.get(node.func.id)
            if wanted is None:
                continue
            args = node.args[:wanted]
            if node.func.id == "_" and not (
                args and isinstance(args[0], ast.Constant) and isinstance(args[0].value, str)
            ):
                continue  # _(NAME): a string marked N_ where it was defined, translated here
            if len(args) < wanted or not all(
                isinstance(arg, ast.Constant) and isinstance(arg.value, str) for arg in args
            ):
                raise PoError(
                    f"{rel}:{node.lineno}: {node.func.id}() needs literal text to be translated"
                )
            texts = [arg.value for arg in args if isinstance(arg, ast.Constant)]
            found.append(
                Marked(str(texts[0]), str(texts[1]) if wanted == 2 else "", f"{rel}:{node.lineno}")
            )
    found.sort(key=lambda m: (m.where.split(":")[0], int(m.where.split(":")[1])))
    return found


_PLACEHOLDER = re.compile(r"\{[A-Za-z_][A-Za-z0-9_]*\}|%\([a-z_]+\)[sdr]|%[sdr]")


def placeholders(text: str) -> list[str]:
    """The ``{name}`` and ``%s``/``%(name)s`` fields of ``text``, sorted (order may change)."""
    return sorted(_PLACEHOLDER.findall(text))


def merge(catalog: Catalog, marked: list[Marked]) -> Catalog:
    """``catalog`` with the source's strings: new ones added untranslated, gone ones dropped,
    each entry's files in the source as its #: comments."""
    known = catalog.by_id()
    entries: dict[str, Entry] = {}
    for mark in marked:
        entry = entries.get(mark.msgid)
        if entry is None:
            old = known.get(mark.msgid)
            if old is not None and old.msgid_plural == mark.msgid_plural:
                entry = Entry(old.msgid, old.msgid_plural, list(old.msgstr), [], old.fuzzy)
            else:
                entry = Entry(mark.msgid, mark.msgid_plural, [""] * (2 if mark.msgid_plural else 1))
            entries[mark.msgid] = entry
        reference = f"#: {mark.where.split(':')[0]}"  # the file: line numbers would churn
        if reference not in entry.comments:
            entry.comments.append(reference)
    return Catalog(catalog.header, list(entries.values()))
