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
from graphkit.errors import GraphkitError, InvalidDatasetError, UnknownIdError, redact

__all__ = ["cli", "main"]

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
    # every line on stderr is scrubbed: no URI's user:password@, no password read from the environment
    click.echo(redact(text, *_State.secrets), err=True)


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
    cache = None  # None: the snapshot setting decides; False: --no-cache
    secrets: tuple = ()


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


def _no_cache(ctx, param, value):
    if value:
        _State.cache = False


def _cache_option(f):
    return click.option("--no-cache", is_flag=True, expose_value=False, callback=_no_cache, is_eager=True,
                        help="Validate DATA again: neither open nor keep its snapshot (or set GRAPHKIT_SNAPSHOT=0). "
                             "/ 不使用校验快照。")(f)


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
    for handler in logging.getLogger().handlers:
        if not any(isinstance(f, _Scrub) for f in handler.filters):
            handler.addFilter(_Scrub())


class _Scrub(logging.Filter):
    """Log lines on stderr are scrubbed like every other line (see :func:`_err`)."""

    def filter(self, record: logging.LogRecord) -> bool:
        record.msg, record.args = redact(record.getMessage(), *_State.secrets), None
        return True


def _credentials(user, password_env):
    user = user or os.environ.get("NEO4J_USER")
    var = password_env or "NEO4J_PASSWORD"
    password = os.environ.get(var)
    if password_env and password is None:
        raise click.UsageError(f"environment variable {password_env} is not set")
    _State.secrets = (password,)
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
        return load_dataset(data, lang=lang, cache=_State.cache)


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
        _State.cache = None  # --no-cache of an earlier call in this process (tests) does not carry over
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
            sys.exit(2)  # a path the user named (missing, unreadable, unwritable): bad input, not a bug
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
@_cache_option
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
            report = validate_dataset(data, cache=_State.cache)
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
            _echo(f"数据集无效：{n} 处错误" if lang == "zh" else f"invalid: {n} error(s)")
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
@_cache_option
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
        if summary and streaming is not None:  # the counts alone: no id lists to build
            batches = streaming(center, field, all_fields=all_fields, rules=rules, with_ids=False, as_of=date)
            results = [r for batch in batches for r in batch]
        else:
            results = engine.coverage(center, field, all_fields=all_fields, rules=rules, as_of=date)
    if fmt == "json":
        _emit_json([_summary(r) if summary else r.to_dict() for r in results])
        return
    namer = _namer(engine, lang)
    if summary:
        head = ["中心", "名称", "领域", "覆盖", "总数", "覆盖率"] if lang == "zh" else ["center", "name", "field", "covered", "total", "ratio"]
        _echo(_table([[r.center_id, namer.name(r.center_id), r.field_id, r.covered, r.total, _pct(r.ratio)] for r in results], head))
        return
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
@_cache_option
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
@_cache_option
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
@_cache_option
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
@_cache_option
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
@click.option("--application", "application", type=click.Path(dir_okay=False, exists=True), default=None,
              help="An application workbook by names (SPEC §11): run the intake in memory and check its claims.")
@click.option("--decisions", type=click.Path(dir_okay=False, exists=True), default=None,
              help="With --application: a decisions CSV (sheet,row,name,id) settling ambiguous names.")
@_as_of_option
@_server_options
@_cache_option
@_common
def claims_cmd(data, center, application, decisions, as_of, rules_file, neo4j_uri, user, password_env, database, fmt, lang,
               quiet):
    """Check an application's claims against the computed values. / 核查申报声明。"""
    _setup(fmt, lang, quiet)
    rules = _rules(rules_file)
    if application:
        from graphkit.engine import application_claims

        result = _intake(data, application, decisions, rules, lang)
        results = application_claims(result, rules=rules, as_of=_as_of(as_of))
    else:
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


# ---- intake ------------------------------------------------------------------------------------------------

def _intake(data, application, decisions, rules, lang, fmt="text"):
    """Run the intake; on any error print every problem (and the JSON with --format json) and exit 2."""
    from graphkit.io.intake import intake

    if data is None or _is_server_uri(data):
        raise click.UsageError("DATA must be a dataset file or folder for an application intake")
    with _step(f"核对申报书 {Path(application).name}", f"resolving {Path(application).name}"):
        result = intake(data, application, decisions=decisions, accept=rules.fuzzy_accept)
    if not result.ok:
        if fmt == "json":
            _emit_json(result.to_dict(lang))
        for line in result.problems.format_errors(lang):
            _err(line)
        for line in result.problems.format_warnings(lang):
            _err(("警告 " if lang == "zh" else "warning ") + line)
        sys.exit(2)
    return result


@cli.command("intake")
@click.argument("data")
@click.argument("application", type=click.Path(dir_okay=False, exists=True))
@click.option("-o", "--output", required=True, type=click.Path(file_okay=False),
              help="Folder to write the merged dataset (CSVs) and resolution.csv / resolution.xlsx to.")
@click.option("--decisions", type=click.Path(dir_okay=False, exists=True), default=None,
              help="A decisions CSV (sheet,row,name,id — an id or new) settling ambiguous names.")
@click.option("--rules", "rules_file", type=click.Path(dir_okay=False), default=None, help="Rules file (fuzzy_accept).")
@_common
def intake_cmd(data, application, output, decisions, rules_file, fmt, lang, quiet):
    """Resolve an application workbook's names against DATA and write DATA merged with it. / 申报书按名称入库。

    Exit 2 (nothing written) when a name is ambiguous or the workbook has errors.
    """
    from graphkit.io.intake import write_intake

    _setup(fmt, lang, quiet)
    rules = _rules(rules_file)
    result = _intake(data, application, decisions, rules, lang, fmt)
    with _step(f"写入 {output}", f"writing {output}"):
        write_intake(result, output)
    if fmt == "json":
        _emit_json(result.to_dict(lang))
        return
    for line in result.problems.format_warnings(lang):
        _err(("警告 " if lang == "zh" else "warning ") + line)
    header = ["工作表", "行", "名称", "方式", "编号", "匹配名称", "相似度"] if lang == "zh" else \
        ["sheet", "row", "name", "method", "id", "matched name", "score"]
    rows = [[r.sheet, r.row, r.name, r.method, r.resolved_id or "—", r.resolved_name or "", "" if r.score is None else f"{r.score:g}"]
            for r in result.resolutions]
    _echo(_table(rows, header))
    new = "、".join(result.new_ids) or "—"
    _echo(f"新机构：{new}；已写入 {output}" if lang == "zh" else f"new organisations: {new}; written to {output}")


@cli.command("import-platforms")
@click.argument("data")
@click.argument("platform_list", metavar="LIST", type=click.Path(dir_okay=False, exists=True))
@click.option("-o", "--output", required=True, type=click.Path(file_okay=False),
              help="Folder to write DATA with the listed platforms (CSVs) and resolution.csv / .xlsx to.")
@click.option("--decisions", type=click.Path(dir_okay=False, exists=True), default=None,
              help="A decisions CSV (sheet,row,name,id; sheet = list) settling ambiguous host names.")
@click.option("--rules", "rules_file", type=click.Path(dir_okay=False), default=None, help="Rules file (fuzzy_accept).")
@_common
def import_platforms_cmd(data, platform_list, output, decisions, rules_file, fmt, lang, quiet):
    """Add an official list of national platforms (CSV or XLSX; columns 名称, 类别, 依托单位, 领域/学科, 批准年份 …
    or their English names), its host names resolved against DATA. / 导入国家级平台名录。"""
    from graphkit.io.intake import write_intake
    from graphkit.io.platform_list import import_platforms

    _setup(fmt, lang, quiet)
    rules = _rules(rules_file)
    with _step(f"导入 {Path(platform_list).name}", f"importing {Path(platform_list).name}"):
        result = import_platforms(data, platform_list, decisions=decisions, accept=rules.fuzzy_accept)
    if result.ok:
        write_intake(result, output)
    if fmt == "json":
        _emit_json(result.to_dict(lang))
    for line in result.problems.format_errors(lang):
        _err(line)
    for line in result.problems.format_warnings(lang):
        _err(("警告 " if lang == "zh" else "warning ") + line)
    if not result.ok:
        sys.exit(2)
    if fmt != "json":
        n = len(result.platform_ids)
        _echo(f"已导入 {n} 个平台，新建 {len(result.new_ids)} 家依托单位；已写入 {output}" if lang == "zh"
              else f"imported {n} platforms, {len(result.new_ids)} new host organisations; written to {output}")


# ---- report ------------------------------------------------------------------------------------------------

@cli.command()
@click.argument("data", required=False)
@click.option("--center", required=True, help="The center.")
@click.option("-o", "--output", required=True, type=click.Path(dir_okay=False), help="Report file: .html or .md.")
@click.option("--as-of", default=None, metavar="DATE", help="Evaluation date YYYY-MM-DD.")
@_server_options
@_cache_option
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
@_cache_option
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
@_cache_option
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


@neo4j_group.command("wipe")
@click.option("--uri", required=True, help="Bolt URI.")
@click.option("--user", default=None, help="User.")
@click.option("--password-env", default=None, metavar="VAR", help="Environment variable with the password.")
@click.option("--database", default=None, help="Database name.")
@click.option("--yes", is_flag=True, help="Do not ask for confirmation.")
@_common
def neo4j_wipe(uri, user, password_env, database, yes, fmt, lang, quiet):
    """Delete graphkit's nodes and relationships (its labels only) from the server; other data stays.
    / 删除服务器上 graphkit 的节点和关系（仅 graphkit 的标签）。"""
    from graphkit.neo4j.client import public_uri
    from graphkit.neo4j.engine import wipe
    from graphkit.neo4j.model import LABELS

    _setup(fmt, lang, quiet)
    u, p = _credentials(user, password_env)
    if not yes:
        prompt = (f"删除 {public_uri(uri)} 上标签为 {', '.join(LABELS)} 的全部节点及其关系？" if lang == "zh" else
                  f"Delete every node labelled {', '.join(LABELS)} (and their relationships) on {public_uri(uri)}?")
        try:
            confirmed = click.confirm(prompt, default=False, err=True)
        except click.Abort:  # no terminal to answer on
            confirmed = False
        if not confirmed:
            _err("graphkit: 未删除任何数据（确认，或加 --yes）" if lang == "zh" else
                 "graphkit: nothing was deleted (confirm, or pass --yes)")
            sys.exit(2)
    counts = wipe(uri, u, p, database=database)
    stats = {"nodes_deleted": counts.get("nodes_deleted", 0),
             "relationships_deleted": counts.get("relationships_deleted", 0)}
    if fmt == "json":
        _emit_json(stats)
    else:
        _echo(", ".join(f"{k} {v}" for k, v in stats.items()))


# ---- generate ----------------------------------------------------------------------------------------------

@cli.command()
@click.option("--scale", type=click.Choice(["S", "M", "L", "s", "m", "l"]), default="S", show_default=True,
              help="S ≈ today's real scale (40 centers, 5,000 organisations, 1,600 platforms); M = 10×; L = 100×.")
@click.option("--seed", type=click.IntRange(min=0), default=1, show_default=True,
              help="Random seed, a whole number ≥ 0 (same seed, same dataset).")
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
@click.option("--application", is_flag=True, help="The names-based application workbook (SPEC §11) instead of the dataset template.")
def template(output, application):
    """Write the empty dataset workbook, or with --application the application workbook by names. / 生成填报模板。"""
    if application:
        from graphkit.io.application_template import write_application_template

        click.echo(str(write_application_template(output)))
        return
    from graphkit.io.template import write_template

    click.echo(str(write_template(output)))


def main(argv=None):
    """Console-script entry point."""
    return cli.main(args=argv, prog_name="graphkit")


if __name__ == "__main__":  # pragma: no cover
    main()
