"""A zip whose centers.csv inflates to 513 MiB (3 MB on disk): refused from its declared size, never inflated."""
import zipfile


def build(case, out):
    out.mkdir(parents=True)
    path = out / "bomb.zip"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED, compresslevel=1) as zf:
        with zf.open("centers.csv", "w", force_zip64=True) as f:
            f.write(b"center_id,name,level,field_id,province\n")
            block = b"C" * (1 << 20)
            for _ in range(513):
                f.write(block)
        zf.writestr("organizations.csv", "org_id,name,kind\nO1,x,enterprise\n")
    return path
