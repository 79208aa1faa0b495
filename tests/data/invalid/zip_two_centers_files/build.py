"""A zip holding centers.csv twice (in two folders): which one is meant is unknowable, so neither is read."""
import zipfile


def build(case, out):
    out.mkdir(parents=True)
    path = out / "two.zip"
    with zipfile.ZipFile(path, "w") as zf:
        for p in sorted(case.glob("*.csv")):
            zf.writestr(p.name, p.read_bytes())
        zf.writestr("old/centers.csv", (case / "centers.csv").read_bytes())
    return path
