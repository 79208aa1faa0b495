"""Typed tables and indexes as Arrow, and back: the columnar encoding of a validated snapshot.

Each pandas column becomes one Arrow array under a codec that says how to rebuild it exactly (``str``, ``list`` of
strings as tuples, nullable ``Int64`` / ``boolean``, ``float``, ``int``, ``bool``, or ``json`` for the few mixed
columns); the index's arrays, id lists and sparse matrices become named Arrow arrays. :class:`LazyFrames` decodes a
table only when it is first asked for.

>>> blob, meta = frame_to_ipc(pd.DataFrame({"a": ["x", None], "b": [(), ("p", "q")]}, dtype=object))
>>> frame_from_ipc(pa.py_buffer(blob), meta)["b"].tolist()
[(), ('p', 'q')]
"""

from __future__ import annotations

import json
from collections.abc import MutableMapping
from functools import cached_property

import numpy as np
import pandas as pd
import pyarrow as pa
import scipy.sparse as sp

from graphkit.model.dataset import Index

__all__ = ["LazyFrames", "array_from_ipc", "array_to_ipc", "frame_from_ipc", "frame_to_ipc", "index_from_arrays",
           "index_to_arrays"]

_ROW = "\x00row"  # the spreadsheet row numbers (a name no header can have: readers refuse NUL bytes)


class LazyFrames(MutableMapping):
    """The typed tables by name, each decoded from the snapshot the first time it is asked for (a command that
    only needs the indexes, such as coverage, never turns 500,000 names into Python strings)."""

    def __init__(self, order: list[str], decoders: dict, lengths: dict[str, int]):
        self._order, self._decoders, self._lengths, self._frames = list(order), dict(decoders), dict(lengths), {}

    def __getitem__(self, name):
        if name not in self._frames:
            if name not in self._decoders:
                raise KeyError(name)
            self._frames[name] = self._decoders.pop(name)()
        return self._frames[name]

    def __setitem__(self, name, frame):
        if name not in self._order:
            self._order.append(name)
        self._decoders.pop(name, None)
        self._frames[name] = frame
        self._lengths[name] = len(frame)

    def __delitem__(self, name):
        if name not in self._order:
            raise KeyError(name)
        self._order.remove(name)
        self._decoders.pop(name, None)
        self._frames.pop(name, None)
        self._lengths.pop(name, None)

    def __iter__(self):
        return iter(list(self._order))

    def __len__(self):
        return len(self._order)

    def length(self, name: str) -> int:
        """Rows of a table without decoding it."""
        return self._lengths[name]



def _json_value(v):
    if v is None or isinstance(v, (bool, str)):
        return v
    if isinstance(v, (int, np.integer)):
        return int(v)
    if isinstance(v, (float, np.floating)):
        f = float(v)
        return {"nan": True} if np.isnan(f) else f
    if isinstance(v, tuple):
        return {"t": [_json_value(x) for x in v]}
    raise TypeError(f"cannot keep {type(v).__name__} in a snapshot")


def _from_json(v):
    if isinstance(v, dict):
        return float("nan") if "nan" in v else tuple(_from_json(x) for x in v["t"])
    return v


def _encode(series: pd.Series) -> tuple[str, pa.Array]:
    dtype = series.dtype
    if isinstance(dtype, pd.Int64Dtype):
        return "Int64", pa.array(series.array.to_numpy(dtype=np.int64, na_value=0), mask=series.isna().to_numpy(), type=pa.int64())
    if isinstance(dtype, pd.BooleanDtype):
        return "boolean", pa.array(series.array.to_numpy(dtype=bool, na_value=False), mask=series.isna().to_numpy(), type=pa.bool_())
    if dtype == np.float64:
        return "float", pa.array(series.to_numpy(), type=pa.float64())
    if dtype == np.int64:
        return "int", pa.array(series.to_numpy(), type=pa.int64())
    if dtype == np.bool_:
        return "bool", pa.array(series.to_numpy(), type=pa.bool_())
    if dtype != object:
        raise TypeError(f"cannot keep a {dtype} column in a snapshot")
    values = series.to_numpy(dtype=object)
    try:  # strings and None (anything else makes pyarrow refuse)
        return "str", pa.array(values, type=pa.string())
    except (pa.ArrowTypeError, pa.ArrowInvalid):
        pass
    if all(type(v) is tuple and all(type(x) is str for x in v) for v in values):
        return "list", pa.array(values, type=pa.list_(pa.string()))
    return "json", pa.array([json.dumps(_json_value(v), ensure_ascii=False) for v in values], type=pa.string())


def _strings(arr: pa.Array) -> np.ndarray:
    """Python strings (None for nulls), one shared object per distinct value when values repeat."""
    if len(arr) > 64:
        enc = arr.dictionary_encode()
        if 0 < len(enc.dictionary) and len(enc.dictionary) * 2 <= len(arr):
            out = enc.dictionary.to_numpy(zero_copy_only=False).astype(object)
            idx = enc.indices.fill_null(0).to_numpy(zero_copy_only=False)
            values = out[idx]
            if enc.indices.null_count:
                values[enc.indices.is_null().to_numpy(zero_copy_only=False)] = None
            return values
    return arr.to_numpy(zero_copy_only=False).astype(object, copy=False)


def _decode(codec: str, arr: pa.Array):
    if codec == "Int64":
        return pd.arrays.IntegerArray(arr.fill_null(0).to_numpy(zero_copy_only=False).astype(np.int64),
                                      arr.is_null().to_numpy(zero_copy_only=False))
    if codec == "boolean":
        return pd.arrays.BooleanArray(arr.fill_null(False).to_numpy(zero_copy_only=False).astype(bool),
                                      arr.is_null().to_numpy(zero_copy_only=False))
    if codec in ("float", "int", "bool"):
        return arr.to_numpy(zero_copy_only=False)
    if codec == "str":
        return _strings(arr)
    if codec == "list":
        flat = arr.flatten().to_pylist()
        offsets = arr.offsets.to_numpy(zero_copy_only=False).tolist()
        valid = arr.is_valid().to_numpy(zero_copy_only=False)
        out = np.empty(len(arr), dtype=object)
        out[:] = [tuple(flat[a:b]) if ok else None for a, b, ok in zip(offsets[:-1], offsets[1:], valid)]
        return out
    if codec == "json":
        out = np.empty(len(arr), dtype=object)
        out[:] = [_from_json(json.loads(v)) for v in arr.to_pylist()]
        return out
    raise ValueError(f"unknown codec {codec}")


def frame_to_ipc(frame: pd.DataFrame) -> tuple[bytes, dict]:
    codecs, arrays = {}, []
    for col in frame.columns:
        codecs[col], arr = _encode(frame[col])
        arrays.append(arr)
    index = frame.index
    if isinstance(index, pd.RangeIndex):
        meta_index = {"range": [index.start, index.stop, index.step]}
    else:
        meta_index = {"values": True}
        arrays.append(pa.array(index.to_numpy(dtype=np.int64), type=pa.int64()))
    names = list(frame.columns) + ([_ROW] if "values" in meta_index else [])
    table = pa.Table.from_arrays(arrays, names=names)
    sink = pa.BufferOutputStream()
    with pa.ipc.new_file(sink, table.schema) as writer:
        writer.write_table(table)
    return sink.getvalue().to_pybytes(), {"columns": list(frame.columns), "codecs": codecs, "index": meta_index}


def frame_from_ipc(blob: pa.Buffer, meta: dict) -> pd.DataFrame:
    table = pa.ipc.open_file(pa.BufferReader(blob)).read_all()
    index_meta = meta["index"]
    if "range" in index_meta:
        index = pd.RangeIndex(*index_meta["range"])
    else:
        index = pd.Index(table.column(_ROW).combine_chunks().to_numpy(zero_copy_only=False), dtype=np.int64)
    data = {}
    for col in meta["columns"]:
        arr = table.column(col).combine_chunks()
        values = _decode(meta["codecs"][col], arr)
        data[col] = pd.Series(values, index=index, dtype=object) if isinstance(values, np.ndarray) and values.dtype == object \
            else pd.Series(values, index=index)
    return pd.DataFrame(data, index=index, columns=meta["columns"]) if data else pd.DataFrame(index=index)


def array_to_ipc(arr: pa.Array) -> bytes:
    table = pa.Table.from_arrays([arr], names=["v"])
    sink = pa.BufferOutputStream()
    with pa.ipc.new_file(sink, table.schema) as writer:
        writer.write_table(table)
    return sink.getvalue().to_pybytes()


def array_from_ipc(blob: pa.Buffer) -> pa.Array:
    return pa.ipc.open_file(pa.BufferReader(blob)).read_all().column(0).combine_chunks()


def index_to_arrays(ix: Index) -> tuple[dict, list[tuple[str, bytes]]]:
    """The index's arrays as named Arrow blobs, and how to put each back."""
    lazy = {k for k, v in vars(Index).items() if isinstance(v, cached_property)}
    meta, blobs = {}, []
    for name, value in ix.__dict__.items():
        if name in lazy:
            continue
        if isinstance(value, tuple):
            meta[name] = {"kind": "tuple", "value": [int(x) for x in value]}
        elif isinstance(value, pd.Index):
            meta[name] = {"kind": "pdindex"}
            blobs.append((name, array_to_ipc(pa.array(value.to_numpy(dtype=object), type=pa.string()))))
        elif isinstance(value, dict) and all(isinstance(v, pa.Array) for v in value.values()):
            meta[name] = {"kind": "arrays", "keys": list(value)}
            blobs += [(f"{name}/{k}", array_to_ipc(v)) for k, v in value.items()]
        elif sp.issparse(value) and value.format == "csr":
            meta[name] = {"kind": "csr", "shape": [int(x) for x in value.shape], "dtype": str(value.dtype)}
            blobs += [(f"{name}/{part}", array_to_ipc(pa.array(getattr(value, part)))) for part in ("data", "indices", "indptr")]
        elif isinstance(value, np.ndarray) and value.dtype == object:
            meta[name] = {"kind": "objects"}
            blobs.append((name, array_to_ipc(pa.array(value, type=pa.string()))))
        elif isinstance(value, np.ndarray):
            meta[name] = {"kind": "numpy", "dtype": str(value.dtype)}
            blobs.append((name, array_to_ipc(pa.array(value))))
        else:
            raise TypeError(f"cannot keep the index's {name} ({type(value).__name__}) in a snapshot")
    return meta, blobs


def index_from_arrays(meta: dict, arrays: dict[str, pa.Array]) -> Index:
    ix = object.__new__(Index)
    values = {}
    for name, m in meta.items():
        kind = m["kind"]
        if kind == "tuple":
            values[name] = tuple(m["value"])
        elif kind == "pdindex":  # unique ids: no dictionary to share
            values[name] = pd.Index(arrays[name].to_numpy(zero_copy_only=False).astype(object, copy=False), dtype=object)
        elif kind == "arrays":
            values[name] = {k: arrays[f"{name}/{k}"] for k in m["keys"]}
        elif kind == "csr":
            parts = [arrays[f"{name}/{p}"].to_numpy(zero_copy_only=False) for p in ("data", "indices", "indptr")]
            values[name] = sp.csr_matrix(tuple(parts), shape=tuple(m["shape"]), dtype=m["dtype"])
        elif kind == "objects":
            values[name] = _strings(arrays[name])
        else:
            values[name] = arrays[name].to_numpy(zero_copy_only=False).astype(m["dtype"], copy=False)
    ix.__dict__.update(values)
    return ix
