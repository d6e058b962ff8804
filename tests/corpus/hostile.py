"""A generated corpus of hostile input files, fed to every registered loader.

Each case is ``(name, filename, bytes)``. The files are generated rather than checked in:
a 1 GB zip bomb compresses to kilobytes only when built, and the corpus stays readable.
Everything here is fictional ("Acme Steel", "Site A").
"""

from __future__ import annotations

import io
import json
import zipfile
from collections.abc import Iterator

#: the bytes of a minimal generic-table nodes.csv that loads
GOOD_NODES = "id,kind,name\nacme,Company,Acme Steel\nsite-a,Site,Site A\n"


def xlsx_bytes(sheets: dict[str, list[list[object]]], *, hidden: tuple[str, ...] = (), merge: dict[str, str] | None = None) -> bytes:
    """An .xlsx built with openpyxl: sheet name -> rows; ``hidden`` sheets; ``merge`` sheet -> range."""
    import openpyxl

    wb = openpyxl.Workbook()
    wb.remove(wb.active)
    for name, rows in sheets.items():
        ws = wb.create_sheet(name)
        for r in rows:
            ws.append(r)
        if name in hidden:
            ws.sheet_state = "hidden"
        if merge and name in merge:
            ws.merge_cells(merge[name])
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def zip_bomb_xlsx(unpacked: int = 1024**3, copies: int = 1) -> bytes:
    """A file posing as .xlsx whose sheet member inflates to ``unpacked`` bytes of zeros.

    ``copies`` > 1 lists the same compressed member under that many names in the central
    directory (an overlapping-file bomb, after Fifield's "A better zip bomb"): 25 copies of
    40 MB make 1 GB from about 40 kB on disk, beyond what one deflate stream (~1030:1) can.

    Built by hand in a fraction of a second: with a full flush, deflate's output for every
    further 1 MB block of zeros is the same bytes, so the stream is one block repeated (a
    real, valid bomb that ``zipfile`` can inflate), not a forged size field.
    """
    import struct
    import zlib

    block = 1 << 20
    assert unpacked % block == 0
    comp = zlib.compressobj(9, zlib.DEFLATED, -15)
    first = comp.compress(b"\x00" * block) + comp.flush(zlib.Z_FULL_FLUSH)
    again = comp.compress(b"\x00" * block) + comp.flush(zlib.Z_FULL_FLUSH)
    third = comp.compress(b"\x00" * block) + comp.flush(zlib.Z_FULL_FLUSH)
    assert again == third
    n = unpacked // block
    data = first + again * (n - 1) + comp.flush(zlib.Z_FINISH)
    crc = 0
    zeros = b"\x00" * block
    for _ in range(n):
        crc = zlib.crc32(zeros, crc)
    out = io.BytesIO()
    members = [(b"[Content_Types].xml", 0, b"<Types/>", zlib.crc32(b"<Types/>"), 8),
               (b"xl/worksheets/sheet1.xml", 8, data, crc, unpacked)]
    central = io.BytesIO()
    entries = 0
    for name, method, payload, c, size in members:
        offset = out.tell()
        out.write(struct.pack("<IHHHHHIIIHH", 0x04034B50, 20, 0, method, 0, 0, c, len(payload), size, len(name), 0))
        out.write(name + payload)
        for i in range(copies if size == unpacked else 1):
            cname = name if i == 0 else name.replace(b"sheet1", b"sheet%d" % (i + 1))
            central.write(struct.pack("<IHHHHHHIIIHHHHHII", 0x02014B50, 20, 20, 0, method, 0, 0, c, len(payload), size,
                                      len(cname), 0, 0, 0, 0, 0, offset))
            central.write(cname)
            entries += 1
    cd = central.getvalue()
    cd_offset = out.tell()
    out.write(cd)
    out.write(struct.pack("<IHHHHIIH", 0x06054B50, 0, 0, entries, entries, len(cd), cd_offset, 0))
    return out.getvalue()


def _deep_json(depth: int) -> bytes:
    return ("[" * depth + "]" * depth).encode()


def _deep_obj(depth: int) -> bytes:
    return ('{"a":' * depth + "1" + "}" * depth).encode()


BILLION_LAUGHS = b"""<?xml version="1.0"?>
<!DOCTYPE lolz [
 <!ENTITY lol "lol">
 <!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
 <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
 <!ENTITY lol4 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;">
 <!ENTITY lol5 "&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;">
 <!ENTITY lol6 "&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;">
 <!ENTITY lol7 "&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;">
 <!ENTITY lol8 "&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;">
 <!ENTITY lol9 "&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;">
]>
<lei:LEIData xmlns:lei="http://www.gleif.org/data/schema/leidata/2016"><lei:LEIRecords><lei:LEIRecord>
<lei:LEI>&lol9;</lei:LEI></lei:LEIRecord></lei:LEIRecords></lei:LEIData>
"""

QUADRATIC_BLOWUP = (
    b'<?xml version="1.0"?><!DOCTYPE x [<!ENTITY a "' + b"A" * 50_000 + b'">]>'
    b'<lei:LEIData xmlns:lei="http://www.gleif.org/data/schema/leidata/2016"><lei:LEIRecords><lei:LEIRecord><lei:LEI>'
    + b"&a;" * 20_000
    + b"</lei:LEI></lei:LEIRecord></lei:LEIRecords></lei:LEIData>"
)

EXTERNAL_ENTITY = b"""<?xml version="1.0"?>
<!DOCTYPE x [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>
<lei:LEIData xmlns:lei="http://www.gleif.org/data/schema/leidata/2016"><lei:LEIRecords><lei:LEIRecord>
<lei:LEI>&xxe;</lei:LEI></lei:LEIRecord></lei:LEIRecords></lei:LEIData>
"""

GRAPHML_XXE = b"""<?xml version="1.0"?>
<!DOCTYPE g [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>
<graphml xmlns="http://graphml.graphdrawing.org/xmlns"><graph edgedefault="directed"><node id="&xxe;"/></graph></graphml>
"""


def hostile_files() -> Iterator[tuple[str, str, bytes]]:
    """Every hostile case as ``(case name, file name, bytes)``; no case needs the network."""
    yield "empty", "nodes.csv", b""
    yield "whitespace only", "nodes.csv", b"  \n\n \t\n"
    yield "header only", "nodes.csv", b"id,kind,name\n"
    yield "utf-16 with bom", "nodes.csv", GOOD_NODES.encode("utf-16")
    yield "utf-16 le without bom", "nodes.csv", GOOD_NODES.encode("utf-16-le")
    yield "utf-8 bom", "nodes.csv", b"\xef\xbb\xbf" + GOOD_NODES.encode()
    yield "latin-1 accents", "nodes.csv", "id,kind,name\nacme,Company,Acier Société Générale Ñandú\n".encode("latin-1")
    yield "bom then garbage", "nodes.csv", b"\xff\xfe\x00\xd8"
    yield "binary noise", "nodes.csv", bytes(range(256)) * 8
    yield "nul bytes in csv", "nodes.csv", b"id,kind,name\nac\x00me,Company,Acme\n"
    yield "unterminated quote", "nodes.csv", b'id,kind,name\nacme,Company,"Acme Steel\n'
    yield "huge cell", "nodes.csv", b"id,kind,name\nacme,Company," + b"A" * 200_000 + b"\n"
    yield "many columns", "nodes.csv", b",".join(b"c%d" % i for i in range(5000)) + b"\n" + b"x," * 4999 + b"x\n"
    yield "truncated json", "data.json", b'[{"statementId": "1", "recordType": "entity", "recordDetails": {'
    yield "deep json array", "data.json", _deep_json(100_000)
    yield "deep json object", "data.json", _deep_obj(100_000)
    yield "json scalar", "data.json", b"42"
    yield "json wrong shapes", "data.json", json.dumps(
        [{"recordType": "entity", "recordDetails": [1, 2]}, {"recordType": None}, "x", 1, None, {"recordType": "relationship", "recordDetails": {"interests": "x"}}]
    ).encode()
    yield "jsonl wrong shapes", "entities.json", b'{"id": 1, "schema": "Company", "properties": {"name": "x"}}\n{"id": "a", "schema": "Ownership", "properties": {"owner": [1], "asset": null}}\n[]\n'
    yield "sparql wrong shapes", "query.json", json.dumps({"head": {"vars": ["item"]}, "results": {"bindings": [{"item": "x"}, 1, {"item": {"value": 5}}]}}).encode()
    yield "billion laughs", "lei-data.xml", BILLION_LAUGHS
    yield "quadratic blowup", "lei-data.xml", QUADRATIC_BLOWUP
    yield "external entity", "lei-data.xml", EXTERNAL_ENTITY
    yield "truncated xml", "rr-data.xml", b'<?xml version="1.0"?><rr:RelationshipData xmlns:rr="http://www.gleif.org/data/schema/rr/2016"><rr:Relation'
    yield "graphml with external entity", "graph.graphml", GRAPHML_XXE
    yield "not a zip as xlsx", "book.xlsx", b"PK\x03\x04 not really a zip"
    yield "csv posing as xlsx", "book.xlsx", GOOD_NODES.encode()
    yield "zip without workbook", "book.xlsx", _plain_zip()
    yield "zip bomb posing as xlsx", "book.xlsx", zip_bomb_xlsx(40 * 1024**2, copies=26)
    yield "pickle", "graph.pkl", _pickle_payload("/nonexistent-marker")


def _plain_zip() -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        z.writestr("hello.txt", "hi")
    return buf.getvalue()


def _pickle_payload(marker: str) -> bytes:
    """Pickle bytes that would create ``marker`` when unpickled (built by hand, never loaded)."""
    # protocol 0: GLOBAL builtins.open, then call it with (marker, "w")
    return (
        b"cbuiltins\nopen\n(V" + marker.encode() + b"\nVw\ntR."
    )


def pickle_payload(marker: str) -> bytes:
    """Public name for the marker-writing pickle (see :func:`_pickle_payload`)."""
    return _pickle_payload(marker)
