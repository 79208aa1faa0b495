"""A ragged row whose cells are 200,000 characters long (over the csv module's default field limit of 131,072):
the row is reported as ragged, and the long cells are not mistaken for malformed CSV."""
import shutil


def build(case, out):
    shutil.copytree(case, out, ignore=shutil.ignore_patterns("*.txt", "*.py"))
    with open(out / "organizations.csv", "a", encoding="utf-8") as f:
        f.write("O4," + "长" * 200_000 + ",other," + "x" * 200_000 + "\n")
    return out
