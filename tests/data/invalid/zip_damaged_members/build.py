"""A zip of the case's CSVs in which organizations.csv has a wrong CRC, and centers.csv declares a smaller size
than its data inflates to: zipfile never inflates beyond the declared size, and the CRC then fails."""
import io
import struct
import zipfile


def _patch(data: bytearray, name: str, offset: int, value: int) -> None:
    """Set the 4-byte field at ``offset`` of member ``name``'s local header, and of its central directory entry
    (where every field sits 2 bytes further)."""
    with zipfile.ZipFile(io.BytesIO(bytes(data))) as zf:
        start = zf.getinfo(name).header_offset
    struct.pack_into("<I", data, start + offset, value)
    at = data.find(b"PK\x01\x02")
    while at >= 0:
        length = struct.unpack_from("<H", data, at + 28)[0]
        if data[at + 46: at + 46 + length] == name.encode():
            struct.pack_into("<I", data, at + offset + 2, value)
        at = data.find(b"PK\x01\x02", at + 4)


def build(case, out):
    out.mkdir(parents=True)
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
        for p in sorted(case.glob("*.csv")):
            zf.writestr(p.name, p.read_bytes())
    data = bytearray(buf.getvalue())
    _patch(data, "organizations.csv", 14, 0x12345678)  # CRC-32
    _patch(data, "centers.csv", 22, 10)  # uncompressed size
    path = out / "damaged.zip"
    path.write_bytes(bytes(data))
    return path
