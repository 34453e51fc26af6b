#!/usr/bin/python3
"""Strict fake Milvus REST v2 server for the milvus-cdc-pipe tests.

Implemented from /work/shared/docs/milvus-rest.md ("the doc"); section numbers
in comments (§N) refer to it.  Standard library only.

    fake_milvus.py --port 0 [--version 2.5] [--token root:Milvus] [--state-file F]

prints "URI=http://127.0.0.1:<port>" once listening and serves until SIGTERM /
SIGINT.  See README.md for the admin API (/_fake/...).

Where the doc does not settle a behaviour, the comment says "doc silent" and the
stricter reading is used.
"""
import argparse
import base64
import copy
import json
import math
import re
import signal
import socket
import struct
import sys
import threading
import time
import zlib
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

INT64_MIN, INT64_MAX = -(1 << 63), (1 << 63) - 1
INT_RANGES = {"Int8": (-128, 127), "Int16": (-32768, 32767),
              "Int32": (-(1 << 31), (1 << 31) - 1), "Int64": (INT64_MIN, INT64_MAX)}
SCALAR_TYPES = {"Bool", "Int8", "Int16", "Int32", "Int64", "Float", "Double",
                "VarChar", "JSON", "Array", "Geometry", "Timestamptz"}
VECTOR_TYPES = {"FloatVector", "BinaryVector", "Float16Vector", "BFloat16Vector",
                "SparseFloatVector", "Int8Vector"}
ARRAY_ELEMENT_TYPES = {"Bool", "Int8", "Int16", "Int32", "Int64", "Float", "Double", "VarChar"}
# dataType -> first version whose REST server accepts it (§3.3, §7)
TYPE_SINCE = {"SparseFloatVector": (2, 4, 5), "Int8Vector": (2, 6, 0),
              "Geometry": (2, 6, 0), "Timestamptz": (2, 6, 1)}
METRICS = {"FloatVector": {"L2", "IP", "COSINE"}, "Float16Vector": {"L2", "IP", "COSINE"},
           "BFloat16Vector": {"L2", "IP", "COSINE"}, "Int8Vector": {"L2", "IP", "COSINE"},
           "BinaryVector": {"HAMMING", "JACCARD", "SUBSTRUCTURE", "SUPERSTRUCTURE", "MHJACCARD"},
           "SparseFloatVector": {"IP", "BM25"}}
CONSISTENCY = {"Strong", "Session", "Bounded", "Eventually", "Customized"}
NAME_RE = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")
JSON_MAX = 65536
DEFAULT_PARTITION_KEY_PARTITIONS = 16   # doc: "server default"; rootcoord default is 16

# path -> first version that serves it (§2, §7).  Anything else under /v2 is a 404.
ENDPOINT_SINCE = {
    "databases/create": (2, 5, 0), "databases/drop": (2, 5, 0), "databases/list": (2, 5, 0),
    "databases/describe": (2, 5, 0), "databases/alter": (2, 5, 0),
    "databases/alter_properties": (2, 5, 4), "databases/drop_properties": (2, 5, 4),
    "collections/create": (2, 4, 0), "collections/drop": (2, 4, 0), "collections/has": (2, 4, 0),
    "collections/list": (2, 4, 0), "collections/describe": (2, 4, 0),
    "collections/rename": (2, 4, 0), "collections/load": (2, 4, 0),
    "collections/release": (2, 4, 0), "collections/get_load_state": (2, 4, 0),
    "collections/get_stats": (2, 4, 0),
    "collections/flush": (2, 5, 4), "collections/alter_properties": (2, 5, 4),
    "collections/drop_properties": (2, 5, 4), "collections/refresh_load": (2, 5, 4),
    "collections/fields/add": (2, 6, 0), "collections/truncate": (2, 6, 11),
    "partitions/create": (2, 4, 0), "partitions/drop": (2, 4, 0), "partitions/has": (2, 4, 0),
    "partitions/list": (2, 4, 0), "partitions/load": (2, 4, 0), "partitions/release": (2, 4, 0),
    "indexes/create": (2, 4, 0), "indexes/drop": (2, 4, 0), "indexes/list": (2, 4, 0),
    "indexes/describe": (2, 4, 0), "indexes/alter_properties": (2, 5, 4),
    "indexes/drop_properties": (2, 5, 4),
    "aliases/create": (2, 4, 0), "aliases/drop": (2, 4, 0), "aliases/alter": (2, 4, 0),
    "aliases/list": (2, 4, 0), "aliases/describe": (2, 4, 0),
    "entities/insert": (2, 4, 0), "entities/upsert": (2, 4, 0), "entities/delete": (2, 4, 0),
    "entities/query": (2, 4, 0), "entities/get": (2, 4, 0),
    # exist on a real server but are not modelled: answered with 65535 "not implemented"
    "entities/search": (2, 4, 0), "entities/hybrid_search": (2, 4, 0),
}
NOT_IMPLEMENTED = {"entities/search", "entities/hybrid_search"}


class ApiError(Exception):
    """An error answered in the {code,message} envelope (HTTP 200 unless http is set)."""

    def __init__(self, code, message, http=200):
        super().__init__(message)
        self.code, self.message, self.http = code, message, http


def parse_version(s):
    """'2.5' means the newest 2.5.x (2.5.99); '2.5.4' is exact."""
    parts = [int(p) for p in s.split(".")]
    if len(parts) == 2:
        parts.append(99)
    if len(parts) != 3:
        raise ValueError("bad version " + s)
    return tuple(parts)


# ---------------------------------------------------------------- JSON input

class ExpFloat(float):
    """A JSON number written with an exponent and no '.' ("1e5"); the others are floats.
    (It used to be a RawFloat for every number, keeping its text in an instance dict: 4 us
    per number, and every one an object the garbage collector tracks.)"""
    __slots__ = ()


_INF, _NINF = float("inf"), float("-inf")


def _parse_float(text):
    v = float(text) if "." in text else ExpFloat(text)
    if v == _INF or v == _NINF:
        # Go's decoder refuses out-of-range numbers
        raise ValueError("number %s out of range" % text)
    return v


def _no_constant(name):
    raise ValueError("invalid JSON literal " + name)   # NaN / Infinity are not JSON


# loads() has the C scanner parse floats itself (10x faster, and plain floats are not
# objects the garbage collector tracks) when the text cannot hold a number that needs
# _parse_float: one with an exponent (the 'e' of a JSON exponent always follows a digit),
# which might be an ExpFloat or overflow, or one whose 300+ digits before its '.' might
# overflow (without an exponent, below 309 digits cannot).  Matches inside strings only
# cost speed.
EXPONENT_RE = re.compile(r"[eE](?<=[0-9][eE])")
LONG_FLOAT_RE = re.compile(r"\.(?<=[0-9]{300}\.)")


def loads(text):
    """json.loads; numbers with an exponent and no '.' become ExpFloat; inf, NaN and
    Infinity are refused."""
    if isinstance(text, (bytes, bytearray)):
        s = text.decode(json.detect_encoding(text), "surrogatepass")   # as json.loads does
        if s.startswith("\ufeff"):   # json.loads checks for a BOM in str input only
            return json.loads(text, parse_float=_parse_float, parse_constant=_no_constant)
        text = s
    if EXPONENT_RE.search(text) or LONG_FLOAT_RE.search(text):
        return json.loads(text, parse_float=_parse_float, parse_constant=_no_constant)
    return json.loads(text, parse_constant=_no_constant)


def is_int(v):
    return isinstance(v, int) and not isinstance(v, bool)


def is_num(v):
    return isinstance(v, (int, float)) and not isinstance(v, bool)


_F32, _U32 = struct.Struct("<f"), struct.Struct("<I")


def f32(v):
    """Round to float32 and return the double nearest the shortest float32 text
    (so 0.1 stays 0.1 in output, as Go prints float32).  OverflowError if too big.

    The shortest text is "%.{p}g" for the least p in 1..9 that round-trips.  For a
    normal float32 x that is not a power of two, the values that round-trip (through
    double, then float32) form an interval symmetric about x, and the nearest (p+1)-digit
    decimal is never farther from x than the nearest p-digit one; so if p digits do not
    round-trip, no fewer do.  That lets most values (7 or 8 digits) be settled in two
    tries instead of up to nine; the rest take the plain scan."""
    packed = _F32.pack(v)
    x = _F32.unpack(packed)[0]
    if math.isinf(x) or math.isnan(x):
        raise OverflowError
    bits = _U32.unpack(packed)[0]
    if 0 < (bits & 0x7F800000) < 0x7F800000 and bits & 0x7FFFFF and -1e37 < x < 1e37:
        y = float("%.7g" % x)
        if _F32.pack(y) != packed:          # so 1..6 digits do not round-trip either
            y = float("%.8g" % x)
            if _F32.pack(y) == packed:
                return y
            y = float("%.9g" % x)
            return y if _F32.pack(y) == packed else x
        y6 = float("%.6g" % x)
        if _F32.pack(y6) != packed:
            return y
        for p in range(1, 6):
            y = float("%.*g" % (p, x))
            if _F32.pack(y) == packed:
                return y
        return y6
    for p in range(1, 10):
        s = "%.*g" % (p, x)
        if struct.pack("<f", float(s)) == packed:
            return float(s)
    return x


def go_g(n):
    """Go's %v for a float64 holding an integer (used by 2.4 for typeParams)."""
    s = str(abs(int(n)))
    digits = s.rstrip("0") or "0"
    nd, dp = len(digits), len(s)
    eprec = 6
    if eprec > nd and nd >= dp:
        eprec = nd
    if dp - 1 >= eprec:
        mant = digits[0] + ("." + digits[1:] if len(digits) > 1 else "")
        return ("-" if n < 0 else "") + "%se+%02d" % (mant, dp - 1)
    return str(int(n))


# ---------------------------------------------------------------- filter expressions

class ExprError(Exception):
    pass


TOKEN_RE = re.compile(r"""
    (?P<ws>\s+)
  | (?P<num>\d+(\.\d*)?([eE][+-]?\d+)?)
  | (?P<str>"(?:[^"\\]|\\.)*"|'(?:[^'\\]|\\.)*')
  | (?P<ph>\{[A-Za-z_][A-Za-z0-9_]*\})
  | (?P<op>==|!=|<=|>=|&&|\|\||[<>\[\](),!-])
  | (?P<id>[A-Za-z_$][A-Za-z0-9_]*)
""", re.X | re.S)


def unquote(tok):
    """Decode a quoted expression string.  Accepts \\\\ \\" \\' \\n \\r \\t \\b \\f \\v \\a
    \\0 \\xHH \\uHHHH \\UHHHHHHHH (§4.5); raw control characters and unknown escapes
    are errors (stricter reading; the doc lists only the escapes a writer needs)."""
    body, out, i = tok[1:-1], [], 0
    simple = {"\\": "\\", '"': '"', "'": "'", "n": "\n", "r": "\r", "t": "\t",
              "b": "\b", "f": "\f", "v": "\v", "a": "\a", "0": "\0"}
    while i < len(body):
        c = body[i]
        if ord(c) < 0x20:
            raise ExprError("raw control character in string literal")
        if c != "\\":
            out.append(c)
            i += 1
            continue
        e = body[i + 1] if i + 1 < len(body) else ""
        if e in simple:
            out.append(simple[e])
            i += 2
            continue
        width = {"x": 2, "u": 4, "U": 8}.get(e)
        hexs = body[i + 2:i + 2 + width] if width else ""
        if not width or len(hexs) != width or not re.fullmatch(r"[0-9a-fA-F]+", hexs):
            raise ExprError("invalid escape in string literal %s" % tok)
        cp = int(hexs, 16)
        if cp > 0x10FFFF or 0xD800 <= cp <= 0xDFFF:
            raise ExprError("invalid code point in string literal")
        out.append(chr(cp))
        i += 2 + width
    return "".join(out)


def lossy_param(v):
    """exprParams numbers pass through float64 on the server (§4.5): mimic it."""
    if is_int(v):
        return int(float(v))
    if isinstance(v, list):
        return [lossy_param(x) for x in v]
    return v


class ExprParser:
    """or / and / not, comparisons, in / not in, parentheses, list literals,
    {placeholders}.  AST: tuples."""

    def __init__(self, text, params):
        self.toks, pos = [], 0
        while pos < len(text):
            m = TOKEN_RE.match(text, pos)
            if not m:
                raise ExprError("cannot parse expression at %r" % text[pos:pos + 20])
            pos = m.end()
            kind = m.lastgroup
            if kind != "ws":
                self.toks.append((kind, m.group(kind)))
        self.toks.append(("end", ""))
        self.i = 0
        self.params = params

    def peek(self, value=None):
        k, v = self.toks[self.i]
        if value is None:
            return k, v
        return (k in ("op", "id")) and v == value

    def take(self):
        t = self.toks[self.i]
        self.i += 1
        return t

    def expect(self, value):
        if not self.peek(value):
            raise ExprError("expected %r near token %r" % (value, self.toks[self.i][1]))
        self.take()

    def parse(self):
        node = self.p_or()
        if self.toks[self.i][0] != "end":
            raise ExprError("unexpected token %r" % self.toks[self.i][1])
        return node

    def p_or(self):
        node = self.p_and()
        while self.peek("or") or self.peek("||"):
            self.take()
            node = ("or", node, self.p_and())
        return node

    def p_and(self):
        node = self.p_not()
        while self.peek("and") or self.peek("&&"):
            self.take()
            node = ("and", node, self.p_not())
        return node

    def p_not(self):
        if self.peek("not") or self.peek("!"):
            self.take()
            return ("not", self.p_not())
        return self.p_cmp()

    def p_cmp(self):
        if self.peek("("):
            self.take()
            node = self.p_or()
            self.expect(")")
            return node
        left = self.p_value()
        k, v = self.peek()
        if k == "op" and v in ("==", "!=", "<", "<=", ">", ">="):
            self.take()
            return ("cmp", v, left, self.p_value())
        if self.peek("in"):
            self.take()
            return ("in", left, self.p_value())
        if self.peek("not"):
            self.take()
            self.expect("in")
            return ("not", ("in", left, self.p_value()))
        raise ExprError("expected a comparison near %r" % v)

    def p_value(self):
        k, v = self.take()
        if k == "num":
            return ("lit", self.number(v, False))
        if k == "op" and v == "-":
            k2, v2 = self.take()
            if k2 != "num":
                raise ExprError("'-' must precede a number")
            return ("lit", self.number(v2, True))
        if k == "str":
            return ("lit", unquote(v))
        if k == "ph":
            name = v[1:-1]
            if name not in self.params:
                raise ExprError("placeholder %s has no value in exprParams" % v)
            return ("lit", lossy_param(self.params[name]))
        if k == "op" and v == "[":
            items = []
            if not self.peek("]"):
                while True:
                    item = self.p_value()
                    if item[0] != "lit" or isinstance(item[1], list):
                        raise ExprError("list elements must be literals")
                    items.append(item[1])
                    if self.peek(","):
                        self.take()
                        continue
                    break
            self.expect("]")
            return ("lit", items)
        if k == "id":
            if v in ("true", "True", "false", "False"):
                return ("lit", v.lower() == "true")
            return ("field", v)
        raise ExprError("unexpected token %r" % v)

    @staticmethod
    def number(text, neg):
        if re.fullmatch(r"\d+", text):
            if len(text) > 1 and text[0] == "0":
                # a leading zero makes the real parser read octal (§4.5); refuse it
                raise ExprError("integer literal with a leading zero: %s" % text)
            n = int(text)
            n = -n if neg else n
            if n > INT64_MAX or n < -INT64_MAX:   # INT64_MIN cannot be written (§4.5)
                raise ExprError("integer literal out of int64 range: %s" % text)
            return n
        x = float(text)
        return -x if neg else x


def parse_filter(text, params):
    try:
        return ExprParser(text, params or {}).parse()
    except ExprError as e:
        raise ApiError(1100, "failed to create query plan: cannot parse expression: %s, error: %s"
                       % (text, e))


def pk_only_values(node, pkname):
    """If the AST is 'pk in [...]' / 'pk == x' (or an or of them) return the pk list."""
    if node[0] == "in" and node[1] == ("field", pkname) and node[2][0] == "lit" \
            and isinstance(node[2][1], list):
        return list(node[2][1])
    if node[0] == "cmp" and node[1] == "==" and node[2] == ("field", pkname) and node[3][0] == "lit":
        return [node[3][1]]
    if node[0] == "or":
        a, b = pk_only_values(node[1], pkname), pk_only_values(node[2], pkname)
        if a is not None and b is not None:
            return a + b
    return None


# ---------------------------------------------------------------- state

class Collection:
    def __init__(self, **kw):
        self.__dict__.update(kw)

    def field(self, name):
        for f in self.fields:
            if f["fieldName"] == name:
                return f
        return None

    @property
    def pk(self):
        return next(f for f in self.fields if f["isPrimary"])

    @property
    def partition_key(self):
        return next((f for f in self.fields if f.get("isPartitionKey")), None)

    def vector_fields(self):
        return [f for f in self.fields if f["dataType"] in VECTOR_TYPES]


class State:
    def __init__(self):
        self.next_id = 450000000000000000       # > 2^53, like real ids
        self.next_auto_pk = 460000000000000000
        self.databases = {}
        self.add_db("default", {})

    def new_id(self):
        self.next_id += 1
        return self.next_id

    def add_db(self, name, props):
        self.databases[name] = {"id": 1 if name == "default" else self.new_id(),
                                "properties": dict(props), "collections": {}, "aliases": {}}


# ---------------------------------------------------------------- the server logic

def ok(data=None, **extra):
    body = {"code": 0, "data": {} if data is None else data}
    body.update(extra)
    return body


def bool_header(value, default):
    """Go strconv.ParseBool; unparsable -> default."""
    if value is None:
        return default
    if value in ("1", "t", "T", "TRUE", "true", "True"):
        return True
    if value in ("0", "f", "F", "FALSE", "false", "False"):
        return False
    return default


class Milvus:
    def __init__(self, version, token):
        self.version = version
        self.token = token
        self.lock = threading.RLock()
        self.async_polls = 0
        self.state = State()

    # ---- request helpers

    @staticmethod
    def field_of(body, name, kind, required=False):
        """Bind one body field like gin: wrong JSON type -> 1801, required+absent/zero -> 1802."""
        v = body.get(name)
        types = {"str": str, "list": list, "obj": dict, "bool": bool}
        if v is None:
            if required:
                raise ApiError(1802, "missing required parameters, error: Key: '%s' Error:Field "
                               "validation for '%s' failed on the 'required' tag" % (name, name))
            return None
        if kind == "int":
            good = is_int(v)
        elif kind == "num":
            good = is_num(v)
        elif kind == "any":
            good = True
        else:
            good = isinstance(v, types[kind]) and not (kind != "bool" and isinstance(v, bool))
        if not good:
            raise ApiError(1801, "can only accept json format request, error: json: cannot "
                           "unmarshal %s into field %s" % (type(v).__name__, name))
        if required and kind == "str" and v == "":
            raise ApiError(1802, "missing required parameters, error: Key: '%s' Error:Field "
                           "validation for '%s' failed on the 'required' tag" % (name, name))
        return v

    def db_name(self, body, headers):
        name = self.field_of(body, "dbName", "str")
        if name:
            return name
        if self.version >= (2, 4, 1) and headers.get("DB-Name"):
            return headers.get("DB-Name")
        return "default"

    def db(self, name):
        d = self.state.databases.get(name)
        if d is None:
            raise ApiError(800, "database not found[database=%s]" % name)
        return d

    def coll(self, body, headers, follow_alias=True, name_key="collectionName"):
        dbn = self.db_name(body, headers)
        d = self.db(dbn)
        name = self.field_of(body, name_key, "str", required=True)
        if follow_alias and name in d["aliases"]:
            name = d["aliases"][name]
        c = d["collections"].get(name)
        if c is None:
            raise ApiError(100, "collection not found[database=%s][collection=%s]" % (dbn, name))
        return d, c

    # ---- dispatch

    def handle(self, path, body, headers):
        """Returns the response envelope dict.  Raises ApiError."""
        name = path[len("/v2/vectordb/"):]
        if name in NOT_IMPLEMENTED:
            raise ApiError(65535, "fake milvus: %s is not implemented" % name)
        fn = getattr(self, "op_" + name.replace("/", "_"))
        with self.lock:
            return fn(body, headers)

    # ---- databases (§2.1)

    def op_databases_create(self, b, h):
        name = self.field_of(b, "dbName", "str", True)
        props = self.props_of(b, "properties")
        if not NAME_RE.match(name) or len(name) > 255:
            raise ApiError(1100, "invalid database name %s" % name)
        if name in self.state.databases:
            raise ApiError(65535, "database already exist: %s" % name)
        self.state.add_db(name, props)
        return ok()

    def op_databases_drop(self, b, h):
        name = self.field_of(b, "dbName", "str", True)
        if name == "default":
            raise ApiError(65535, "can not drop default database")
        d = self.db(name)   # doc silent on dropping a missing db: stricter, 800
        if d["collections"]:
            raise ApiError(65535, "database:%s not empty, must drop all collections before "
                           "drop database" % name)
        del self.state.databases[name]
        return ok()

    def op_databases_list(self, b, h):
        return ok(sorted(self.state.databases, key=lambda n: (n != "default", n)))

    def op_databases_describe(self, b, h):
        name = self.field_of(b, "dbName", "str", True)
        d = self.db(name)
        return ok({"dbName": name, "dbID": d["id"],
                   "properties": [{"key": k, "value": v} for k, v in d["properties"].items()]})

    def op_databases_alter(self, b, h):
        name = self.field_of(b, "dbName", "str", True)
        props = self.props_of(b, "properties")
        self.db(name)["properties"].update(props)
        return ok()

    op_databases_alter_properties = op_databases_alter

    def op_databases_drop_properties(self, b, h):
        name = self.field_of(b, "dbName", "str", True)
        keys = self.keys_of(b)
        d = self.db(name)
        for k in keys:
            d["properties"].pop(k, None)
        return ok()

    def props_of(self, b, key):
        props = self.field_of(b, key, "obj") or {}
        out = {}
        for k, v in props.items():
            out[k] = v if isinstance(v, str) else json.dumps(v)   # values stringified (§2.1)
        return out

    def keys_of(self, b):
        keys = self.field_of(b, "propertyKeys", "list", True)
        if not all(isinstance(k, str) for k in keys):
            raise ApiError(1801, "can only accept json format request, error: propertyKeys")
        return keys

    # ---- collections (§2.2, §3)

    def op_collections_create(self, b, h):
        dbn = self.db_name(b, h)
        d = self.db(dbn)
        name = self.field_of(b, "collectionName", "str", True)
        check_name(name, "collection")
        schema = self.field_of(b, "schema", "obj") or {}
        fields = schema.get("fields")
        if fields is not None and not isinstance(fields, list):
            raise ApiError(1801, "can only accept json format request, error: schema.fields")
        if not fields:
            spec = self.quick_schema(b)
        else:
            spec = self.full_schema(b, schema)
        if name in d["aliases"]:
            raise ApiError(65535, "collection name [%s] conflicts with an existing alias" % name)
        old = d["collections"].get(name)
        if old is not None:
            if old.spec == spec:      # identical create is idempotent (§2.2)
                return ok()
            raise ApiError(65535, "create duplicate collection with different parameters, "
                           "collection: %s" % name)
        c = self.make_collection(dbn, name, spec)
        d["collections"][name] = c
        index_params = self.field_of(b, "indexParams", "list")
        if index_params:
            self.create_indexes(c, index_params)
            self.load(c, None)
        return ok()

    def quick_schema(self, b):
        dim = b.get("dimension")
        if dim is None:
            raise ApiError(1802, "missing required parameters, error: dimension is required "
                           "for quick create")
        if not is_int(dim) or not 2 <= dim <= 32768:
            raise ApiError(1100, "invalid dimension: %s" % dim)
        id_type = b.get("idType") or "Int64"
        pkname = b.get("primaryFieldName") or "id"
        vname = b.get("vectorFieldName") or "vector"
        pk = new_field(pkname, id_type, isPrimary=True, autoID=bool(b.get("autoID")))
        if id_type == "VarChar":
            pk["params"]["max_length"] = str(b.get("params", {}).get("max_length", 65535))
        vec = new_field(vname, "FloatVector")
        vec["params"]["dim"] = str(dim)
        return {"fields": [pk, vec], "functions": [], "enableDynamicField": True,
                "description": "", "shardsNum": 1, "consistencyLevel": "Bounded",
                "partitionsNum": 0, "properties": {},
                "quickIndex": {"fieldName": vname, "metricType": b.get("metricType") or "COSINE",
                               "indexName": vname, "indexType": "AUTOINDEX"}}

    def full_schema(self, b, schema):
        v = self.version
        auto_id = schema.get("autoID", False)
        if not isinstance(auto_id, bool):
            raise ApiError(1801, "can only accept json format request, error: schema.autoID")
        dyn = schema.get("enableDynamicField", False)
        if not isinstance(dyn, bool):
            raise ApiError(1801, "can only accept json format request, error: "
                           "schema.enableDynamicField")
        fields, seen = [], set()
        for i, raw in enumerate(schema["fields"]):
            if not isinstance(raw, dict):
                raise ApiError(1801, "can only accept json format request, error: schema.fields")
            f = self.parse_field(raw, auto_id)
            if f["fieldName"] in seen:
                raise ApiError(1100, "duplicated field name %s" % f["fieldName"])
            seen.add(f["fieldName"])
            f["id"] = 100 + i
            fields.append(f)
        pks = [f for f in fields if f["isPrimary"]]
        if len(pks) != 1:
            raise ApiError(1100, "there should be exactly one primary key, got %d" % len(pks))
        if len([f for f in fields if f["isPartitionKey"]]) > 1:
            raise ApiError(1100, "there are more than one partition key")
        if len([f for f in fields if f["isClusteringKey"]]) > 1:
            raise ApiError(1100, "there are more than one clustering key")
        if len(fields) > 64:
            raise ApiError(1100, "maximum field's number should be limited to 64")
        if len([f for f in fields if f["dataType"] in VECTOR_TYPES]) > 10:
            raise ApiError(1100, "maximum vector field's number should be limited to 10")
        if not [f for f in fields if f["dataType"] in VECTOR_TYPES]:
            raise ApiError(1100, "schema does not contain vector field")
        functions = []
        if v >= (2, 5, 0):        # 2.4 ignores schema.functions (unknown key)
            for raw in schema.get("functions") or []:
                functions.append(self.parse_function(raw, fields))
        params = self.field_of(b, "params", "obj") or {}
        if v < (2, 5, 0) and any(not isinstance(x, str) for x in params.values()):
            # 2.4.0's params was map[string]string (§3.1)
            raise ApiError(1801, "can only accept json format request, error: params values "
                           "must be strings")
        shards = int_param(params, "shardsNum", 1)
        if not 1 <= shards <= 16:
            raise ApiError(1100, "shardsNum should be in [1, 16], got %d" % shards)
        has_pkey = any(f["isPartitionKey"] for f in fields)
        npart = int_param(params, "partitionsNum", 64 if v < (2, 4, 1) else
                          DEFAULT_PARTITION_KEY_PARTITIONS)
        if has_pkey and not 1 <= npart <= 1024:
            raise ApiError(1100, "partitionsNum should be in [1, 1024], got %d" % npart)
        level = params.get("consistencyLevel", "Bounded")
        if level not in CONSISTENCY:
            raise ApiError(1100, "invalid consistencyLevel %s" % level)
        props = {}
        if "ttlSeconds" in params:
            props["collection.ttl.seconds"] = str(int_param(params, "ttlSeconds", 0))
        if "mmap.enabled" in params:
            props["mmap.enabled"] = str_bool(params["mmap.enabled"])
        if "partitionKeyIsolation" in params:
            props["partitionkey.isolation"] = str_bool(params["partitionKeyIsolation"])
        desc = b.get("description", "") if v >= (2, 5, 5) else ""
        return {"fields": fields, "functions": functions, "enableDynamicField": dyn,
                "description": desc if isinstance(desc, str) else "", "shardsNum": shards,
                "consistencyLevel": level, "partitionsNum": npart if has_pkey else 0,
                "properties": props}

    def parse_field(self, raw, auto_id):
        v = self.version
        name = raw.get("fieldName")
        dtype = raw.get("dataType")
        if not isinstance(name, str) or not name or not isinstance(dtype, str) or not dtype:
            raise ApiError(1802, "missing required parameters, error: fieldName and dataType "
                           "are required")
        check_name(name, "field")
        if dtype not in SCALAR_TYPES | VECTOR_TYPES or v < TYPE_SINCE.get(dtype, (0, 0, 0)):
            raise ApiError(1100, "invalid data type: %s" % dtype)   # case-sensitive (§3.3)
        if v < (2, 5, 0) and "elementTypeParams" not in raw:
            raise ApiError(1802, "missing required parameters, error: elementTypeParams is "
                           "required")
        f = new_field(name, dtype)
        for key in ("isPrimary", "isPartitionKey", "isClusteringKey", "nullable"):
            if key in raw and not isinstance(raw[key], bool):
                raise ApiError(1801, "can only accept json format request, error: %s" % key)
        f["isPrimary"] = raw.get("isPrimary", False)
        f["isPartitionKey"] = raw.get("isPartitionKey", False)
        if v >= (2, 5, 0):        # older servers ignore these keys
            f["isClusteringKey"] = raw.get("isClusteringKey", False)
            f["nullable"] = raw.get("nullable", False)
        f["autoID"] = bool(auto_id and f["isPrimary"])   # autoID applies only to the pk (§3.1)
        params = raw.get("elementTypeParams") or {}
        if not isinstance(params, dict):
            raise ApiError(1801, "can only accept json format request, error: elementTypeParams")
        for k, val in params.items():
            f["params"][k] = self.type_param(val)
        if dtype == "Array":
            et = raw.get("elementDataType")
            if et not in ARRAY_ELEMENT_TYPES:
                raise ApiError(1100, "invalid element data type %r for array field %s"
                               % (et, name))
            f["elementDataType"] = et
            cap = param_int(f, "max_capacity", required=True)
            if not 1 <= cap <= 4096:
                raise ApiError(1100, "the maximum capacity specified for a Array should be in "
                               "(0, 4096]")
        if dtype == "VarChar" or (dtype == "Array" and f.get("elementDataType") == "VarChar"):
            ml = param_int(f, "max_length", required=True)
            if not 1 <= ml <= 65535:
                raise ApiError(1100, "the maximum length specified for a VarChar should be in "
                               "(0, 65535]")
        if dtype in VECTOR_TYPES and dtype != "SparseFloatVector":
            dim = param_int(f, "dim", required=True)
            if dtype == "BinaryVector":
                if dim % 8 or not 8 <= dim <= 32768 * 8:
                    raise ApiError(1100, "invalid dimension: %d. binary vector dimension should "
                                   "be multiple of 8" % dim)
            elif not 2 <= dim <= 32768:
                raise ApiError(1100, "invalid dimension: %d. should be in range 2 ~ 32768" % dim)
        if f["isPrimary"]:
            if dtype not in ("Int64", "VarChar"):
                raise ApiError(1100, "primary key type must be Int64 or VarChar")
            if f["nullable"]:
                raise ApiError(1100, "primary field not support null")
            if f["autoID"] and dtype != "Int64":
                # doc silent; stricter reading: autoID only for Int64 keys
                raise ApiError(1100, "autoID is only supported for Int64 primary keys")
        if f["isPartitionKey"]:
            if dtype not in ("Int64", "VarChar") or f["isPrimary"]:
                raise ApiError(1100, "the data type of partition key should be Int64 or VarChar")
            if f["nullable"]:
                raise ApiError(1100, "partition key field not support nullable")
        if f["nullable"] and dtype in VECTOR_TYPES:
            raise ApiError(1100, "vector type not support null")   # doc silent: stricter
        if v >= (2, 5, 0) and "defaultValue" in raw and raw["defaultValue"] is not None:
            f["defaultValue"] = self.default_value(f, raw["defaultValue"])
            f["hasDefault"] = True
        return f

    def type_param(self, val):
        """elementTypeParams value -> string (§3.2)."""
        if isinstance(val, str):
            return val
        if self.version < (2, 5, 0):
            if isinstance(val, bool):
                return "true" if val else "false"
            if is_num(val) and float(val).is_integer():
                return go_g(val)
            return str(val)
        return json.dumps(val, separators=(",", ":"))

    def default_value(self, f, dv):
        t = f["dataType"]
        try:
            if t in ("JSON", "Array") or t in VECTOR_TYPES:
                raise ValueError("type %s cannot have a default value" % t)
            if t == "Bool":
                if not isinstance(dv, bool):
                    raise ValueError("default value of Bool must be a bool")
                return dv
            if t in INT_RANGES:
                if not is_num(dv):
                    raise ValueError("default value must be a number")
                n = int(float(dv))   # read as float64 (§3.5)
                if float(dv) != n:
                    raise ValueError("default value must be an integer")
                lo, hi = INT_RANGES[t]
                if not lo <= n <= hi:
                    raise ValueError("default value out of range")
                return n
            if t == "Float":
                return f32(float(dv))
            if t == "Double":
                if not is_num(dv):
                    raise ValueError("default value must be a number")
                return float(dv)
            if not isinstance(dv, str):
                raise ValueError("default value must be a string")
            if t == "VarChar" and len(dv.encode("utf-8")) > param_int(f, "max_length"):
                raise ValueError("default value exceeds max_length")
            return dv
        except (ValueError, TypeError, OverflowError) as e:
            raise ApiError(1100, "invalid default value for field %s: %s" % (f["fieldName"], e))

    def parse_function(self, raw, fields):
        if not isinstance(raw, dict):
            raise ApiError(1801, "can only accept json format request, error: schema.functions")
        name, ftype = raw.get("name"), raw.get("type")
        ins, outs = raw.get("inputFieldNames") or [], raw.get("outputFieldNames") or []
        if not name or ftype not in ("BM25", "TextEmbedding", "Rerank") or \
                (ftype == "Rerank" and self.version < (2, 6, 0)):
            raise ApiError(1100, "invalid function %r of type %r" % (name, ftype))
        byname = {f["fieldName"]: f for f in fields}
        for n in ins + outs:
            if n not in byname:
                raise ApiError(1100, "function %s: field %s not found" % (name, n))
        if ftype == "BM25":
            if len(ins) != 1 or len(outs) != 1:
                raise ApiError(1100, "BM25 function needs one input and one output field")
            fin, fout = byname[ins[0]], byname[outs[0]]
            if fin["dataType"] != "VarChar" or fin["params"].get("enable_analyzer") != "true":
                raise ApiError(1100, "BM25 input field %s must be a VarChar with "
                               "enable_analyzer=true" % fin["fieldName"])
            if fout["dataType"] != "SparseFloatVector":
                raise ApiError(1100, "BM25 output field must be a SparseFloatVector")
        for n in outs:
            byname[n]["isFunctionOutput"] = True
        params = raw.get("params") or {}
        return {"name": name, "type": ftype, "description": raw.get("description", ""),
                "inputFieldNames": ins, "outputFieldNames": outs, "params": params}

    def make_collection(self, dbn, name, spec):
        c = Collection(name=name, db=dbn, id=self.state.new_id(), spec=spec,
                       fields=copy.deepcopy(spec["fields"]),
                       functions=copy.deepcopy(spec["functions"]),
                       dynamic=spec["enableDynamicField"], description=spec["description"],
                       shards=spec["shardsNum"], consistency=spec["consistencyLevel"],
                       properties=dict(spec["properties"]), partitions={}, indexes={},
                       loaded=False, load_pending=0, rows=[], seq=0, flushes=0)
        if spec["partitionsNum"]:
            for i in range(spec["partitionsNum"]):
                c.partitions["_default_%d" % i] = {"id": self.state.new_id(), "loaded": False}
        else:
            c.partitions["_default"] = {"id": self.state.new_id(), "loaded": False}
        if "quickIndex" in spec:
            self.create_indexes(c, [spec["quickIndex"]])
            self.load(c, None)
        return c

    def op_collections_drop(self, b, h):
        d, c = self.coll(b, h, follow_alias=False)   # doc silent on missing: stricter, 100
        aliases = [a for a, t in d["aliases"].items() if t == c.name]
        if aliases:
            # doc silent; the real server refuses to drop a collection that has aliases
            raise ApiError(65535, "unable to drop the collection [%s] because it has associated "
                           "aliases %s, please remove all aliases before dropping the "
                           "collection" % (c.name, aliases))
        del d["collections"][c.name]
        return ok()

    def op_collections_has(self, b, h):
        d = self.db(self.db_name(b, h))
        name = self.field_of(b, "collectionName", "str", True)
        return ok({"has": name in d["collections"]})

    def op_collections_list(self, b, h):
        d = self.db(self.db_name(b, h))
        return ok(sorted(d["collections"]))

    def op_collections_describe(self, b, h):
        d, c = self.coll(b, h)
        return ok(self.describe(d, c))

    def describe(self, d, c):
        fields = []
        for f in c.fields:
            out = {"name": f["fieldName"], "id": f["id"], "type": f["dataType"],
                   "primaryKey": f["isPrimary"], "partitionKey": f["isPartitionKey"],
                   "clusteringKey": f["isClusteringKey"], "autoId": f["autoID"],
                   "nullable": f["nullable"], "description": "",
                   "params": [{"key": k, "value": val} for k, val in f["params"].items()]}
            if f.get("elementDataType"):
                out["elementType"] = f["elementDataType"]
            if f.get("hasDefault"):
                out["defaultValue"] = f["defaultValue"]
            if f.get("isFunctionOutput"):
                out["isFunctionOutput"] = True
            fields.append(out)
        indexes = [{"fieldName": i["fieldName"], "indexName": i["indexName"],
                    "metricType": i["metricType"]} for i in c.indexes.values()]
        return {"collectionName": c.name, "collectionID": c.id, "description": c.description,
                "autoId": c.pk["autoID"], "fields": fields, "functions": c.functions,
                "aliases": sorted(a for a, t in d["aliases"].items() if t == c.name),
                "indexes": indexes, "load": self.load_state(c, None)["loadState"],
                "shardsNum": c.shards, "partitionsNum": len(c.partitions),
                "consistencyLevel": c.consistency, "enableDynamicField": c.dynamic,
                "properties": [{"key": k, "value": val} for k, val in c.properties.items()]}

    def op_collections_rename(self, b, h):
        d, c = self.coll(b, h, follow_alias=False)
        new = self.field_of(b, "newCollectionName", "str", True)
        check_name(new, "collection")
        new_db = self.field_of(b, "newDbName", "str") or c.db
        nd = self.db(new_db)
        if new in nd["collections"] or new in nd["aliases"]:
            raise ApiError(65535, "duplicated new collection name %s in database %s"
                           % (new, new_db))
        if new_db != c.db and any(t == c.name for t in d["aliases"].values()):
            raise ApiError(65535, "fail to rename collection to different database, must drop "
                           "all aliases of collection %s before rename" % c.name)
        del d["collections"][c.name]
        c.name, c.db = new, new_db
        nd["collections"][new] = c
        for a, t in list(d["aliases"].items()):
            if t == b["collectionName"]:
                d["aliases"][a] = new
        return ok()

    def op_collections_load(self, b, h):
        d, c = self.coll(b, h)
        self.load(c, None)
        return ok()

    def load(self, c, parts):
        missing = [f["fieldName"] for f in c.vector_fields()
                   if not any(i["fieldName"] == f["fieldName"] for i in c.indexes.values())]
        if missing:
            # doc gives the message, not the code; 700 (index not found) picked
            raise ApiError(700, "there is no vector index on field: [%s], please create index "
                           "firstly" % ", ".join(missing))
        if parts is None:
            c.loaded = True
            parts = list(c.partitions)
        for p in parts:
            c.partitions[p]["loaded"] = True
        c.load_pending = self.async_polls

    def op_collections_release(self, b, h):
        d, c = self.coll(b, h)
        c.loaded = False
        for p in c.partitions.values():
            p["loaded"] = False
        return ok()

    def load_state(self, c, parts):
        names = parts if parts else list(c.partitions)
        if not any(c.partitions[p]["loaded"] for p in names):
            return {"loadState": "LoadStateNotLoad"}
        if c.load_pending > 0:
            return {"loadState": "LoadStateLoading", "loadProgress": 50}
        if not all(c.partitions[p]["loaded"] for p in names) and parts:
            return {"loadState": "LoadStateNotLoad"}
        return {"loadState": "LoadStateLoaded", "loadProgress": 100}

    def op_collections_get_load_state(self, b, h):
        d, c = self.coll(b, h)
        parts = self.field_of(b, "partitionNames", "list") or []
        for p in parts:
            self.partition(c, p)
        st = self.load_state(c, parts)
        if c.load_pending > 0:
            c.load_pending -= 1
        return ok(st)

    def op_collections_get_stats(self, b, h):
        d, c = self.coll(b, h)
        return ok({"rowCount": len(c.rows)})

    def op_collections_flush(self, b, h):
        d, c = self.coll(b, h)
        c.flushes += 1
        return ok()

    def op_collections_alter_properties(self, b, h):
        d, c = self.coll(b, h)
        props = self.props_of(b, "properties")
        if props.get("allow_insert_auto_id") == "true" and not c.pk["autoID"]:
            raise ApiError(1100, "allow_insert_auto_id is only valid when autoID is true")
        c.properties.update(props)
        return ok()

    def op_collections_drop_properties(self, b, h):
        d, c = self.coll(b, h)
        for k in self.keys_of(b):
            c.properties.pop(k, None)
        return ok()

    def op_collections_refresh_load(self, b, h):
        d, c = self.coll(b, h)
        if not c.loaded:
            raise ApiError(101, "collection not loaded[collection=%s]" % c.name)
        return ok()

    def op_collections_truncate(self, b, h):
        d, c = self.coll(b, h)
        c.rows = []
        return ok()

    def op_collections_fields_add(self, b, h):
        d, c = self.coll(b, h)
        raw = self.field_of(b, "schema", "obj", True)
        f = self.parse_field(raw, False)
        if c.field(f["fieldName"]):
            raise ApiError(1100, "duplicate field name %s" % f["fieldName"])
        if f["isPrimary"] or f["isPartitionKey"] or f["isClusteringKey"]:
            raise ApiError(1100, "added field cannot be a primary, partition or clustering key")
        if not f["nullable"]:
            raise ApiError(1100, "added field must be nullable")
        f["id"] = max(x["id"] for x in c.fields) + 1
        c.fields.append(f)
        for r in c.rows:
            r["data"][f["fieldName"]] = f.get("defaultValue")
        return ok()

    # ---- partitions (§2.3)

    def partition(self, c, name):
        if name not in c.partitions:
            raise ApiError(200, "partition not found[partition=%s]" % name)
        return c.partitions[name]

    def part_args(self, b, h, plural=False):
        d, c = self.coll(b, h)
        if plural:
            names = self.field_of(b, "partitionNames", "list", True)
            if not names or not all(isinstance(n, str) for n in names):
                raise ApiError(1802, "missing required parameters, error: partitionNames")
            return c, names
        return c, self.field_of(b, "partitionName", "str", True)

    def op_partitions_create(self, b, h):
        c, p = self.part_args(b, h)
        if c.partition_key:
            raise ApiError(1100, "disable create partition if partition key mode is used")
        check_name(p, "partition")
        if p not in c.partitions:     # an existing partition is ignored (§2.3)
            if len(c.partitions) >= 1024:
                raise ApiError(1100, "partition number (1024) exceeds max configuration")
            c.partitions[p] = {"id": self.state.new_id(), "loaded": c.loaded}
        return ok()

    def op_partitions_drop(self, b, h):
        c, p = self.part_args(b, h)
        if c.partition_key:
            raise ApiError(1100, "disable drop partition if partition key mode is used")
        if p == "_default":
            raise ApiError(1100, "default partition cannot be deleted")
        part = self.partition(c, p)    # doc silent on missing: stricter, 200
        if part["loaded"]:
            raise ApiError(1100, "partition %s cannot be dropped, partition is loaded, please "
                           "release it first" % p)
        del c.partitions[p]
        c.rows = [r for r in c.rows if r["partition"] != p]
        return ok()

    def op_partitions_has(self, b, h):
        c, p = self.part_args(b, h)
        return ok({"has": p in c.partitions})

    def op_partitions_list(self, b, h):
        d, c = self.coll(b, h)
        return ok(list(c.partitions))

    def op_partitions_load(self, b, h):
        c, names = self.part_args(b, h, plural=True)
        for p in names:
            self.partition(c, p)
        self.load(c, names)
        return ok()

    def op_partitions_release(self, b, h):
        c, names = self.part_args(b, h, plural=True)
        for p in names:
            self.partition(c, p)["loaded"] = False
        if not any(p["loaded"] for p in c.partitions.values()):
            c.loaded = False
        return ok()

    # ---- indexes (§2.4)

    def op_indexes_create(self, b, h):
        d, c = self.coll(b, h)
        params = self.field_of(b, "indexParams", "list", True)
        self.create_indexes(c, params)
        return ok()

    def create_indexes(self, c, params):
        for raw in params:     # each entry separately: earlier ones stay on failure (§2.4)
            if not isinstance(raw, dict):
                raise ApiError(1801, "can only accept json format request, error: indexParams")
            fname = raw.get("fieldName")
            if not isinstance(fname, str) or not fname:
                raise ApiError(1802, "missing required parameters, error: Key: "
                               "'IndexParam.FieldName' Error:Field validation for 'FieldName' "
                               "failed on the 'required' tag")
            f = c.field(fname)
            if f is None:
                raise ApiError(1100, "cannot create index on non-exist field: %s" % fname)
            p = raw.get("params") or {}
            if not isinstance(p, dict):
                raise ApiError(1801, "can only accept json format request, error: params")
            itype = raw.get("indexType") or p.get("index_type") or "AUTOINDEX"
            metric = raw.get("metricType") or p.get("metric_type") or ""
            t = f["dataType"]
            if t in VECTOR_TYPES:
                if not metric:
                    metric = "BM25" if f.get("isFunctionOutput") else \
                        ("HAMMING" if t == "BinaryVector" else "IP" if t ==
                         "SparseFloatVector" else "COSINE")
                if metric not in METRICS[t]:
                    raise ApiError(1100, "metric type %s not found or not supported for %s"
                                   % (metric, t))
                if metric == "BM25" and not f.get("isFunctionOutput"):
                    raise ApiError(1100, "BM25 metric needs a BM25 function output field")
            else:
                metric = ""   # scalar indexes take no metric (§2.4)
            name = raw.get("indexName") or fname
            idx = {"indexName": name, "fieldName": fname, "indexType": itype,
                   "metricType": metric, "params": {k: v for k, v in p.items()
                                                    if k not in ("index_type", "metric_type")},
                   "pending": self.async_polls}
            same = idx.copy()
            existing = c.indexes.get(name)
            on_field = [i for i in c.indexes.values() if i["fieldName"] == fname]
            if existing is not None and existing["fieldName"] != fname:
                raise ApiError(65535, "CreateIndex failed: index already exist, but parameters "
                               "are inconsistent: name %s is used on field %s"
                               % (name, existing["fieldName"]))
            if on_field:
                old = dict(on_field[0])
                same["pending"] = old["pending"] = 0
                if old != same:
                    raise ApiError(65535, "CreateIndex failed: at most one distinct index is "
                                   "allowed per field")
                continue     # identical re-create is accepted
            c.indexes[name] = idx

    def index(self, c, name):
        if name not in c.indexes:
            raise ApiError(700, "index not found[indexName=%s]" % name)
        return c.indexes[name]

    def op_indexes_drop(self, b, h):
        d, c = self.coll(b, h)
        name = self.field_of(b, "indexName", "str", True)
        idx = self.index(c, name)
        if c.field(idx["fieldName"])["dataType"] in VECTOR_TYPES and \
                any(p["loaded"] for p in c.partitions.values()):
            raise ApiError(1100, "index cannot be dropped, collection is loaded, please release "
                           "it first")
        del c.indexes[name]
        return ok()

    def op_indexes_alter_properties(self, b, h):
        d, c = self.coll(b, h)
        i = self.index(c, self.field_of(b, "indexName", "str", True))
        i.setdefault("properties", {}).update(self.props_of(b, "properties"))
        return ok()

    def op_indexes_drop_properties(self, b, h):
        d, c = self.coll(b, h)
        i = self.index(c, self.field_of(b, "indexName", "str", True))
        for k in self.keys_of(b):
            i.get("properties", {}).pop(k, None)
        return ok()

    def op_indexes_list(self, b, h):
        d, c = self.coll(b, h)
        return ok(list(c.indexes))

    def op_indexes_describe(self, b, h):
        d, c = self.coll(b, h)
        name = self.field_of(b, "indexName", "str", True)
        i = self.index(c, name)
        state = "InProgress" if i["pending"] > 0 else "Finished"
        if i["pending"] > 0:
            i["pending"] -= 1
        n = len(c.rows)
        out = {"indexName": i["indexName"], "fieldName": i["fieldName"],
               "indexType": i["indexType"], "metricType": i["metricType"], "indexState": state,
               "totalRows": n, "indexedRows": n if state == "Finished" else 0,
               "pendingRows": 0 if state == "Finished" else n, "failReason": ""}
        if self.version >= (2, 5, 13):
            out["indexParams"] = [{"key": k, "value": v if isinstance(v, str) else
                                   json.dumps(v)} for k, v in i["params"].items()]
        return ok([out])

    # ---- aliases
    # Alias error codes are not in the doc: 1600 alias not found, 1602 alias already exists.

    def op_aliases_create(self, b, h):
        d, c = self.coll(b, h, follow_alias=False)
        alias = self.field_of(b, "aliasName", "str", True)
        check_name(alias, "alias")
        if alias in d["collections"]:
            raise ApiError(1601, "alias and collection name conflict[alias=%s]" % alias)
        if alias in d["aliases"]:
            if d["aliases"][alias] == c.name:
                return ok()   # doc silent; same target treated as idempotent
            raise ApiError(1602, "alias already exist[alias=%s]" % alias)
        d["aliases"][alias] = c.name
        return ok()

    def op_aliases_drop(self, b, h):
        d = self.db(self.db_name(b, h))
        alias = self.field_of(b, "aliasName", "str", True)
        if alias not in d["aliases"]:
            raise ApiError(1600, "alias not found[alias=%s]" % alias)   # doc silent: stricter
        del d["aliases"][alias]
        return ok()

    def op_aliases_alter(self, b, h):
        d, c = self.coll(b, h, follow_alias=False)
        alias = self.field_of(b, "aliasName", "str", True)
        if alias not in d["aliases"]:
            raise ApiError(1600, "alias not found[alias=%s]" % alias)
        d["aliases"][alias] = c.name
        return ok()

    def op_aliases_list(self, b, h):
        d = self.db(self.db_name(b, h))
        name = self.field_of(b, "collectionName", "str")
        if name:
            if name not in d["collections"]:
                raise ApiError(100, "collection not found[collection=%s]" % name)
            return ok(sorted(a for a, t in d["aliases"].items() if t == name))
        return ok(sorted(d["aliases"]))

    def op_aliases_describe(self, b, h):
        dbn = self.db_name(b, h)
        d = self.db(dbn)
        alias = self.field_of(b, "aliasName", "str", True)
        if alias not in d["aliases"]:
            raise ApiError(1600, "alias not found[alias=%s]" % alias)
        return ok({"dbName": dbn, "aliasName": alias, "collectionName": d["aliases"][alias]})

    # ---- entities (§2.5, §4)

    def op_entities_insert(self, b, h):
        return self.write(b, h, upsert=False)

    def op_entities_upsert(self, b, h):
        return self.write(b, h, upsert=True)

    def write(self, b, h, upsert):
        d, c = self.coll(b, h)
        data = b.get("data")
        if not isinstance(data, list):
            raise ApiError(1801, "can only accept json format request, error: data should be "
                           "an array of rows")
        if not data:
            raise ApiError(1100, "the data to %s is empty" % ("upsert" if upsert else "insert"))
        part = self.field_of(b, "partitionName", "str")
        if part and c.partition_key:
            raise ApiError(1100, "not support manually specifying the partition names if "
                           "partition key mode is used")
        if part:
            self.partition(c, part)
        part = part or "_default"
        partial = upsert and self.version >= (2, 6, 1) and b.get("partialUpdate") is True
        pk = c.pk
        if upsert and pk["autoID"] and self.version < (2, 5, 0):
            raise ApiError(1100, "upsert can not assign primary field data when auto id "
                           "enabled")
        allow_auto = (not upsert and pk["autoID"] and self.version >= (2, 6, 9)
                      and c.properties.get("allow_insert_auto_id") == "true")
        rows = []
        for i, row in enumerate(data):
            if not isinstance(row, dict):
                raise ApiError(1804, "fail to deal the insert data, error: row %d is not a "
                               "JSON object" % i)
            base = None
            if partial and pk["fieldName"] in row:
                key = convert_pk(pk, row[pk["fieldName"]])
                base = next((r for r in c.rows if r["pk"] == key), None)
            try:
                rows.append(convert_row(c, row, upsert, allow_auto, base, self.version))
            except ApiError as e:
                e.message = "%s (row %d)" % (e.message, i)
                raise
        # a pk repeated within one upsert batch: the last row wins, placed last (doc silent;
        # same result as applying the rows one by one); keyed by pk, not a pass per row
        dedup = upsert and not pk["autoID"]
        ids, new_rows = [], {}
        if upsert:
            # one pass over the stored rows per batch (a pass per row made big replays
            # quadratic); the supplied pks are the ones an upsert deletes (§8)
            self.delete_pks(c, [v[pk["fieldName"]] for v, _ in rows],
                            None if (c.partition_key or pk["autoID"]) else part)
        for vals, meta in rows:
            supplied = vals.get(pk["fieldName"])
            if pk["autoID"] and (upsert or supplied is None):
                self.state.next_auto_pk += 1     # upsert into autoID mints a new pk (§8)
                vals[pk["fieldName"]] = self.state.next_auto_pk
            key = vals[pk["fieldName"]]
            if c.partition_key:
                pkv = vals[c.partition_key["fieldName"]]
                target = "_default_%d" % (zlib.crc32(str(pkv).encode()) % len(c.partitions))
            else:
                target = part
            # doc silent on which partitions an upsert's delete reaches; this fake deletes
            # the key in the target partition only (all partitions for partition-key mode).
            # insert never checks uniqueness: a duplicate pk keeps both rows (§4.5)
            c.seq += 1
            row = {"pk": key, "partition": target, "data": vals, "meta": meta, "seq": c.seq}
            if dedup:
                new_rows.pop(key, None)
                new_rows[key] = row
            else:
                new_rows[len(new_rows)] = row
            ids.append(key)
        c.rows.extend(new_rows.values())
        out_ids = [self.out_int(i, pk, h) for i in ids]
        if upsert:
            return ok({"upsertCount": len(ids), "upsertIds": out_ids}, cost=0)
        return ok({"insertCount": len(ids), "insertIds": out_ids}, cost=0)

    def out_int(self, v, f, h):
        if f["dataType"] == "Int64" and is_int(v) and \
                not bool_header(h.get("Accept-Type-Allow-Int64"), True):
            return str(v)
        return v

    def delete_pks(self, c, keys, partition):
        keys = set(keys)
        before = len(c.rows)
        c.rows = [r for r in c.rows if not (r["pk"] in keys and
                                            (partition is None or r["partition"] == partition))]
        return before - len(c.rows)

    def op_entities_delete(self, b, h):
        d, c = self.coll(b, h)
        flt = self.field_of(b, "filter", "str", True)
        part = self.field_of(b, "partitionName", "str")
        if part and c.partition_key:
            raise ApiError(1100, "not support manually specifying the partition names if "
                           "partition key mode is used")
        if part:
            self.partition(c, part)
        params = self.expr_params(b)
        ast = parse_filter(flt, params)
        pkf = c.pk
        pks = pk_only_values(ast, pkf["fieldName"])
        if pks is not None:
            for v in pks:
                check_literal(pkf, v)
            self.delete_pks(c, pks, part)
            count = len(set(pks))   # doc silent: counts the pks named, like a pk-only delete
        else:
            # a delete by a general expression queries first, so it needs a loaded collection
            self.need_loaded(c, [part] if part else None)
            before = len(c.rows)
            c.rows = [r for r in c.rows if not ((part is None or r["partition"] == part)
                                                 and self.eval_row(c, ast, r))]
            count = before - len(c.rows)
        if self.version < (2, 5, 0):
            return ok({}, cost=0)   # 2.4.0 returns {} (§2.5)
        return ok({"deleteCount": count}, cost=0)

    def expr_params(self, b):
        if self.version < (2, 5, 0):
            return {}      # unknown to 2.4: silently ignored, placeholders then fail to parse
        p = self.field_of(b, "exprParams", "obj")
        return p or {}

    def need_loaded(self, c, parts):
        if not any(p["loaded"] for p in c.partitions.values()):
            raise ApiError(101, "collection not loaded[collection=%s]" % c.name)
        if parts and not all(c.partitions[p]["loaded"] for p in parts):
            raise ApiError(201, "partition not loaded[partition=%s]" % parts)
        if c.load_pending > 0:
            raise ApiError(103, "collection not fully loaded[collection=%s]" % c.name)

    def eval_row(self, c, node, r):
        try:
            return bool(evaluate(node, lambda n: self.lookup(c, r, n)))
        except ExprError as e:
            raise ApiError(1100, "failed to evaluate expression: %s" % e)

    def lookup(self, c, r, name):
        f = c.field(name)
        if f is not None:
            return r["data"].get(name)
        if c.dynamic:
            return r["meta"].get(name, MISSING)
        raise ExprError("field %s not exist" % name)

    def op_entities_query(self, b, h):
        d, c = self.coll(b, h)
        flt = self.field_of(b, "filter", "str") or ""
        limit = self.field_of(b, "limit", "int")
        offset = self.field_of(b, "offset", "int") or 0
        limit = 100 if limit is None else limit
        if limit < 0 or offset < 0 or limit + offset > 16384:
            raise ApiError(1100, "invalid max query result window, (offset+limit) should be in "
                           "range [1, 16384]")
        if not flt and limit <= 0:
            raise ApiError(1100, "empty expression should be used with limit")
        parts = self.field_of(b, "partitionNames", "list")
        for p in parts or []:
            self.partition(c, p)
        self.need_loaded(c, parts)
        ast = parse_filter(flt, self.expr_params(b)) if flt else None
        rows = [r for r in self.visible_rows(c, parts) if ast is None or self.eval_row(c, ast, r)]
        rows = rows[offset:offset + limit] if limit else rows[offset:]
        return ok([self.render(c, r, self.field_of(b, "outputFields", "list"), h)
                   for r in rows], cost=0)

    def visible_rows(self, c, parts):
        names = parts or [p for p, v in c.partitions.items() if v["loaded"]]
        return sorted((r for r in c.rows if r["partition"] in names), key=row_sort_key)

    def op_entities_get(self, b, h):
        d, c = self.coll(b, h)
        ids = b.get("id")
        if ids is None:
            raise ApiError(1802, "missing required parameters, error: id is required")
        if not isinstance(ids, list):
            ids = [ids]
        pk = c.pk
        keys = []
        for v in ids:
            try:
                keys.append(convert_pk(pk, v))
            except ApiError:
                raise ApiError(1806, "the type of primary key(id) is invalid: %r" % (v,))
        parts = self.field_of(b, "partitionNames", "list")
        for p in parts or []:
            self.partition(c, p)
        self.need_loaded(c, parts)
        rows = [r for r in self.visible_rows(c, parts) if r["pk"] in set(keys)]
        return ok([self.render(c, r, self.field_of(b, "outputFields", "list"), h)
                   for r in rows], cost=0)

    def render(self, c, r, output, h):
        pkname = c.pk["fieldName"]
        if not output:
            output = ["*"]
        names = []
        for o in output:
            if o == "*":
                names += [f["fieldName"] for f in c.fields] + list(r["meta"])
            elif c.field(o) is not None or (c.dynamic and (o in r["meta"] or o == "$meta")):
                names.append(o)
            elif c.dynamic:
                continue
            else:
                raise ApiError(1100, "field %s not exist" % o)
        out = {pkname: self.out_int(r["pk"], c.pk, h)}
        for n in names:
            if n == "$meta":
                out.update(r["meta"])
                continue
            f = c.field(n)
            if f is None:
                out[n] = r["meta"][n]
            else:
                out[n] = render_value(f, r["data"].get(n), lambda v: self.out_int(v, f, h))
        return out

    # ---- admin view

    def dump(self):
        with self.lock:
            dbs = {}
            for dn, d in sorted(self.state.databases.items()):
                colls = {}
                for cn, c in sorted(d["collections"].items()):
                    colls[cn] = {
                        "collectionID": c.id, "description": c.description,
                        "schema": {"autoID": c.pk["autoID"], "enableDynamicField": c.dynamic,
                                   "fields": [public_field(f) for f in c.fields],
                                   "functions": c.functions},
                        "shardsNum": c.shards, "consistencyLevel": c.consistency,
                        "properties": c.properties,
                        "partitions": {p: {"loaded": v["loaded"]} for p, v in
                                       c.partitions.items()},
                        "indexes": [{k: v for k, v in i.items() if k != "pending"}
                                    for i in c.indexes.values()],
                        "loadState": self.load_state(c, None)["loadState"],
                        "loaded": any(p["loaded"] for p in c.partitions.values()),
                        "flushes": c.flushes,
                        "rows": [state_row(c, r) for r in sorted(c.rows, key=row_sort_key)],
                    }
                dbs[dn] = {"properties": d["properties"], "aliases": d["aliases"],
                           "collections": colls}
            return {"version": ".".join(map(str, self.version)), "databases": dbs}


MISSING = object()


def row_sort_key(r):
    return (0, r["pk"], "", r["seq"]) if is_int(r["pk"]) else (1, 0, r["pk"], r["seq"])


def state_row(c, r):
    """A stored row as the e2e tests compare it (tests/e2e/lib.sh fake_rows): one flat
    object of fields and flattened dynamic keys, plus "__partition"."""
    out = {f["fieldName"]: render_value(f, r["data"].get(f["fieldName"]), lambda v: v)
           for f in c.fields}
    out.update(r["meta"])
    out["__partition"] = r["partition"]
    return out


def public_field(f):
    out = {k: v for k, v in f.items() if k not in ("hasDefault",)}
    if not f.get("hasDefault"):
        out.pop("defaultValue", None)
    return out


def new_field(name, dtype, isPrimary=False, autoID=False):
    return {"fieldName": name, "dataType": dtype, "isPrimary": isPrimary, "autoID": autoID,
            "isPartitionKey": False, "isClusteringKey": False, "nullable": False,
            "params": {}, "id": 100}


def check_name(name, what):
    if not NAME_RE.match(name) or len(name) > 255:
        raise ApiError(1100, "Invalid %s name: %s. the first character of a %s name must be an "
                       "underscore or letter, and it can only contain underscores, letters and "
                       "numbers" % (what, name, what))


def int_param(params, key, default):
    v = params.get(key)
    if v is None:
        return default
    try:
        if isinstance(v, bool):
            raise ValueError
        if isinstance(v, str):
            return int(v, 10)
        if is_num(v) and float(v).is_integer():
            return int(v)
        raise ValueError
    except ValueError:
        raise ApiError(1100, "invalid %s: %r" % (key, v))


def str_bool(v):
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, str) and v.lower() in ("true", "false"):
        return v.lower()
    raise ApiError(1100, "invalid boolean parameter %r" % (v,))


def param_int(f, key, required=False):
    v = f["params"].get(key)
    if v is None:
        if required:
            raise ApiError(1100, "%s not found in type_params of field %s"
                           % (key, f["fieldName"]))
        return None
    try:
        if not re.fullmatch(r"[0-9]+", v):
            raise ValueError
        return int(v)
    except ValueError:
        raise ApiError(1100, "invalid %s %r for field %s" % (key, v, f["fieldName"]))


# ---------------------------------------------------------------- row conversion (§4)

def conv_err(f, msg):
    return ApiError(1804, "fail to deal the insert data, error: field %s: %s"
                    % (f["fieldName"] if f else "$meta", msg))


def convert_pk(f, v):
    return convert_value(f, v, (9, 9, 9))


def convert_int(f, v, t):
    if is_int(v):
        n = v
    elif isinstance(v, str) and re.fullmatch(r"[+-]?[0-9]+", v):
        n = int(v)
    else:
        raise conv_err(f, "%s needs an integer, got %s" % (t, json.dumps(v)))
    lo, hi = INT_RANGES[t]
    if not lo <= n <= hi:
        raise conv_err(f, "value %d out of %s range" % (n, t))
    return n


def convert_float(f, v, single):
    if v.__class__ is not float and not is_num(v):
        raise conv_err(f, "needs a number, got %s" % json.dumps(v))
    try:
        return f32(float(v)) if single else float(v)
    except OverflowError:
        raise conv_err(f, "value %s overflows float32" % v)


def convert_scalar(f, v, t):
    if t == "Bool":
        if isinstance(v, bool):
            return v
        if v in ("1", "t", "T", "TRUE", "true", "True") or (is_int(v) and v == 1):
            return True
        if v in ("0", "f", "F", "FALSE", "false", "False") or (is_int(v) and v == 0):
            return False
        raise conv_err(f, "needs a bool, got %s" % json.dumps(v))
    if t in INT_RANGES:
        return convert_int(f, v, t)
    if t in ("Float", "Double"):
        return convert_float(f, v, t == "Float")
    if t in ("VarChar", "Geometry", "Timestamptz"):
        if not isinstance(v, str):
            raise conv_err(f, "needs a string, got %s" % json.dumps(v))
        try:
            v.encode("utf-8")
        except UnicodeEncodeError:
            raise conv_err(f, "string is not valid UTF-8")
        return v
    raise conv_err(f, "unsupported type %s" % t)


def convert_value(f, v, version):
    t = f["dataType"]
    if t in SCALAR_TYPES and t not in ("JSON", "Array"):
        return convert_scalar(f, v, t)
    if t == "JSON":
        if isinstance(v, str):
            text = v      # a JSON string: its unescaped contents are the JSON text (§4.1)
        else:
            text = json.dumps(v, separators=(",", ":"), ensure_ascii=False)
        try:
            loads(text)   # doc silent on invalid JSON text: stricter, rejected
        except ValueError:
            raise conv_err(f, "invalid JSON text %r" % text[:50])
        return text
    if t == "Array":
        if not isinstance(v, list):
            raise conv_err(f, "needs a JSON array, got %s" % json.dumps(v))
        return [convert_scalar(f, x, f["elementDataType"]) for x in v]
    dim = param_int(f, "dim") if t != "SparseFloatVector" else None
    if t == "FloatVector":
        if not isinstance(v, list) or len(v) != dim:
            raise conv_err(f, "needs an array of %d numbers" % dim)
        return [convert_float(f, x, True) for x in v]
    if t == "Int8Vector":
        if not isinstance(v, list) or len(v) != dim or \
                not all(is_int(x) and -128 <= x <= 127 for x in v):
            raise conv_err(f, "needs an array of %d integers in -128..127" % dim)
        return list(v)
    if t == "BinaryVector":
        return bytes_vector(f, v, dim // 8, allow_ints=True)
    if t in ("Float16Vector", "BFloat16Vector"):
        if isinstance(v, list):
            if version < (2, 5, 0):
                raise conv_err(f, "needs a base64 string of %d bytes" % (2 * dim))
            if len(v) != dim:
                raise conv_err(f, "needs an array of %d numbers" % dim)
            return b"".join(half(f, convert_float(f, x, False), t) for x in v)
        return bytes_vector(f, v, 2 * dim, allow_ints=False)
    if t == "SparseFloatVector":
        return sparse_vector(f, v)
    raise conv_err(f, "unsupported type %s" % t)


def half(f, x, t):
    if t == "Float16Vector":
        try:
            return struct.pack("<e", x)
        except (OverflowError, struct.error):
            raise conv_err(f, "value %s overflows float16" % x)
    bits = struct.unpack("<I", struct.pack("<f", x))[0]
    bits += 0x7FFF + ((bits >> 16) & 1)      # round to nearest even
    return struct.pack("<H", (bits >> 16) & 0xFFFF)


def bytes_vector(f, v, nbytes, allow_ints):
    if isinstance(v, str):
        try:
            raw = base64.b64decode(v, validate=True)
        except (ValueError, TypeError):
            raise conv_err(f, "invalid base64 string")
    elif allow_ints and isinstance(v, list) and all(is_int(x) and 0 <= x <= 255 for x in v):
        raw = bytes(v)
    else:
        raise conv_err(f, "needs a base64 string of %d bytes" % nbytes)
    if len(raw) != nbytes:
        raise conv_err(f, "needs %d bytes, got %d" % (nbytes, len(raw)))
    return raw


def sparse_vector(f, v):
    if not isinstance(v, dict):
        raise conv_err(f, "sparse vector needs a JSON object")
    if set(v) == {"indices", "values"}:
        idx, vals = v["indices"], v["values"]
        if not isinstance(idx, list) or not isinstance(vals, list) or len(idx) != len(vals):
            raise conv_err(f, "indices and values must be arrays of the same length")
        pairs = list(zip(idx, vals))
    else:
        pairs = []
        for k, val in v.items():
            if not re.fullmatch(r"[0-9]+", k):
                raise conv_err(f, "sparse index %r is not an unsigned integer" % k)
            pairs.append((int(k), val))
    out = {}
    for i, val in pairs:
        if not is_int(i) or not 0 <= i < (1 << 32) - 1:
            raise conv_err(f, "sparse index %r out of range [0, 2^32-1)" % (i,))
        if i in out:
            raise conv_err(f, "duplicate sparse index %d" % i)
        x = convert_float(f, val, True)
        if x < 0:
            raise conv_err(f, "sparse value %s is negative" % x)
        out[i] = x
    return dict(sorted(out.items()))


def dynamic_value(v, top=True):
    """How a flattened $meta value is parsed (§4.3)."""
    if isinstance(v, float):
        if top and isinstance(v, ExpFloat):
            return 0       # "1e5" has no dot: read as int and silently becomes 0 (§4.3)
        return float(v)
    if is_int(v):
        if top:
            if not INT64_MIN <= v <= INT64_MAX:
                raise conv_err(None, "dynamic integer %d out of int64 range" % v)
            return v
        x = float(v)       # nested numbers go through float64 (§4.3)
        return int(x) if x.is_integer() else x
    if isinstance(v, list):
        return [dynamic_value(x, False) for x in v]
    if isinstance(v, dict):
        return {k: dynamic_value(x, False) for k, x in v.items()}
    return v


def convert_row(c, row, upsert, allow_auto, base, version):
    vals, meta = {}, {}
    pk = c.pk
    if "$meta" in row:
        raise ApiError(1804, "fail to deal the insert data, error: use the invalid field "
                       "name($meta) when enable dynamicField")
    for f in c.fields:
        name, t = f["fieldName"], f["dataType"]
        present = name in row
        v = row.get(name)
        if f.get("isFunctionOutput"):
            if present:
                raise conv_err(f, "not allowed to provide input data for function output field")
            vals[name] = None
            continue
        if f["autoID"]:
            if present and not upsert and not allow_auto:
                raise conv_err(f, "no need to pass pk field(%s) when autoid==true in insert"
                               % name)
            if upsert and not present:
                raise conv_err(f, "need to pass pk field(%s) in upsert" % name)
            vals[name] = convert_value(f, v, version) if present else None
            continue
        if not present and base is not None:
            vals[name] = base["data"].get(name)   # partialUpdate keeps the old value
            continue
        if v is None:
            if f.get("hasDefault"):
                vals[name] = f["defaultValue"]    # null and absent are the same (§4.2)
            elif f["nullable"]:
                vals[name] = None
            else:
                raise conv_err(f, "need to pass field %s (not nullable and no default value)"
                               % name)
            continue
        vals[name] = convert_value(f, v, version)
    extras = [k for k in row if c.field(k) is None]
    if extras and not c.dynamic:
        raise ApiError(1804, "fail to deal the insert data, error: field %s is not in the "
                       "schema and the dynamic field is disabled" % extras[0])
    if base is not None:
        meta.update(base["meta"])
    for k in extras:
        if row[k] is None:
            meta.pop(k, None)     # a null value drops the key (§4.3)
            continue
        meta[k] = dynamic_value(row[k])
    validate_row(c, vals, meta)
    return vals, meta


def validate_row(c, vals, meta):
    """Proxy-side checks (1100): lengths and capacities."""
    for f in c.fields:
        v = vals.get(f["fieldName"])
        if v is None:
            continue
        t = f["dataType"]
        if t == "VarChar" and len(v.encode("utf-8")) > param_int(f, "max_length"):
            raise ApiError(1100, "the length (%d) of varchar field (%s) exceeds max length (%s)"
                           % (len(v.encode("utf-8")), f["fieldName"], f["params"]["max_length"]))
        if t == "JSON" and len(v.encode("utf-8")) > JSON_MAX:
            raise ApiError(1100, "the length of JSON field %s exceeds max length %d"
                           % (f["fieldName"], JSON_MAX))
        if t == "Array":
            cap = param_int(f, "max_capacity")
            if len(v) > cap:
                raise ApiError(1100, "the number of elements (%d) of array field (%s) exceeds "
                               "max capacity (%d)" % (len(v), f["fieldName"], cap))
            if f["elementDataType"] == "VarChar":
                ml = param_int(f, "max_length")
                for s in v:
                    if len(s.encode("utf-8")) > ml:
                        raise ApiError(1100, "the length (%d) of varchar element in array field "
                                       "(%s) exceeds max length (%d)" % (len(s.encode("utf-8")),
                                                                        f["fieldName"], ml))
    if meta and len(json.dumps(meta).encode()) > JSON_MAX:
        raise ApiError(1100, "the length of the dynamic field ($meta) exceeds max length %d"
                       % JSON_MAX)


def check_literal(f, v):
    t = f["dataType"]
    if t == "Int64" and not is_int(v):
        raise ApiError(1100, "failed to create query plan: type mismatch: %r is not an int64 "
                       "literal for field %s" % (v, f["fieldName"]))
    if t == "VarChar" and not isinstance(v, str):
        raise ApiError(1100, "failed to create query plan: type mismatch: %r is not a string "
                       "literal for field %s" % (v, f["fieldName"]))


def evaluate(node, lookup):
    k = node[0]
    if k == "lit":
        return node[1]
    if k == "field":
        return lookup(node[1])
    if k == "or":
        return evaluate(node[1], lookup) or evaluate(node[2], lookup)
    if k == "and":
        return evaluate(node[1], lookup) and evaluate(node[2], lookup)
    if k == "not":
        return not evaluate(node[1], lookup)
    if k == "in":
        v, lst = evaluate(node[1], lookup), evaluate(node[2], lookup)
        if not isinstance(lst, list):
            raise ExprError("'in' needs a list")
        return v is not MISSING and v is not None and v in lst
    if k == "cmp":
        a, b = evaluate(node[2], lookup), evaluate(node[3], lookup)
        if a is MISSING or b is MISSING or a is None or b is None:
            return False
        op = node[1]
        try:
            return {"==": a == b, "!=": a != b}[op] if op in ("==", "!=") else \
                {"<": lambda: a < b, "<=": lambda: a <= b, ">": lambda: a > b,
                 ">=": lambda: a >= b}[op]()
        except TypeError:
            raise ExprError("cannot compare %r and %r" % (a, b))
    raise ExprError("bad node")


def render_value(f, v, out_int):
    """Query/get output encoding of a stored value."""
    if v is None:
        return None
    t = f["dataType"]
    if t == "Int64":
        return out_int(v)
    if t == "JSON":
        return loads(v)
    if t == "Array" and f.get("elementDataType") == "Int64":
        return [out_int(x) for x in v]
    return state_value(f, v)


def state_value(f, v):
    if isinstance(v, bytes):
        return base64.b64encode(v).decode()
    if f["dataType"] == "SparseFloatVector" and v is not None:
        return {str(k): x for k, x in v.items()}
    return v


# ---------------------------------------------------------------- faults and HTTP

FAULT_ACTIONS = {"http500", "http408", "busy", "rate_limit", "code", "reset", "slow",
                 "apply_then_408", "apply_then_reset"}


class Faults:
    def __init__(self):
        self.items, self.next_id = [], 1

    def add(self, spec):
        if not isinstance(spec, dict):
            raise ValueError("fault must be a JSON object")
        action = spec.get("action")
        if action not in FAULT_ACTIONS:
            raise ValueError("action must be one of %s" % sorted(FAULT_ACTIONS))
        nth, count = spec.get("nth", 1), spec.get("count", 1)
        if not is_int(nth) or nth < 1 or not is_int(count) or count < 1:
            raise ValueError("nth and count must be positive integers")
        path = spec.get("path") or "*"
        code = spec.get("code", {"busy": 8, "rate_limit": 1807}.get(action, 65535))
        fault = {"id": self.next_id, "path": path, "nth": nth, "count": count,
                 "action": action, "code": code, "seconds": float(spec.get("seconds", 1)),
                 "message": spec.get("message"), "seen": 0, "fired": 0}
        self.next_id += 1
        self.items.append(fault)
        return fault

    def match(self, path):
        """Count this data request against every fault on its path and return the first
        fault that is due (seen >= nth) and not used up (fired < count).  A due fault
        that loses to an earlier one stays due, so several faults on one path fire on
        successive requests."""
        hit = None
        for f in self.items:
            if f["path"] not in ("*", path):
                continue
            f["seen"] += 1
            if hit is None and f["seen"] >= f["nth"] and f["fired"] < f["count"]:
                f["fired"] += 1
                hit = f
        return hit


ERROR_MESSAGES = {8: "rate limit exceeded[rate=0]", 1807: "request is rejected by limiter",
                  1: "service not ready", 2: "service unavailable", 4: "queue full",
                  103: "collection not fully loaded"}
LOG_HEADERS = ("Authorization", "Content-Type", "DB-Name", "Request-Timeout",
               "Accept-Type-Allow-Int64", "Expect", "Content-Length", "Transfer-Encoding",
               "Connection", "User-Agent")


class Server(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True

    def __init__(self, addr, milvus):
        super().__init__(addr, Handler)
        self.milvus = milvus
        self.faults = Faults()
        self.log = []
        self.log_lock = threading.Lock()
        self.conn_seq = 0


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "fake-milvus/1"

    def setup(self):
        super().setup()
        # headers and body go out in two writes: without this, Nagle plus the
        # client's delayed ACK add 40 ms to every answer
        self.connection.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        with self.server.log_lock:
            self.server.conn_seq += 1
            self.conn_id = self.server.conn_seq

    def log_message(self, fmt, *args):
        pass

    def do_GET(self):
        self.dispatch()

    do_POST = do_PUT = do_DELETE = do_PATCH = do_GET

    def read_body(self):
        if "chunked" in (self.headers.get("Transfer-Encoding") or "").lower():
            chunks = []
            while True:
                size = int(self.rfile.readline().split(b";")[0].strip() or b"0", 16)
                if size == 0:
                    while self.rfile.readline() not in (b"\r\n", b"\n", b""):
                        pass
                    break
                chunks.append(self.rfile.read(size))
                self.rfile.readline()
            return b"".join(chunks)
        n = int(self.headers.get("Content-Length") or 0)
        return self.rfile.read(n) if n else b""

    def send(self, status, body, ctype="application/json; charset=utf-8", compact=False):
        data = body if isinstance(body, bytes) else \
            json.dumps(body, ensure_ascii=False,
                       separators=(",", ":") if compact else None).encode("utf-8")
        self.send_response(status)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def reset(self):
        try:
            self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER,
                                       struct.pack("ii", 1, 0))
            self.connection.close()
        except OSError:
            pass
        self.close_connection = True

    def dispatch(self):
        raw = self.read_body()
        path = self.path.split("?")[0]
        if path.startswith("/_fake/"):
            return self.admin(path, raw)   # admin answers use ", " and ": " separators
        m = self.server.milvus
        entry = {"conn": self.conn_id, "method": self.command, "path": path,
                 "headers": {k: self.headers[k] for k in LOG_HEADERS if k in self.headers},
                 "rawBody": raw.decode("utf-8", "replace"), "body": None,
                 "status": None, "code": None}
        try:
            entry["body"] = loads(raw) if raw else None
        except ValueError:
            pass
        with self.server.log_lock:
            entry["seq"] = len(self.server.log) + 1
            self.server.log.append(entry)
            fault = self.server.faults.match(path) if path.startswith("/v2/") else None
        if fault:
            entry["fault"] = fault["action"]
        status, resp = self.answer(m, path, raw, fault)
        entry["status"] = status
        if isinstance(resp, dict):
            entry["code"] = resp.get("code")
        if status is None:
            return self.reset()
        if isinstance(resp, dict):
            self.send(status, resp, compact=True)
        else:
            self.send(status, resp, "text/plain; charset=utf-8")

    def answer(self, m, path, raw, fault):
        """(status, body) where body is a dict (JSON) or bytes; status None = reset."""
        name = path[len("/v2/vectordb/"):] if path.startswith("/v2/vectordb/") else None
        if self.command != "POST" or name not in ENDPOINT_SINCE or \
                m.version < ENDPOINT_SINCE[name]:
            return 404, b"404 page not found"
        if not self.authorized(m):
            return 401, {"code": 1800, "message": "user hasn't authenticated"}
        action = fault["action"] if fault else None
        if action == "slow":
            time.sleep(fault["seconds"])
        elif action == "reset":
            return None, None
        elif action == "http500":
            return 500, b""
        elif action == "http408":
            return 408, {"code": 10001, "message": "request timeout"}
        elif action in ("busy", "rate_limit", "code"):
            return 200, {"code": fault["code"], "message": fault["message"] or
                         ERROR_MESSAGES.get(fault["code"], "injected error")}
        status, resp = self.execute(m, name, raw)
        if action == "apply_then_408":
            return 408, {"code": 10001, "message": "request timeout"}
        if action == "apply_then_reset":
            return None, None
        return status, resp

    def execute(self, m, name, raw):
        if not raw.strip():
            return 200, {"code": 1801, "message": "can only accept json format request, the "
                         "request body should be nil, however {} is valid"}
        try:
            body = loads(raw.decode("utf-8"))
        except (ValueError, UnicodeDecodeError) as e:
            return 200, {"code": 1801, "message": "can only accept json format request, "
                         "error: %s" % e}
        if not isinstance(body, dict):
            return 200, {"code": 1801, "message": "can only accept json format request, "
                         "error: the body is not a JSON object"}
        try:
            return 200, m.handle("/v2/vectordb/" + name, body, self.headers)
        except ApiError as e:
            return e.http, {"code": e.code, "message": e.message}
        except Exception as e:   # a bug in the fake: answer like a handler panic
            sys.stderr.write("fake-milvus: internal error on %s: %r\n" % (name, e))
            import traceback
            traceback.print_exc()
            return 500, b""

    def authorized(self, m):
        if not m.token:
            return True
        auth = self.headers.get("Authorization") or ""
        if auth.startswith("Basic "):
            try:
                return base64.b64decode(auth[6:], validate=True).decode() == m.token
            except (ValueError, UnicodeDecodeError):
                return False
        if auth.startswith("Bearer "):
            return auth[7:] == m.token    # "user:password" or an API key
        return False

    # ---- admin API

    def admin(self, path, raw):
        srv, m = self.server, self.server.milvus
        try:
            body = loads(raw) if raw.strip() else {}
        except ValueError as e:
            return self.send(400, {"error": "bad JSON: %s" % e}, compact=False)
        try:
            if path == "/_fake/state" and self.command == "GET":
                return self.send(200, m.dump(), compact=False)
            if path == "/_fake/requests" and self.command == "GET":
                with srv.log_lock:
                    return self.send(200, list(srv.log))
            if path == "/_fake/faults" and self.command == "GET":
                with srv.log_lock:
                    return self.send(200, srv.faults.items)
            if path == "/_fake/faults" and self.command == "POST":
                specs = body if isinstance(body, list) else [body]
                with srv.log_lock:
                    added = [dict(srv.faults.add(s)) for s in specs]
                return self.send(200, added if isinstance(body, list) else added[0])
            if path == "/_fake/faults/clear" and self.command == "POST":
                with srv.log_lock:
                    srv.faults = Faults()
                return self.send(200, {})
            if path == "/_fake/requests/clear" and self.command == "POST":
                with srv.log_lock:
                    srv.log = []
                return self.send(200, {})
            if path == "/_fake/reset" and self.command == "POST":
                with m.lock, srv.log_lock:
                    m.state = State()
                    srv.faults = Faults()
                    srv.log = []
                return self.send(200, {})
            if path == "/_fake/config" and self.command == "POST":
                with m.lock:
                    if "version" in body:
                        m.version = parse_version(str(body["version"]))
                    if "asyncPolls" in body:
                        m.async_polls = int(body["asyncPolls"])
                    if "token" in body:
                        m.token = body["token"] or None
                return self.send(200, {"version": ".".join(map(str, m.version)),
                                       "asyncPolls": m.async_polls, "token": m.token})
        except (ValueError, TypeError) as e:
            return self.send(400, {"error": str(e)})
        return self.send(404, {"error": "unknown admin path %s %s" % (self.command, path)})


def main():
    ap = argparse.ArgumentParser(description="strict fake Milvus REST v2 server")
    ap.add_argument("--port", type=int, default=0)
    ap.add_argument("--version", default="2.6")
    ap.add_argument("--token", default=None)
    ap.add_argument("--state-file", default=None)
    ap.add_argument("--async-polls", type=int, default=0,
                    help="polls of get_load_state / indexes/describe before 'done'")
    a = ap.parse_args()
    m = Milvus(parse_version(a.version), a.token)
    m.async_polls = a.async_polls
    srv = Server(("127.0.0.1", a.port), m)
    stop = threading.Event()

    def on_signal(signum, frame):
        if not stop.is_set():
            stop.set()
            threading.Thread(target=srv.shutdown, daemon=True).start()

    signal.signal(signal.SIGTERM, on_signal)
    signal.signal(signal.SIGINT, on_signal)
    sys.stdout.write("URI=http://127.0.0.1:%d\n" % srv.server_address[1])
    sys.stdout.flush()
    srv.serve_forever(poll_interval=0.1)
    srv.server_close()
    if a.state_file:
        with open(a.state_file, "w") as fp:
            json.dump(m.dump(), fp, indent=1, sort_keys=True)
            fp.write("\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
