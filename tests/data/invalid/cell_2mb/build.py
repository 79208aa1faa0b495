"""A 2 MB cell (built at test time: 2 MB does not belong in the repository)."""
import shutil


def build(case, out):
    shutil.copytree(case, out, ignore=shutil.ignore_patterns("*.txt", "*.py"))
    with open(out / "organizations.csv", "a", encoding="utf-8") as f:
        f.write("O4," + "长" * (1 << 21) + ",other\n")  # 2,097,152 characters
    return out
