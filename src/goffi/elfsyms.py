"""The undefined dynamic symbols of an ELF shared library, read in-process.

What ``nm -D --undefined-only`` prints, without starting binutils (a build checks every
new library for goffi symbols the generated code never defines: goffi.build). Reads the
ELF header, the section headers, the dynamic symbol table (``.dynsym``) and its string
table; 32- and 64-bit, either byte order. :func:`undefined_dynamic_symbols` returns None
for anything that is not such a file (a Mach-O library, a truncated one): the caller then
asks ``nm``.
"""

from __future__ import annotations

import struct
from pathlib import Path

_SHT_DYNSYM = 11
_SHN_UNDEF = 0


def undefined_dynamic_symbols(library: Path) -> list[str] | None:
    """The names of ``library``'s undefined dynamic symbols, in table order; None when it
    is not an ELF file this reader understands."""
    try:
        data = library.read_bytes()
    except OSError:
        return None
    try:
        return _undefined(data)
    except (struct.error, IndexError, ValueError):
        return None


def _undefined(data: bytes) -> list[str] | None:
    if data[:4] != b"\x7fELF" or data[4] not in (1, 2) or data[5] not in (1, 2):
        return None
    wide = data[4] == 2
    end = "<" if data[5] == 1 else ">"
    if wide:
        shoff, shentsize, shnum = (
            struct.unpack_from(end + "Q", data, 0x28)[0],
            *struct.unpack_from(end + "HH", data, 0x3A),
        )
        section = end + "IIQQQQIIQQ"  # name type flags addr offset size link info align entsize
        symbol, sym_size = end + "IBBHQQ", 24  # name info other shndx value size
    else:
        shoff, shentsize, shnum = (
            struct.unpack_from(end + "I", data, 0x20)[0],
            *struct.unpack_from(end + "HH", data, 0x2E),
        )
        section = end + "IIIIIIIIII"
        symbol, sym_size = end + "IIIBBH", 16  # name value size info other shndx
    if shoff == 0 or shnum == 0 or shentsize < struct.calcsize(section):
        return None
    headers = [struct.unpack_from(section, data, shoff + i * shentsize) for i in range(shnum)]
    dynsym = [h for h in headers if h[1] == _SHT_DYNSYM]
    if len(dynsym) != 1:
        return None
    _, _, _, _, offset, size, link, _, _, entsize = dynsym[0]
    entsize = entsize or sym_size
    strtab = headers[link]
    str_off, str_size = strtab[4], strtab[5]
    if offset + size > len(data) or str_off + str_size > len(data) or entsize < sym_size:
        raise ValueError("section outside the file")
    names = []
    for at in range(offset + entsize, offset + size, entsize):  # entry 0 is the null symbol
        fields = struct.unpack_from(symbol, data, at)
        name, shndx = fields[0], fields[3] if wide else fields[5]
        if shndx != _SHN_UNDEF:
            continue
        start = str_off + name
        stop = data.index(b"\0", start, str_off + str_size)
        names.append(data[start:stop].decode("utf-8", "replace"))
    return names
