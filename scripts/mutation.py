#!/usr/bin/env python
"""Mutation testing of the rules: mutate one operator at a time in the checks, facts, queries and validation, run
the fast tests that cover that module, and report the score per module and every surviving mutant.

Usage (from the repository root, with the project's Python):

    python scripts/mutation.py                      # every module, every mutant (long: see --max)
    python scripts/mutation.py --max 40 --jobs 2    # at most 40 mutants per module (a fixed-seed sample)
    python scripts/mutation.py --module graphkit/checks/conditions.py

Each worker runs in its own copy of the package (a temporary folder whose other entries link back here), so the
checkout is never modified. A mutant is *killed* when its tests fail (or time out), *survives* when they pass.
Mutation operators: comparison flips (< ↔ <=, > ↔ >=, == ↔ !=, in ↔ not in, is ↔ is not), and ↔ or, dropping
``not``, + ↔ -, * ↔ /, an integer constant n → n + 1, True ↔ False. Lines marked ``# pragma: no mutate`` and
docstrings are left alone.
"""

from __future__ import annotations

import argparse
import ast
import os
import random
import shutil
import subprocess
import sys
import tempfile
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

#: module → the fast tests that should see its mutants
MODULES = {
    "graphkit/checks/conditions.py": ["tests/checks", "tests/present/test_evidence.py"],
    "graphkit/checks/facts.py": ["tests/checks"],
    "graphkit/queries/asof.py": ["tests/queries/test_asof.py", "tests/checks", "tests/queries/test_coverage.py"],
    "graphkit/queries/coverage.py": ["tests/queries", "tests/checks"],
    "graphkit/queries/reach.py": ["tests/queries/test_reach.py"],
    "graphkit/queries/gaps.py": ["tests/queries"],
    "graphkit/queries/recruit.py": ["tests/queries"],
    "graphkit/queries/claims.py": ["tests/queries/test_claims.py"],
    "graphkit/model/validate.py": ["tests/model/test_validate.py", "tests/test_cli.py"],
}

_FLIPS = {ast.Lt: ast.LtE, ast.LtE: ast.Lt, ast.Gt: ast.GtE, ast.GtE: ast.Gt, ast.Eq: ast.NotEq, ast.NotEq: ast.Eq,
          ast.In: ast.NotIn, ast.NotIn: ast.In, ast.Is: ast.IsNot, ast.IsNot: ast.Is}
_BINOPS = {ast.Add: ast.Sub, ast.Sub: ast.Add, ast.Mult: ast.Div, ast.Div: ast.Mult}


@dataclass
class Mutant:
    module: str
    index: int
    line: int
    what: str
    status: str = ""


def _docstrings(tree) -> set[int]:
    ids = set()
    for node in ast.walk(tree):
        if isinstance(node, (ast.Module, ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)) and node.body:
            first = node.body[0]
            if isinstance(first, ast.Expr) and isinstance(first.value, ast.Constant) and isinstance(first.value.value, str):
                ids.add(id(first.value))
    return ids


def _points(tree, source_lines: list[str]):
    """Every (node, slot, description) that can be mutated, in a stable order."""
    skip = _docstrings(tree)
    fstring_parts = {id(v) for n in ast.walk(tree) if isinstance(n, ast.JoinedStr) for v in ast.walk(n)}
    out = []
    for node in ast.walk(tree):
        line = getattr(node, "lineno", None)
        if line and "pragma: no mutate" in source_lines[line - 1]:
            continue
        if id(node) in fstring_parts or id(node) in skip:
            continue
        if isinstance(node, ast.Compare):
            for i, op in enumerate(node.ops):
                if type(op) in _FLIPS:
                    out.append((node, ("cmp", i), f"{type(op).__name__} → {_FLIPS[type(op)].__name__}"))
        elif isinstance(node, ast.BoolOp):
            out.append((node, ("bool",), f"{type(node.op).__name__} → {'Or' if isinstance(node.op, ast.And) else 'And'}"))
        elif isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.Not):
            out.append((node, ("not",), "drop not"))
        elif isinstance(node, ast.BinOp) and type(node.op) in _BINOPS:
            out.append((node, ("bin",), f"{type(node.op).__name__} → {_BINOPS[type(node.op)].__name__}"))
        elif isinstance(node, ast.Constant) and type(node.value) is bool:
            out.append((node, ("bool_const",), f"{node.value} → {not node.value}"))
        elif isinstance(node, ast.Constant) and type(node.value) is int:
            out.append((node, ("int",), f"{node.value} → {node.value + 1}"))
    return out


class _Apply(ast.NodeTransformer):
    def __init__(self, target, slot):
        self.target, self.slot = target, slot

    def generic_visit(self, node):
        node = super().generic_visit(node)
        if node is not self.target:
            return node
        kind = self.slot[0]
        if kind == "cmp":
            node.ops[self.slot[1]] = _FLIPS[type(node.ops[self.slot[1]])]()
        elif kind == "bool":
            node.op = ast.Or() if isinstance(node.op, ast.And) else ast.And()
        elif kind == "not":
            return node.operand
        elif kind == "bin":
            node.op = _BINOPS[type(node.op)]()
        elif kind == "bool_const":
            return ast.copy_location(ast.Constant(not node.value), node)
        elif kind == "int":
            return ast.copy_location(ast.Constant(node.value + 1), node)
        return node


def mutants_of(module: str) -> list[Mutant]:
    source = (ROOT / module).read_text(encoding="utf-8")
    tree = ast.parse(source)
    return [Mutant(module, i, getattr(n, "lineno", 0), what) for i, (n, _, what) in enumerate(_points(tree, source.splitlines()))]


def mutated_source(module: str, index: int) -> str:
    source = (ROOT / module).read_text(encoding="utf-8")
    tree = ast.parse(source)
    node, slot, _ = _points(tree, source.splitlines())[index]
    return ast.unparse(ast.fix_missing_locations(_Apply(node, slot).visit(tree)))


def _workspace() -> Path:
    """A folder whose entries link to the checkout's, except a real copy of the package."""
    ws = Path(tempfile.mkdtemp(prefix="graphkit-mutation-"))
    for entry in ROOT.iterdir():
        if entry.name in ("graphkit", ".git") or entry.name.startswith("."):
            continue
        (ws / entry.name).symlink_to(entry)
    shutil.copytree(ROOT / "graphkit", ws / "graphkit", ignore=shutil.ignore_patterns("__pycache__"))
    return ws


def _run(ws: Path, mutant: Mutant, timeout: float) -> str:
    target = ws / mutant.module
    original = (ROOT / mutant.module).read_text(encoding="utf-8")
    target.write_text(mutated_source(mutant.module, mutant.index), encoding="utf-8")
    try:
        cmd = [sys.executable, "-m", "pytest", "-q", "-x", "-p", "no:cacheprovider", "-p", "no:randomly",
               "--no-header", "-o", "addopts=", "-m", "not bolt and not browser and not slow", *MODULES[mutant.module]]
        env = dict(os.environ, PYTHONPATH=str(ws), PYTHONDONTWRITEBYTECODE="1", HYPOTHESIS_PROFILE="ci")
        try:
            r = subprocess.run(cmd, cwd=ws, env=env, capture_output=True, timeout=timeout)
        except subprocess.TimeoutExpired:
            return "killed (timeout)"
        return "survived" if r.returncode == 0 else ("killed" if r.returncode == 1 else f"error ({r.returncode})")
    finally:
        target.write_text(original, encoding="utf-8")


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--module", action="append", help="only this module (repeatable); default: all of MODULES")
    ap.add_argument("--max", type=int, default=0, help="at most this many mutants per module (a fixed-seed sample)")
    ap.add_argument("--jobs", type=int, default=2)
    ap.add_argument("--timeout", type=float, default=180.0)
    ap.add_argument("--seed", type=int, default=64)
    ap.add_argument("--mutant", action="append", metavar="MODULE#INDEX",
                    help="only this mutant (as printed, e.g. graphkit/checks/facts.py#12); repeatable")
    args = ap.parse_args(argv)
    modules = args.module or list(MODULES)
    todo: list[Mutant] = []
    if args.mutant:
        picked = [(m, int(i)) for m, _, i in (x.partition("#") for x in args.mutant)]
        modules = list(dict.fromkeys(m for m, _ in picked))
        for m, i in picked:
            todo.append(mutants_of(m)[i])
    for m in ([] if args.mutant else modules):
        found = mutants_of(m)
        if args.max and len(found) > args.max:
            found = sorted(random.Random(f"{args.seed}:{m}").sample(found, args.max), key=lambda x: x.index)
        todo += found
    workspaces = [_workspace() for _ in range(max(1, args.jobs))]
    try:
        def work(pair):
            n, mutant = pair
            mutant.status = _run(workspaces[n % len(workspaces)], mutant, args.timeout)
            print(f"[{n + 1}/{len(todo)}] {mutant.module}#{mutant.index} (line {mutant.line}): {mutant.what}: {mutant.status}",
                  file=sys.stderr, flush=True)
            return mutant

        # one mutant per workspace at a time: split the list into interleaved lanes
        lanes = [[(i, m) for i, m in enumerate(todo) if i % len(workspaces) == w] for w in range(len(workspaces))]
        with ThreadPoolExecutor(len(workspaces)) as pool:
            list(pool.map(lambda lane: [work(p) for p in lane], lanes))
    finally:
        for ws in workspaces:
            shutil.rmtree(ws, ignore_errors=True)
    print(f"{'module':40} {'mutants':>8} {'killed':>7} {'score':>7}")
    worst = 100.0
    for m in modules:
        mine = [x for x in todo if x.module == m]
        killed = sum(1 for x in mine if x.status.startswith("killed"))
        score = 100.0 * killed / len(mine) if mine else 100.0
        worst = min(worst, score)
        print(f"{m:40} {len(mine):8} {killed:7} {score:6.1f}%")
    survivors = [x for x in todo if not x.status.startswith("killed")]
    if survivors:
        print("\nsurvivors:")
        for x in survivors:
            print(f"  {x.module}#{x.index} (line {x.line}): {x.what} [{x.status}]")
    return 0 if not survivors else 3


if __name__ == "__main__":
    sys.exit(main())
