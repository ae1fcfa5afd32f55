"""Reading a delivered file, without the database: its bytes, its lines, its
records.

The rules (``sources.md``: one header row, one record per line):

- **Bytes.** One pass hashes the file and decides its encoding: UTF-8 (with or
  without BOM) when every byte decodes as UTF-8, otherwise Windows-1252.
  UTF-16 and UTF-32 (a byte order mark, or the NUL bytes every other or every
  fourth byte of such text has) are named and refused: the contract does not
  accept them.  The same pass counts NUL bytes and the five bytes that are no
  character of Windows-1252 (0x81, 0x8D, 0x8F, 0x90, 0x9D), so that the lines
  are checked for them only when there are any.
- **Lines.** A record is one physical line (LF, CRLF or CR); a quote does not
  carry a field over a line end.  A quoted field not closed on its line
  (``unbalanced_quote``), a quote followed by text (``malformed_quote``), a NUL
  or a byte of no character (``invalid_character``) and a line longer than
  ``DUA_MAX_LINE_CHARS`` characters (``line_too_long``; read in pieces, never
  held whole) make that line alone a rejected record: the lines before and
  after it are read as usual.  Blank lines are skipped.
- **Names.** A file name is shown and stored as :func:`display_name` makes it:
  bytes that are not UTF-8 written as ``\\xNN``, control characters escaped,
  and anything that looks like a personnummer masked.
"""

from __future__ import annotations

import codecs
import csv
import hashlib
import os
import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from dua.identity import personnummer as pnr

# The bytes with no character in Windows-1252 (Python's cp1252 refuses them).
CP1252_UNDEFINED = (b"\x81", b"\x8d", b"\x8f", b"\x90", b"\x9d")

# Encodings recognised only to be refused, with the name a message gives.
UNSUPPORTED = {
    "utf-32-le": "UTF-32 (little-endian)",
    "utf-32-be": "UTF-32 (big-endian)",
    "utf-16-le": "UTF-16 (little-endian)",
    "utf-16-be": "UTF-16 (big-endian)",
}

# A too-long line is kept in quarantine by its first characters only.
PREVIEW_CHARS = 1000


@dataclass(frozen=True)
class FileFacts:
    sha256: str
    encoding: str  # utf-8 | utf-8-sig | cp1252 | one of UNSUPPORTED
    how: str  # how an unsupported encoding was recognised: "byte order mark" | "NUL pattern" | ""
    size: int
    nul_bytes: int
    undefined_bytes: int  # bytes of no Windows-1252 character (matters for cp1252 files only)

    @property
    def unsupported(self) -> str | None:
        """The name of a refused encoding, or None."""
        return UNSUPPORTED.get(self.encoding)


def _wide_encoding(head: bytes) -> tuple[str, str] | None:
    """UTF-16 or UTF-32 from the first bytes: a byte order mark, or NUL bytes
    in the places where ASCII text in those encodings has them (at least 90 %
    of those places in the first 256 bytes, and under half of the others)."""
    if head.startswith(b"\xff\xfe\x00\x00"):
        return "utf-32-le", "byte order mark"
    if head.startswith(b"\x00\x00\xfe\xff"):
        return "utf-32-be", "byte order mark"
    if head.startswith(b"\xff\xfe"):
        return "utf-16-le", "byte order mark"
    if head.startswith(b"\xfe\xff"):
        return "utf-16-be", "byte order mark"
    head = head[:256]  # the header's first characters: ASCII names, where the pattern is exact
    n = len(head) // 4 * 4
    if n < 8 or head.count(0, 0, n) < n // 4:
        return None
    nul = [sum(1 for i in range(r, n, 4) if head[i] == 0) / (n // 4) for r in range(4)]
    if min(nul[1], nul[2], nul[3]) >= 0.9 and nul[0] < 0.5:
        return "utf-32-le", "NUL pattern"
    if min(nul[0], nul[1], nul[2]) >= 0.9 and nul[3] < 0.5:
        return "utf-32-be", "NUL pattern"
    if min(nul[1], nul[3]) >= 0.9 and max(nul[0], nul[2]) < 0.5:
        return "utf-16-le", "NUL pattern"
    if min(nul[0], nul[2]) >= 0.9 and max(nul[1], nul[3]) < 0.5:
        return "utf-16-be", "NUL pattern"
    return None


def inspect(path: Path) -> FileFacts:
    """One pass over the bytes: sha256, encoding, NUL and undefined bytes."""
    digest = hashlib.sha256()
    decoder = codecs.getincrementaldecoder("utf-8")()
    utf8 = True
    head = b""
    size = nul = undefined = 0
    with path.open("rb") as fh:
        while chunk := fh.read(1 << 20):
            if len(head) < 4096:
                head += chunk[: 4096 - len(head)]
            size += len(chunk)
            digest.update(chunk)
            nul += chunk.count(b"\x00")
            undefined += sum(chunk.count(b) for b in CP1252_UNDEFINED)
            if utf8:
                try:
                    decoder.decode(chunk)
                except UnicodeDecodeError:
                    utf8 = False
        if utf8:
            try:
                decoder.decode(b"", final=True)
            except UnicodeDecodeError:
                utf8 = False
    wide = _wide_encoding(head)
    if wide:
        encoding, how = wide
    elif utf8:
        encoding, how = ("utf-8-sig" if head.startswith(codecs.BOM_UTF8) else "utf-8"), ""
    else:
        encoding, how = "cp1252", ""
    return FileFacts(digest.hexdigest(), encoding, how, size, nul, undefined)


# --------------------------------------------------------------------------
def display_name(name: str) -> str:
    """A file name as it may be stored, logged and shown: the bytes that are
    not UTF-8 (``os.fsdecode`` keeps them as surrogates) written ``\\xNN``,
    control characters escaped, personnummer-like parts masked."""
    text = os.fsencode(name).decode("utf-8", "backslashreplace")
    if not text.isprintable():
        text = "".join(ch if ch.isprintable() else ch.encode("unicode_escape").decode("ascii") for ch in text)
    return pnr.mask_text(text)


_SURROGATE = re.compile("[\udc80-\udcff]")


def printable(text: str) -> str:
    """``text`` as it can be stored in a text column: NUL shown as ␀, a byte of
    no character (kept as a surrogate by the decoder) as U+FFFD."""
    if "\x00" in text:
        text = text.replace("\x00", "\u2400")
    if not text.isascii():
        text = _SURROGATE.sub("\ufffd", text)
    return text


# One non-blank physical line, as a plain tuple (made for every line of every
# file, so no object with attributes):
#   (number, text, fields, problem, detail)
# number: the line's number in the file (the header is line 1 when it is the
# first line); text: the line without its line end (of a too-long line, its
# first PREVIEW_CHARS characters); fields: its fields, or None when the line
# cannot be split; problem, detail: reason code and message of a line that is
# a rejected record (None otherwise).
Line = tuple[int, str, "list[str] | None", "str | None", "str | None"]


class _OneLine:
    """The input of a csv reader that parses one line at a time: it gives the
    line set last, once, then ends, so an unclosed quote cannot pull in the
    next line (the reader says "unexpected end of data" instead)."""

    __slots__ = ("line",)

    def __init__(self) -> None:
        self.line: str | None = None

    def __iter__(self):
        return self

    def __next__(self) -> str:
        line = self.line
        if line is None:
            raise StopIteration
        self.line = None
        return line


def _quoted_splitter():
    """A function giving the fields of a line with quotes: the csv module
    (strict, ``;``, ``"``), one reader reused for every line."""
    feed = _OneLine()
    reader = csv.reader(feed, delimiter=";", quotechar='"', strict=True)

    def split(text: str) -> tuple[list[str] | None, str | None, str | None]:
        feed.line = text
        try:
            fields = next(reader, [])
        except csv.Error as exc:
            feed.line = None
            if "unexpected end of data" in str(exc):
                return None, "unbalanced_quote", "a quoted field is not closed before the end of the line"
            return None, "malformed_quote", f"a closing quote is not followed by ';' or the line end ({exc})"
        return fields, None, None

    return split


def read_lines(path: Path, encoding: str, max_chars: int, check_nul: bool = True,
               check_undefined: bool = True) -> Iterator[Line]:
    """The non-blank lines of a text file, one record per physical line.

    ``check_nul`` / ``check_undefined``: look for NUL characters and for bytes
    of no character (the byte count of :func:`inspect` says whether any are
    there; without them the checks are skipped)."""
    if max_chars < 1:
        raise ValueError("max_chars must be at least 1")
    limit = max_chars + 1
    if csv.field_size_limit() < limit:
        csv.field_size_limit(limit)  # a field is never longer than its line
    errors = "surrogateescape" if check_undefined else "strict"
    split_quoted = _quoted_splitter()
    number = 0
    pending_cr = False
    with path.open("r", encoding=encoding, errors=errors, newline="") as fh:
        readline = fh.readline
        while True:
            s = readline(limit)
            if not s:
                return
            if pending_cr and s == "\n":  # the LF of a CRLF the size limit cut after its CR
                pending_cr = False
                continue
            number += 1
            last = s[-1]
            if last == "\n":
                text = s[:-1]
                if text and text[-1] == "\r":
                    text = text[:-1]
                pending_cr = False
            elif last == "\r":
                text = s[:-1]
                pending_cr = True
            elif len(s) == limit:  # longer than the limit: read the rest in pieces
                total = len(s)
                while True:
                    more = readline(1 << 20)
                    if not more:
                        break
                    total += len(more)
                    if more[-1] in "\r\n":
                        total -= 2 if more.endswith("\r\n") else 1
                        pending_cr = more[-1] == "\r"
                        break
                yield (number, s[:PREVIEW_CHARS], None, "line_too_long",
                       f"the line has {total} characters, more than DUA_MAX_LINE_CHARS = {max_chars}")
                continue
            else:  # the last line, without a line end
                text = s
                pending_cr = False
            if check_nul and "\x00" in text:
                yield number, text, None, "invalid_character", "the line contains a NUL character"
                continue
            if check_undefined and not text.isascii():
                bad = _SURROGATE.search(text)
                if bad:
                    byte = ord(bad.group(0)) - 0xDC00
                    yield number, text, None, "invalid_character", f"byte 0x{byte:02X} is no character of {encoding}"
                    continue
            if '"' in text:
                fields, problem, detail = split_quoted(text)
                if problem:
                    yield number, text, None, problem, detail
                    continue
                if not fields or (len(fields) == 1 and fields[0].strip() == ""):
                    continue
            else:
                if text.strip() == "":
                    continue
                fields = text.split(";")
            yield number, text, fields, None, None
