"""A zip cut off halfway (an interrupted download): its central directory is gone."""
import zipfile


def build(case, out):
    out.mkdir(parents=True)
    path = out / "cut.zip"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        for p in sorted(case.glob("*.csv")):
            zf.writestr(p.name, p.read_bytes())
    path.write_bytes(path.read_bytes()[: path.stat().st_size // 2])
    return path
