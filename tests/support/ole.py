"""OLE compound files (the container of Word 97 documents, Outlook messages and Windows
installers) written from scratch, so that the tests can make each kind that shares the
container: a stream is given as its path and bytes, a storage appears wherever a path passes
through it.

Every stream is padded to 4 KB so that it lives in the file's ordinary sectors: the tests need
the container's names and class ids, which is what tells these kinds apart, not small-stream
storage.
"""

from __future__ import annotations

import struct
import uuid
from dataclasses import dataclass, field

SECTOR = 512
FREE, END, FAT_SECTOR = 0xFFFFFFFF, 0xFFFFFFFE, 0xFFFFFFFD
NO_ENTRY = 0xFFFFFFFF
WORD_97 = "00020906-0000-0000-C000-000000000046"
INSTALLER = "000C1084-0000-0000-C000-000000000046"


@dataclass
class _Entry:
    name: str
    kind: int  # 1 storage, 2 stream, 5 root
    data: bytes = b""
    clsid: str = ""
    children: list[_Entry] = field(default_factory=list)


def compound_file(streams: dict[str, bytes], root_clsid: str = "") -> bytes:
    """An OLE compound file holding ``streams``, each named by its path ('Macros/VBA/dir')."""
    root = _Entry("Root Entry", 5, clsid=root_clsid)
    for path, data in streams.items():
        parent = root
        *storages, name = path.split("/")
        for part in storages:
            found = next((c for c in parent.children if c.name == part), None)
            if found is None:
                found = _Entry(part, 1)
                parent.children.append(found)
            parent = found
        parent.children.append(_Entry(name, 2, data.ljust(4096, b"\0")))

    entries: list[_Entry] = []

    def number(entry: _Entry) -> None:
        entries.append(entry)
        for child in entry.children:
            number(child)

    number(root)
    ids = {id(entry): index for index, entry in enumerate(entries)}
    dir_sectors = -(-len(entries) * 128 // SECTOR)
    data_sectors = sum(-(-len(e.data) // SECTOR) for e in entries if e.kind == 2)
    fat_sectors = 1
    while fat_sectors * 128 < fat_sectors + dir_sectors + data_sectors:
        fat_sectors += 1
    assert fat_sectors <= 109, "the test files stay small"

    fat = [FAT_SECTOR] * fat_sectors
    dir_start = len(fat)
    fat += [*range(dir_start + 1, dir_start + dir_sectors), END]
    starts: dict[int, int] = {}
    body = b""
    for entry in entries:
        if entry.kind != 2:
            continue
        count = len(entry.data) // SECTOR
        starts[id(entry)] = len(fat)
        fat += [*range(len(fat) + 1, len(fat) + count), END]
        body += entry.data
    fat += [FREE] * (fat_sectors * 128 - len(fat))

    directory = b""
    for entry in entries:
        # Siblings are chained through their right links: a lopsided tree, but a tree.
        siblings = _siblings_of(entry, entries)
        right = siblings[siblings.index(entry) + 1] if entry in siblings[:-1] else None
        name = entry.name.encode("utf-16-le")
        directory += struct.pack(
            "<64sHBBIII16sIQQIQ",
            name,
            len(name) + 2,
            entry.kind,
            1,
            NO_ENTRY,
            ids[id(right)] if right is not None else NO_ENTRY,
            ids[id(entry.children[0])] if entry.children else NO_ENTRY,
            uuid.UUID(entry.clsid).bytes_le if entry.clsid else bytes(16),
            0,
            0,
            0,
            starts.get(id(entry), END),
            len(entry.data),
        )
    directory = directory.ljust(dir_sectors * SECTOR, b"\0")

    header = struct.pack(
        "<8s16sHHHHH6sIIIIIIIII",
        b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1",
        bytes(16),
        0x3E,
        3,
        0xFFFE,
        9,
        6,
        bytes(6),
        0,
        fat_sectors,
        dir_start,
        0,
        4096,
        END,
        0,
        END,
        0,
    ) + struct.pack("<109I", *range(fat_sectors), *[FREE] * (109 - fat_sectors))
    return header + struct.pack(f"<{len(fat)}I", *fat) + directory + body


def _siblings_of(entry: _Entry, entries: list[_Entry]) -> list[_Entry]:
    for parent in entries:
        if any(child is entry for child in parent.children):
            return parent.children
    return [entry]


def outlook_message() -> bytes:
    """An Outlook message as Outlook saves one: properties and named substorage streams."""
    return compound_file(
        {
            "__properties_version1.0": b"\0" * 32,
            "__substg1.0_0037001F": "Noise complaint".encode("utf-16-le"),
            "__substg1.0_1000001F": "Loud music every night".encode("utf-16-le"),
            "__nameid_version1.0/__substg1.0_00020102": b"",
        }
    )


def installer(*, extra: dict[str, bytes] | None = None) -> bytes:
    """A Windows installer (.msi): the installer's class id and its encoded table streams."""
    streams = {
        "\x05SummaryInformation": b"\xfe\xff installer summary",
        "\u4840\u3f7f\u4164\u422f\u4836": b"string pool",
        "\u4840\u3b3f\u43f2\u4438\u45b1": b"tables",
    }
    return compound_file(streams | (extra or {}), root_clsid=INSTALLER)


def word_97(*, extra: dict[str, bytes] | None = None) -> bytes:
    """A Word 97 document's container: its class id, WordDocument and table streams."""
    streams = {"WordDocument": b"\xec\xa5 word", "1Table": b"table", "\x01CompObj": b"comp"}
    return compound_file(streams | (extra or {}), root_clsid=WORD_97)
