"""Runtime settings in one place: limits and engine tuning, each with a default and help text.

Settings come from the defaults below, overridden by environment variables ``GRAPHKIT_<NAME>`` (upper case).
The rules of the notice (thresholds) are not settings: they live in the rules file, see :mod:`graphkit.rules`.

>>> get_settings().max_cell_chars
100000
"""

from __future__ import annotations

import os
from dataclasses import dataclass, fields, replace

__all__ = ["Settings", "SETTINGS_HELP", "get_settings"]

SETTINGS_HELP: dict[str, tuple[str, str]] = {
    "max_upload_bytes": ("单个上传文件（或 zip 解压后合计）的最大字节数", "largest upload (or zip, uncompressed) in bytes"),
    "max_file_bytes": ("单个 CSV 文件的最大字节数", "largest single CSV file in bytes"),
    "max_rows": ("每个表的最大数据行数", "most data rows per table"),
    "max_cell_chars": ("单元格的最大字符数", "longest cell in characters"),
    "max_columns": ("每个表（CSV 文件或工作表）的最大列数", "most columns per table (a CSV file or a sheet)"),
    "max_line_bytes": ("CSV 文件中单行的最大字节数（带引号的单元格可跨多行，每行分别计算）",
                       "longest line of a CSV file in bytes (a quoted cell may span lines; each line counts on its own)"),
    "bolt_batch_bytes_falkordb": ("FalkorDB Bolt 每条语句展开后的最大字节数（参数被拼入查询文本；超过约 4,100 字节服务器崩溃）", "largest expanded statement (query text with its parameters spliced in) sent to a FalkorDB Bolt server; it crashes above about 4,100 bytes"),
    "bolt_batch_bytes_neo4j": ("Neo4j 每批写入的最大编码字节数", "largest encoded batch sent to Neo4j"),
    "bolt_batch_rows_neo4j": ("Neo4j 每批写入的最大行数", "most rows per batch sent to Neo4j"),
    "bolt_retries": ("Bolt 连接中断时的重试次数", "retries when a Bolt connection drops"),
    "bolt_connect_timeout": ("Bolt 建立连接（含握手与登录）的最长等待秒数", "seconds to wait for a Bolt connection to open (TCP, handshake and login)"),
    "bolt_read_timeout": ("Bolt 服务器一次回复的最长等待秒数（服务器停止响应时报错而不是一直等待）", "seconds to wait for any reply from a Bolt server before giving up on it (a stalled server is an error, not a hang)"),
    "bolt_transaction_timeout": ("单个 Bolt 事务的最长秒数（Neo4j 服务器端强制执行）", "longest a Bolt transaction may run, in seconds (enforced by Neo4j on the server)"),
    "recruit_exact_max_candidates": ("招募建议：候选机构不超过此数时用精确搜索证明最少", "recruitment: prove minimality by exact search up to this many candidate organisations"),
    "snapshot": ("1 = 校验通过的数据集在缓存目录（GRAPHKIT_CACHE_DIR）保存快照，未改动时直接打开；0 = 关闭（同 --no-cache）", "1 = keep a snapshot of each validated dataset in the cache folder (GRAPHKIT_CACHE_DIR) and open an unchanged dataset from it; 0 = off (as --no-cache)"),
}


#: Settings for which 0 makes sense (no retries, no snapshot, no server-side transaction timeout); every other one
#: must be at least 1, and none may be negative.
_MAY_BE_ZERO = {"bolt_retries", "snapshot", "bolt_transaction_timeout"}


@dataclass(frozen=True)
class Settings:
    """Limits and tuning; see :data:`SETTINGS_HELP` for what each one means."""

    max_upload_bytes: int = 512 * 1024 * 1024
    max_file_bytes: int = 512 * 1024 * 1024
    max_rows: int = 5_000_000
    max_cell_chars: int = 100_000
    max_columns: int = 1_000
    max_line_bytes: int = 16 * 1024 * 1024
    bolt_batch_bytes_falkordb: int = 4_000
    bolt_batch_bytes_neo4j: int = 4_000_000
    bolt_batch_rows_neo4j: int = 5_000
    bolt_retries: int = 3
    bolt_connect_timeout: int = 5
    bolt_read_timeout: int = 300
    bolt_transaction_timeout: int = 600
    recruit_exact_max_candidates: int = 40
    snapshot: int = 1

    def __post_init__(self):
        for f in fields(self):
            value = getattr(self, f.name)
            least = 0 if f.name in _MAY_BE_ZERO else 1
            if isinstance(value, bool) or not isinstance(value, int) or value < least:
                from graphkit.errors import SettingsError

                raise SettingsError(f"the setting {f.name} (environment variable GRAPHKIT_{f.name.upper()}) must be "
                                    f"a whole number of at least {least}, not {value!r} ({SETTINGS_HELP[f.name][1]})")

    def with_(self, **changes) -> "Settings":
        return replace(self, **changes)


def get_settings(**overrides) -> Settings:
    """The defaults, overridden by ``GRAPHKIT_*`` environment variables, then by ``overrides``."""
    values = {}
    for f in fields(Settings):
        env = os.environ.get(f"GRAPHKIT_{f.name.upper()}")
        if env is not None and env.strip():
            try:
                values[f.name] = int(env)
            except ValueError:
                from graphkit.errors import SettingsError

                raise SettingsError(f"GRAPHKIT_{f.name.upper()} must be a whole number, not {env!r} "
                                    f"({SETTINGS_HELP[f.name][1]})") from None
    values.update(overrides)
    return Settings(**values)
