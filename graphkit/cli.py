"""The ``graphkit`` command line (SPEC §6): a thin layer over the library; every command has --help.

Exit codes: 0 success, 2 invalid input (messages on stderr as FILE:ROW:COLUMN: message), 1 internal error.
``--format json`` prints JSON on stdout; ``--lang zh|en`` (default zh) sets the language of messages.
"""

from __future__ import annotations

import logging
import os
import sys
import threading
import time
from contextlib import contextmanager
from pathlib import Path

import click

from graphkit import __version__
from graphkit.errors import GraphkitError, InvalidDatasetError, UnknownIdError

__all__ = ["main", "cli"]

log = logging.getLogger("graphkit")


# ---- output ------------------------------------------------------------------------------------------------

def _dumps(obj) -> bytes:
    try:
        import orjson

        opts = orjson.OPT_NON_STR_KEYS | orjson.OPT_SERIALIZE_NUMPY
        if sys.stdout.isatty():
            opts |= orjson.OPT_INDENT_2
        return orjson.dumps(obj, option=opts, default=_default)
    except ImportError:  # pragma: no cover - orjson is a dependency; keep working without it
        import json

        return json.dumps(obj, ensure_ascii=False, default=_default).encode("utf-8")


def _default(o):
    if hasattr(o, "to_dict"):
        return o.to_dict()
    if isinstance(o, (set, frozenset, tuple)):
        return list(o)
    if hasattr(o, "item"):
        return o.item()
    raise TypeError(f"not JSON serialisable: {type(o).__name__}")


def _emit_json(obj) -> None:
    out = sys.stdout.buffer
    out.write(_dumps(obj))
    out.write(b"\n")
    out.flush()


def _emit_json_stream(batches) -> None:
    """A JSON list written batch by batch (each batch a list of items), byte-identical to :func:`_emit_json`'s
    compact output."""
    out = sys.stdout.buffer
    out.write(b"[")
    first = True
    for batch in batches:
        for item in batch:
            if not first:
                out.write(b",")
            out.write(_dumps_compact(item))
            first = False
    out.write(b"]\n")
    out.flush()


def _dumps_compact(obj) -> bytes:
    try:
        import orjson

        return orjson.dumps(obj, option=orjson.OPT_NON_STR_KEYS | orjson.OPT_SERIALIZE_NUMPY, default=_default)
    except ImportError:  # pragma: no cover
        import json

        return json.dumps(obj, ensure_ascii=False, default=_default, separators=(",", ":")).encode("utf-8")


def _summary(r) -> dict:
    return {"center_id": r.center_id, "field_id": r.field_id, "covered": r.covered, "total": r.total, "ratio": r.ratio}


def _echo(text: str = "") -> None:
    click.echo(text)


def _err(text: str) -> None:
    click.echo(text, err=True)


def _table(rows: list[list], header: list[str]) -> str:
    from graphkit.present.text import text_table

    return text_table(rows, header)


def _namer(engine, lang):
    from graphkit.present.evidence import EvidenceNamer

    return EvidenceNamer(engine, lang)


def _pad(text: str, width: int) -> str:
    """``text`` padded to ``width`` terminal columns (CJK characters take two)."""
    from wcwidth import wcswidth

    return text + " " * max(0, width - max(wcswidth(text), 0))


def _pct(x) -> str:
    from graphkit.present.text import percent

    return percent(x)


# ---- progress ----------------------------------------------------------------------------------------------

class _State:
    quiet = False
    lang = "zh"


@contextmanager
def _step(zh: str, en: str):
    """Announce a step on stderr if it takes more than a second (silenced by --quiet)."""
    if _State.quiet:
        yield
        return
    label = en if _State.lang == "en" else zh
    start = time.perf_counter()
    shown = threading.Event()

    def announce():
        shown.set()
        _err(f"… {label}")

    timer = threading.Timer(1.0, announce)
    timer.daemon = True
    timer.start()
    try:
        yield
    finally:
        timer.cancel()
        if shown.is_set():
            _err(f"✓ {label} ({time.perf_counter() - start:.1f} s)")


# ---- shared options ----------------------------------------------------------------------------------------

def _common(f):
    f = click.option("--quiet", "-q", is_flag=True, help="No progress messages on stderr. / 不在标准错误输出进度。")(f)
    f = click.option("--lang", type=click.Choice(["zh", "en"]), default="zh", show_default=True,
                     help="Language of messages. / 消息语言。")(f)
    f = click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True,
                     help="Output format; json prints JSON on stdout. / 输出格式。")(f)
    return f


def _server_options(f):
    f = click.option("--database", default=None, help="Neo4j database name (default: the server's default).")(f)
    f = click.option("--password-env", default=None, metavar="VAR",
                     help="Name of the environment variable holding the password (default NEO4J_PASSWORD).")(f)
    f = click.option("--user", default=None, help="Neo4j user (default: $NEO4J_USER, or no authentication).")(f)
    f = click.option("--neo4j", "neo4j_uri", default=None, metavar="URI",
                     help="Run the query on this Neo4j / Bolt server instead of DATA (bolt://…, neo4j://…, neo4j+s://…).")(f)
    f = click.option("--rules", "rules_file", type=click.Path(dir_okay=False), default=None,
                     help="Rules file (TOML); see `graphkit rules`.")(f)
    return f


def _setup(fmt, lang, quiet):
    _State.quiet = quiet
    _State.lang = lang
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")


def _credentials(user, password_env):
    user = user or os.environ.get("NEO4J_USER")
    var = password_env or "NEO4J_PASSWORD"
    password = os.environ.get(var)
    if password_env and password is None:
        raise click.UsageError(f"environment variable {password_env} is not set")
    return user, password


def _is_server_uri(data: str | None) -> bool:
    return bool(data) and str(data).split("://", 1)[0] in ("bolt", "neo4j", "bolt+s", "neo4j+s", "bolt+ssc", "neo4j+ssc")


def _load(data, lang):
    from graphkit.io.load import load_dataset

    if data is None:
        raise click.UsageError("DATA is required (a folder, .xlsx, .zip, .ttl or .jsonld) unless --neo4j is given")
    if _is_server_uri(data):
        from graphkit.neo4j.engine import pull

        with _step("从服务器读取图", "pulling the graph from the server"):
            return pull(data, *_credentials(None, None))
    with _step(f"加载 {data}", f"loading {data}"):
        return load_dataset(data, lang=lang)


def _engine(data, neo4j_uri, user, password_env, database, lang):
    from graphkit.engine import EmbeddedEngine, open_engine

    if neo4j_uri:
        u, p = _credentials(user, password_env)
        return open_engine(neo4j=neo4j_uri, user=u, password=p, database=database)
    return EmbeddedEngine(_load(data, lang))


def _rules(rules_file):
    from graphkit.rules.thresholds import load_rules

    return load_rules(rules_file)


# ---- the group ---------------------------------------------------------------------------------------------

class _Group(click.Group):
    """Turns every graphkit error into a clear message and exit code, never a traceback."""

    def invoke(self, ctx):
        try:
            return super().invoke(ctx)
        except InvalidDatasetError as exc:
            for line in exc.problems.format_errors(_State.lang):
                _err(line)
            for line in exc.problems.format_warnings(_State.lang):
                _err(("警告 " if _State.lang == "zh" else "warning ") + line)
            sys.exit(2)
        except UnknownIdError as exc:
            _err(f"graphkit: {exc.message(_State.lang)}")
            sys.exit(exc.exit_code)
        except GraphkitError as exc:
            _err(f"graphkit: {exc}")
            sys.exit(exc.exit_code)
        except (click.exceptions.Exit, click.ClickException, click.Abort, SystemExit):
            raise
        except KeyboardInterrupt:
            _err("graphkit: interrupted")
            sys.exit(130)
        except BrokenPipeError:
            sys.exit(0)
        except OSError as exc:  # a file the user named cannot be written or read: theirs to fix, not a bug
            if os.environ.get("GRAPHKIT_DEBUG"):
                raise
            where = f" {exc.filename}" if exc.filename else ""
            _err(f"graphkit: cannot access{where}: {exc.strerror or exc}")
            sys.exit(1)
        except Exception as exc:  # the last line of defence: a message, never a traceback
            if os.environ.get("GRAPHKIT_DEBUG"):
                raise
            _err(f"graphkit: internal error: {type(exc).__name__}: {exc}")
            _err("graphkit: set GRAPHKIT_DEBUG=1 to see the traceback, and please report it.")
            sys.exit(1)


@click.group(cls=_Group, context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 110})
@click.version_option(__version__, prog_name="graphkit")
def cli():
    """graphkit — manufacturing innovation centers: the 12 upgrade conditions, coverage, reach and gaps.

    制造业创新中心知识图谱：升级条件核查、国家级平台覆盖率、合作触达与领域空白。

    DATA is a folder of CSV files, an .xlsx workbook, a .zip of CSVs, a .ttl / .jsonld file, or a
    bolt:// / neo4j:// URI to read from a server.
    """


# ---- validate ----------------------------------------------------------------------------------------------

_WARNINGS_SHOWN = 3  # per kind, without --all


def _grouped_warnings(warnings, lang: str, show_all: bool) -> list[str]:
    """Warnings grouped by kind (most frequent first) with their count; the first few of each, or all."""
    groups: dict[str, list] = {}
    for w in warnings:
        groups.setdefault(w.code, []).append(w)
    lines = []
    for code, items in sorted(groups.items(), key=lambda kv: (-len(kv[1]), kv[0])):
        lines.append(f"警告 {len(items):,} 处：{items[0].message(lang)}" if lang == "zh"
                     else f"warning ×{len(items):,}: {items[0].message(lang)}")
        shown = items if show_all else items[:_WARNINGS_SHOWN]
        lines += [f"  {w.format(lang)}" for w in shown]
        if len(items) > len(shown):
            more = len(items) - len(shown)
            lines.append(f"  … 另有 {more:,} 处（--all 显示全部）" if lang == "zh" else f"  … {more:,} more (--all shows every one)")
    return lines


@cli.command()
@click.argument("data")
@click.option("--all", "show_all", is_flag=True, help="Print every warning (default: the first few of each kind, with counts).")
@_common
def validate(data, show_all, fmt, lang, quiet):
    """Validate DATA against the data contract; every problem at once. / 校验数据集。

    Exit 0 when valid (warnings allowed), 2 when there are errors. Warnings are grouped by kind with counts;
    --all prints each one (the JSON always holds all of them).
    """
    from graphkit.io.load import validate_dataset

    _setup(fmt, lang, quiet)
    if _is_server_uri(data):
        ds = _load(data, lang)
        from graphkit.model.dataset import ValidationReport

        report = ValidationReport(ds.problems, ds.counts(), ds)
    else:
        with _step(f"校验 {data}", f"validating {data}"):
            report = validate_dataset(data)
    if fmt == "json":
        _emit_json(report.to_dict(lang))
    else:
        for line in report.problems.format_errors(lang):
            _err(line)
        for line in _grouped_warnings(report.problems.warnings, lang, show_all):
            _err(line)
        from graphkit.model.i18n import term

        counts = ("，" if lang == "zh" else ", ").join(f"{term(k, lang)} {v:,}" for k, v in report.counts.items())
        if report.ok:
            _echo(("数据集有效：" if lang == "zh" else "valid: ") + counts)
        else:
            n = len(report.problems.errors)
            _echo((f"数据集无效：{n} 处错误" if lang == "zh" else f"invalid: {n} error(s)"))
    sys.exit(0 if report.ok else 2)


# ---- coverage ----------------------------------------------------------------------------------------------

_as_of_option = click.option("--as-of", default=None, metavar="DATE",
                             help="Evaluation date YYYY-MM-DD: the dataset as it stood then (default: today, or the rules' as_of).")


def _as_of(value):
    from graphkit.rules.thresholds import parse_as_of

    return parse_as_of(value) if value else None


@cli.command()
@click.argument("data", required=False)
@click.option("--center", default=None, help="Only this center.")
@click.option("--field", default=None, help="Coverage in this field (instead of each center's own field).")
@click.option("--all-fields", is_flag=True, help="Coverage of every center in every field (the full matrix).")
@click.option("--summary", is_flag=True,
              help="Only center_id, field_id, covered, total and ratio (no id lists): for very large matrices.")
@_as_of_option
@_server_options
@_common
def coverage(data, center, field, all_fields, summary, as_of, rules_file, neo4j_uri, user, password_env, database, fmt, lang, quiet):
    """Coverage of each alliance of its field's national-level platforms. / 联盟对本领域国家级平台的覆盖率。"""
    _setup(fmt, lang, quiet)
    if field and all_fields:
        raise click.UsageError("--field and --all-fields cannot be combined")
    rules = _rules(rules_file)
    date = _as_of(as_of)
    engine = _engine(data, neo4j_uri, user, password_env, database, lang)
    streaming = getattr(engine, "iter_coverage", None)
    if fmt == "json" and streaming is not None:
        # one center at a time: the full matrix at 100× scale never has to fit in memory
        batches = streaming(center, field, all_fields=all_fields, rules=rules, with_ids=not summary, as_of=date)
        _emit_json_stream(([_summary(r) if summary else r.to_dict() for r in batch] for batch in batches))
        return
    with _step("计算覆盖率", "computing coverage"):
        results = engine.coverage(center, field, all_fields=all_fields, rules=rules, as_of=date)
    if fmt == "json":
        _emit_json([_summary(r) if summary else r.to_dict() for r in results])
        return
    namer = _namer(engine, lang)
    rows = [[r.center_id, namer.name(r.center_id), r.field_id, namer.name(r.field_id), r.covered, r.total, _pct(r.ratio),
             "、".join(namer.name(p) for p in r.uncovered_platform_ids[:3]) + (" …" if len(r.uncovered_platform_ids) > 3 else "")]
            for r in results]
    head = ["中心", "名称", "领域", "领域名称", "覆盖", "总数", "覆盖率", "未覆盖（前 3 个）"] if lang == "zh" else \
        ["center", "name", "field", "field name", "covered", "total", "ratio", "uncovered (first 3)"]
    _echo(_table(rows, head))


# ---- check -------------------------------------------------------------------------------------------------

_STATUS_ZH = {"met": "符合", "not_met": "不符合", "insufficient_data": "数据不足", "needs_review": "待评审"}


@cli.command("check")
@click.argument("data", required=False)
@click.option("--center", default=None, help="Only this center.")
@click.option("--as-of", default=None, metavar="DATE", help="Evaluation date YYYY-MM-DD (default: today, or the rules' as_of).")
@_server_options
@_common
def check_cmd(data, center, as_of, rules_file, neo4j_uri, user, password_env, database, fmt, lang, quiet):
    """Evaluate the 12 conditions (21 checks) of 工信厅科〔2017〕64号. / 核查升级条件。"""
    from graphkit.rules.thresholds import parse_as_of

    _setup(fmt, lang, quiet)
    rules = _rules(rules_file)
    date = parse_as_of(as_of) if as_of else None
    engine = _engine(data, neo4j_uri, user, password_env, database, lang)
    with _step("核查条件", "evaluating the checks"):
        results = engine.check(center, as_of=date, rules=rules)
    from graphkit.present.evidence import EvidenceNamer, checks_to_json, named

    if fmt == "json":
        _emit_json(checks_to_json(engine, results, lang))
        return
    namer = EvidenceNamer(engine, lang)  # names are looked up only for what is printed, once per id
    for r in results:
        flag = ("符合升级条件" if r.eligible else "不符合升级条件") if lang == "zh" else ("eligible" if r.eligible else "not eligible")
        who = named(namer.name(r.center_id), r.center_id, lang)
        _echo(f"{who}：{flag}（评价日期 {r.as_of}）" if lang == "zh" else f"{who}: {flag} (as of {r.as_of})")
        for c in r.checks:
            status = _STATUS_ZH[c.status] if lang == "zh" else c.status
            _echo(f"  {c.id:>4}  {_pad(status, 10)} {c.message(lang)}")
            shown = [] if c.evidence == [r.center_id] else c.evidence  # the center itself says nothing new
            for e in shown[:5]:
                _echo(f"{'':8}{'证据：' if lang == 'zh' else 'evidence: '}{namer.detail(e)['name']}")
            if len(shown) > 5:
                _echo(f"{'':8}… {len(shown) - 5}" + (" 项" if lang == "zh" else " more"))


# ---- reach -------------------------------------------------------------------------------------------------

@cli.command()
@click.argument("data", required=False)
@click.option("--center", required=True, help="The center.")
@click.option("--hops", type=click.IntRange(0, 10), default=None, help="Hops (default 2, or the rules' reach_hops).")
@_as_of_option
@_server_options
@_common
def reach(data, center, hops, as_of, rules_file, neo4j_uri, user, password_env, database, fmt, lang, quiet):
    """Organisations reached within k hops beyond the center's own alliance. / 合作触达。"""
    _setup(fmt, lang, quiet)
    rules = _rules(rules_file)
    engine = _engine(data, neo4j_uri, user, password_env, database, lang)
    with _step("计算合作触达", "computing reach"):
        r = engine.reach(center, hops, rules=rules, as_of=_as_of(as_of))
    if fmt == "json":
        _emit_json(r.to_dict())
        return
    from graphkit.model.i18n import term
    from graphkit.present.evidence import named
    from graphkit.present.text import number

    who = named(_namer(engine, lang).name(r.center_id), r.center_id, lang)
    if lang == "zh":
        _echo(f"{who}：{r.hops} 跳内触达 {number(r.reached)} 家机构，其中国外 {number(r.foreign)} 家")
    else:
        _echo(f"{who}: {number(r.reached)} organisations within {r.hops} hops, {number(r.foreign)} foreign")
    sep = "，" if lang == "zh" else ", "
    _echo("  " + sep.join(f"{term(k, lang)} {number(v)}" for k, v in r.by_kind.items()))
    _echo("  " + sep.join(f"{k or '-'} {number(v)}" for k, v in r.countries.items()))


# ---- gaps --------------------------------------------------------------------------------------------------

@cli.command()
@click.argument("data", required=False)
@click.option("--field", default=None, help="Only this field.")
@_as_of_option
@_server_options
@_common
def gaps(data, field, as_of, rules_file, neo4j_uri, user, password_env, database, fmt, lang, quiet):
    """Gaps across the fields: no center, platforms no center reaches. / 领域空白。"""
    _setup(fmt, lang, quiet)
    rules = _rules(rules_file)
    engine = _engine(data, neo4j_uri, user, password_env, database, lang)
    with _step("计算领域空白", "computing gaps"):
        results = engine.gaps(field, rules=rules, as_of=_as_of(as_of))
    if fmt == "json":
        _emit_json([g.to_dict() for g in results])
        return
    namer = _namer(engine, lang)
    best = lambda g: f"{namer.name(g.best_center_id)}（{g.best_center_id}）" if lang == "zh" else f"{namer.name(g.best_center_id)} ({g.best_center_id})"  # noqa: E731
    rows = [[g.field_id, g.name_zh if lang == "zh" else (g.name_en or g.name_zh), g.platforms, g.centers,
             best(g) if g.best_center_id else None, _pct(g.best_ratio), _pct(g.union_ratio), len(g.unreached_platform_ids)] for g in results]
    head = ["领域", "名称", "平台", "中心", "最佳中心", "最佳覆盖率", "合计覆盖率", "无人覆盖"] if lang == "zh" else \
        ["field", "name", "platforms", "centers", "best center", "best", "union", "unreached"]
    _echo(_table(rows, head))


# ---- recruit -----------------------------------------------------------------------------------------------

@cli.command()
@click.argument("data", required=False)
@click.option("--center", required=True, help="The center.")
@click.option("--field", default=None, help="Recruit for this field (default: the center's own).")
@_as_of_option
@_server_options
@_common
def recruit(data, center, field, as_of, rules_file, neo4j_uri, user, password_env, database, fmt, lang, quiet):
    """The fewest organisations to recruit to reach the coverage threshold. / 招募建议。"""
    _setup(fmt, lang, quiet)
    rules = _rules(rules_file)
    engine = _engine(data, neo4j_uri, user, password_env, database, lang)
    with _step("计算招募建议", "planning recruitment"):
        r = engine.recruit(center, field=field, rules=rules, as_of=_as_of(as_of))
    if fmt == "json":
        _emit_json(r.to_dict())
        return
    proof = {True: "已证明最少" if lang == "zh" else "proven minimal", False: "非最少" if lang == "zh" else "not minimal",
             None: "未证明最少" if lang == "zh" else "minimality not proven"}[r.minimal]
    from graphkit.present.evidence import named

    namer = _namer(engine, lang)
    sep = "：" if lang == "zh" else ": "
    _echo(f"{named(namer.name(r.center_id), r.center_id, lang)} {named(namer.name(r.field_id), r.field_id, lang)}{sep}"
          f"{_pct(r.ratio_before)} → {_pct(r.ratio_after)} ({proof})")
    for oid in r.orgs:
        plats = ("、" if lang == "zh" else ", ").join(named(namer.name(p), p, lang) for p in r.newly_reached.get(oid, []))
        _echo(f"  + {named(namer.name(oid), oid, lang)}{sep}{plats}")


# ---- claims ------------------------------------------------------------------------------------------------

@cli.command("claims")
@click.argument("data", required=False)
@click.option("--center", default=None, help="Only this center.")
@_as_of_option
@_server_options
@_common
def claims_cmd(data, center, as_of, rules_file, neo4j_uri, user, password_env, database, fmt, lang, quiet):
    """Check an application's claims against the computed values. / 核查申报声明。"""
    _setup(fmt, lang, quiet)
    rules = _rules(rules_file)
    engine = _engine(data, neo4j_uri, user, password_env, database, lang)
    results = engine.claims(center, rules=rules, as_of=_as_of(as_of))
    if fmt == "json":
        _emit_json([v.to_dict() for v in results])
        return
    for v in results:
        _echo(f"{v.center_id} {v.claim} [{v.field_id}]: {v.claimed} vs {v.computed} → {v.verdict}")
        for e in v.entries:
            tail = f"  ({'; '.join(e.suggestions)})" if e.suggestions else ""
            _echo(f"    {e.entry}: {e.verdict}{tail}")


# ---- report ------------------------------------------------------------------------------------------------

@cli.command()
@click.argument("data", required=False)
@click.option("--center", required=True, help="The center.")
@click.option("-o", "--output", required=True, type=click.Path(dir_okay=False), help="Report file: .html or .md.")
@click.option("--as-of", default=None, metavar="DATE", help="Evaluation date YYYY-MM-DD.")
@_server_options
@_common
def report(data, center, output, as_of, rules_file, neo4j_uri, user, password_env, database, fmt, lang, quiet):
    """Write a review report for one center (.html or .md by suffix). / 生成评审报告。"""
    from graphkit.present.report import write_report
    from graphkit.rules.thresholds import parse_as_of

    _setup(fmt, lang, quiet)
    suffix = Path(output).suffix.lower()
    if suffix not in (".html", ".htm", ".md", ".markdown"):
        raise click.UsageError("the report file must end in .html or .md")
    rules = _rules(rules_file)
    engine = _engine(data, neo4j_uri, user, password_env, database, lang)
    with _step("生成报告", "writing the report"):
        path = write_report(engine, center, output, lang=lang, rules=rules, as_of=parse_as_of(as_of) if as_of else None)
    if fmt == "json":
        _emit_json({"center_id": center, "output": str(path)})
    else:
        _echo(str(path))


# ---- export ------------------------------------------------------------------------------------------------

@cli.command()
@click.argument("data")
@click.option("--to", "to", required=True, type=click.Choice(["turtle", "jsonld", "graphml", "gexf", "csv", "xlsx"]),
              help="Format: turtle, jsonld, graphml, gexf, csv (a folder) or xlsx.")
@click.option("-o", "--output", required=True, type=click.Path(), help="Output file (or folder for csv).")
@_common
def export(data, to, output, fmt, lang, quiet):
    """Write the dataset as Turtle, JSON-LD, GraphML, GEXF, CSV or XLSX. / 导出数据集。"""
    from graphkit.io.export import export_dataset

    _setup(fmt, lang, quiet)
    ds = _load(data, lang)
    with _step(f"导出 {to}", f"exporting {to}"):
        path = export_dataset(ds, to, output)
    if fmt == "json":
        _emit_json({"format": to, "output": str(path)})
    else:
        _echo(str(path))


# ---- neo4j -------------------------------------------------------------------------------------------------

@cli.group("neo4j")
def neo4j_group():
    """Push the graph to Neo4j (or any Bolt server) and pull it back. / 推送到 Neo4j。"""


@neo4j_group.command("push")
@click.argument("data")
@click.option("--uri", required=True, help="Bolt URI, e.g. bolt://localhost:7687 or neo4j+s://xxxx.databases.neo4j.io.")
@click.option("--user", default=None, help="User (default: $NEO4J_USER, or no authentication).")
@click.option("--password-env", default=None, metavar="VAR", help="Environment variable with the password (default NEO4J_PASSWORD).")
@click.option("--database", default=None, help="Database name.")
@_common
def neo4j_push(data, uri, user, password_env, database, fmt, lang, quiet):
    """Push DATA to the server idempotently (UNWIND + MERGE, batched). / 幂等推送。"""
    from graphkit.neo4j.engine import push

    _setup(fmt, lang, quiet)
    ds = _load(data, lang)
    u, p = _credentials(user, password_env)
    progress = None if quiet else (lambda message, done, total: _err(message))
    stats = push(ds, uri, user=u, password=p, database=database, progress=progress)
    if fmt == "json":
        _emit_json(stats)
    else:
        _echo(", ".join(f"{k} {v}" for k, v in stats.items()))


@neo4j_group.command("pull")
@click.option("--uri", required=True, help="Bolt URI.")
@click.option("--user", default=None, help="User.")
@click.option("--password-env", default=None, metavar="VAR", help="Environment variable with the password.")
@click.option("--database", default=None, help="Database name.")
@click.option("-o", "--output", required=True, type=click.Path(file_okay=False), help="Folder to write the CSV dataset to.")
@_common
def neo4j_pull(uri, user, password_env, database, output, fmt, lang, quiet):
    """Read the graph back from the server and write it as a CSV dataset. / 从服务器读回。"""
    from graphkit.io.export import export_dataset
    from graphkit.neo4j.engine import pull

    _setup(fmt, lang, quiet)
    u, p = _credentials(user, password_env)
    ds = pull(uri, u, p, database=database)
    path = export_dataset(ds, "csv", output)
    if fmt == "json":
        _emit_json({"output": str(path), "counts": ds.counts()})
    else:
        _echo(str(path))


# ---- generate ----------------------------------------------------------------------------------------------

@cli.command()
@click.option("--scale", type=click.Choice(["S", "M", "L", "s", "m", "l"]), default="S", show_default=True,
              help="S ≈ today's real scale (40 centers, 5,000 organisations, 1,600 platforms); M = 10×; L = 100×.")
@click.option("--seed", type=int, default=1, show_default=True, help="Random seed (same seed, same dataset).")
@click.option("-o", "--output", required=True, type=click.Path(file_okay=False), help="Folder to write the CSV files to.")
@_common
def generate(scale, seed, output, fmt, lang, quiet):
    """Write a synthetic dataset (every row marked source = synthetic). / 生成合成数据集。"""
    from graphkit.data.synthetic import generate as gen

    _setup(fmt, lang, quiet)
    with _step(f"生成 {scale.upper()} 规模数据", f"generating scale {scale.upper()}"):
        counts = gen(scale.upper(), seed=seed, out=output)
    if fmt == "json":
        _emit_json({"output": str(output), "counts": counts})
    else:
        _echo(f"{output}: " + ", ".join(f"{k} {v}" for k, v in counts.items()))


# ---- rules and template ------------------------------------------------------------------------------------

@cli.command("rules")
def rules_cmd():
    """Print the default rules file (thresholds of the notice, documented). / 输出默认规则文件。"""
    from graphkit.rules.thresholds import default_rules_text

    click.echo(default_rules_text(), nl=False)


@cli.command()
@click.option("-o", "--output", required=True, type=click.Path(dir_okay=False), help="Where to write the .xlsx template.")
def template(output):
    """Write the empty application workbook (one sheet per table, and a sheet explaining every column). / 生成填报模板。"""
    from graphkit.io.template import write_template

    click.echo(str(write_template(output)))


def main(argv=None):
    """Console-script entry point."""
    return cli.main(args=argv, prog_name="graphkit")


if __name__ == "__main__":  # pragma: no cover
    main()
