"""Members named ../../x/centers.csv and /abs/organizations.csv are read by their base name; nothing is
extracted, so nothing is written anywhere (the test checks the folder holds only the zip)."""
import zipfile


def build(case, out):
    out.mkdir(parents=True)
    path = out / "paths.zip"
    with zipfile.ZipFile(path, "w") as zf:
        zf.writestr("../../evil/centers.csv", (case / "centers.csv").read_bytes())
        zf.writestr("/abs/organizations.csv", (case / "organizations.csv").read_bytes())
    return path
