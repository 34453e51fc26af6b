#!/usr/bin/python3
"""A strict fake of the Milvus REST v2 API (shared/docs/milvus-rest.md) for
the tests of cdc-write-milvus: in-memory databases, collections, partitions,
indexes, load state, aliases and rows, Milvus's envelope and codes, the
validation Milvus does, fault injection and a view of its state.

    fake_milvus.py [--port 0] [--version 2.6] [--token user:pass]

prints "URI=http://127.0.0.1:PORT" once listening.  Admin endpoints:
GET /_fake/state, GET /_fake/requests, POST /_fake/faults
{"path": "/v2/vectordb/entities/upsert", "nth": 1, "count": 1,
 "action": "http500|http408|busy|reset|slow|apply_then_408", "seconds": 1},
POST /_fake/reset.  Where the doc leaves a behaviour open the stricter
reading is taken; each such place says so.
"""
import argparse, base64, json, re, signal, socket, sys, threading, time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

OK, NOT_FOUND_COLL, NOT_FOUND_PART, NOT_FOUND_INDEX, NOT_FOUND_DB = 0, 100, 200, 700, 800
INVALID, BAD_JSON, MISSING, INSERT_DATA, UNEXPECTED = 1100, 1801, 1802, 1804, 65535
INT_RANGE = {"Int8": 2**7, "Int16": 2**15, "Int32": 2**31, "Int64": 2**63}
VECTORS = {"FloatVector", "BinaryVector", "Float16Vector", "BFloat16Vector",
           "SparseFloatVector", "Int8Vector"}
SCALARS = {"Bool", "Int8", "Int16", "Int32", "Int64", "Float", "Double", "VarChar",
           "JSON", "Array", "Geometry", "Timestamptz"}
SINCE = {"/v2/vectordb/databases/": "2.5", "/v2/vectordb/collections/flush": "2.5.4",
         "/v2/vectordb/collections/alter_properties": "2.5.4",
         "/v2/vectordb/indexes/alter_properties": "2.5.4"}


class Fail(Exception):
    def __init__(self, code, message, http=200):
        super().__init__(message)
        self.code, self.message, self.http = code, message, http


def need(body, *keys):
    for k in keys:
        if k not in body or body[k] in (None, ""):
            raise Fail(MISSING, "missing required parameters, error: Key: '%s' "
                       "Error:Field validation for '%s' failed on the 'required' tag" % (k, k))


class State:
    def __init__(self):
        self.lock = threading.Lock()
        self.dbs = {"default": {"properties": {}, "collections": {}}}
        self.aliases = {}

    def db(self, body):
        name = body.get("dbName") or "default"
        if name not in self.dbs:
            raise Fail(NOT_FOUND_DB, "database not found[database=%s]" % name)
        return self.dbs[name]

    def coll(self, body, name=None):
        d = self.db(body)
        name = name or body.get("collectionName")
        name = self.aliases.get((body.get("dbName") or "default", name), name)
        if name not in d["collections"]:
            raise Fail(NOT_FOUND_COLL, "collection not found[collection=%s]" % name)
        return d["collections"][name]

    def dump(self):
        out = {"databases": {}}
        for dn, d in sorted(self.dbs.items()):
            cs = {}
            for cn, c in sorted(d["collections"].items()):
                pk = c["pk"]
                cs[cn] = {"schema": c["schema"], "partitions": sorted(c["partitions"]),
                          "indexes": c["indexes"], "loaded": c["loaded"],
                          "properties": c["properties"],
                          "rows": sorted(c["rows"], key=lambda r: (str(type(r[pk])), r[pk]))}
            out["databases"][dn] = {"properties": d["properties"], "collections": cs}
        out["aliases"] = {"%s.%s" % k: v for k, v in sorted(self.aliases.items())}
        return out


# === schema ===

def check_field(f):
    need(f, "fieldName", "dataType")
    t = f["dataType"]
    if t not in SCALARS | VECTORS:
        raise Fail(INVALID, "invalid data type: %s" % t)
    p = f.get("elementTypeParams")
    if p is None:   # stricter reading: 2.4 declared it required
        raise Fail(MISSING, "elementTypeParams is required for field %s" % f["fieldName"])
    for k, v in p.items():
        if not isinstance(v, str) and not isinstance(v, dict):
            raise Fail(INVALID, "type param %s of %s must be a string" % (k, f["fieldName"]))
    if t in VECTORS - {"SparseFloatVector"} and "dim" not in p:
        raise Fail(INVALID, "dim not set for vector field %s" % f["fieldName"])
    if t == "VarChar" and "max_length" not in p:
        raise Fail(INVALID, "type param(max_length) should be specified for varChar field")
    if t == "Array" and ("max_capacity" not in p or "elementDataType" not in f):
        raise Fail(INVALID, "array field %s needs max_capacity and elementDataType" % f["fieldName"])
    if f.get("isPrimary") and (t not in ("Int64", "VarChar") or f.get("nullable")):
        raise Fail(INVALID, "primary key must be a non-nullable Int64 or VarChar")


def create_collection(st, body):
    need(body, "collectionName")
    d = st.db(body)
    schema = body.get("schema") or {}
    fields = schema.get("fields") or []
    if not fields:
        raise Fail(INVALID, "quick create is not used by replicators (strict fake)")
    for f in fields:
        check_field(f)
    pks = [f for f in fields if f.get("isPrimary")]
    if len(pks) != 1:
        raise Fail(INVALID, "there must be exactly one primary key field")
    if any(f.get("fieldName") == "$meta" for f in fields):
        raise Fail(INVALID, "the field name $meta is reserved")
    name = body["collectionName"]
    norm = json.dumps({"schema": schema, "params": body.get("params", {})}, sort_keys=True)
    if name in d["collections"]:
        if d["collections"][name]["norm"] == norm:
            return {}
        raise Fail(UNEXPECTED, "create duplicate collection with different parameters, "
                   "collection: %s" % name)
    for p in (body.get("params") or {}).values():
        if not isinstance(p, str):   # stricter reading: 2.4 wanted strings
            raise Fail(INVALID, "params values must be strings")
    outputs = {o for fn in schema.get("functions") or [] for o in fn.get("outputFieldNames", [])}
    d["collections"][name] = {
        "schema": schema, "norm": norm, "pk": pks[0]["fieldName"],
        "fields": {f["fieldName"]: f for f in fields}, "outputs": outputs,
        "partitions": {"_default"}, "indexes": {}, "loaded": False,
        "properties": {}, "rows": []}
    return {}


def describe(st, body):
    c = st.coll(body)
    fields = []
    for f in c["schema"]["fields"]:
        fields.append({"name": f["fieldName"], "type": f["dataType"],
                       "primaryKey": bool(f.get("isPrimary")), "autoId": False,
                       "nullable": bool(f.get("nullable")),
                       "partitionKey": bool(f.get("isPartitionKey")),
                       "params": [{"key": k, "value": v} for k, v in
                                  f.get("elementTypeParams", {}).items()],
                       "elementType": f.get("elementDataType")})
    return {"collectionName": body["collectionName"], "fields": fields,
            "enableDynamicField": bool(c["schema"].get("enableDynamicField")),
            "indexes": list(c["indexes"]), "load": "LoadStateLoaded" if c["loaded"]
            else "LoadStateNotLoad"}


# === rows ===

def dim_of(f):
    return int(f.get("elementTypeParams", {}).get("dim", "0"))


def bad(f, why):
    raise Fail(INSERT_DATA, "fail to deal the insert data, error: field %s: %s"
               % (f["fieldName"], why))


def check_vector(f, v):
    t, dim = f["dataType"], dim_of(f)
    if t == "FloatVector":
        if not isinstance(v, list) or len(v) != dim or \
                not all(isinstance(x, (int, float)) and not isinstance(x, bool) for x in v):
            bad(f, "want %d floats" % dim)
    elif t == "BinaryVector":
        raw = b64(f, v) if isinstance(v, str) else bytes(v) if isinstance(v, list) else bad(f, "bytes")
        if len(raw) != dim // 8:
            bad(f, "want %d bytes, got %d" % (dim // 8, len(raw)))
    elif t in ("Float16Vector", "BFloat16Vector"):
        if isinstance(v, str):
            if len(b64(f, v)) != 2 * dim:
                bad(f, "want %d bytes" % (2 * dim))
        elif not isinstance(v, list) or len(v) != dim:
            bad(f, "want %d numbers or base64" % dim)
    elif t == "SparseFloatVector":
        if not isinstance(v, dict):
            bad(f, "sparse vector must be an object")
        for k, x in v.items():
            if not k.isdigit() or int(k) >= 2**32 - 1 or not isinstance(x, (int, float)) or x < 0:
                bad(f, "bad sparse entry %s: %r" % (k, x))
    elif t == "Int8Vector":
        if not isinstance(v, list) or len(v) != dim or not all(-128 <= x <= 127 for x in v):
            bad(f, "want %d int8" % dim)


def b64(f, s):
    try:
        return base64.b64decode(s, validate=True)
    except Exception:
        bad(f, "invalid base64")


def check_scalar(f, v, t=None):
    t = t or f["dataType"]
    p = f.get("elementTypeParams", {})
    if t == "Bool" and not isinstance(v, bool):
        bad(f, "not a bool: %r" % (v,))
    elif t in INT_RANGE:
        if isinstance(v, str) and t == "Int64" and re.fullmatch(r"-?\d+", v):
            v = int(v)
        if not isinstance(v, int) or isinstance(v, bool) or not -INT_RANGE[t] <= v < INT_RANGE[t]:
            bad(f, "not an %s: %r" % (t, v))
    elif t in ("Float", "Double"):
        if not isinstance(v, (int, float)) or isinstance(v, bool):
            bad(f, "not a number: %r" % (v,))
    elif t == "VarChar":
        if not isinstance(v, str):
            bad(f, "not a string: %r" % (v,))
        if len(v.encode()) > int(p.get("max_length", "65535")):
            bad(f, "longer than max_length")
    elif t == "JSON":
        # Stricter reading of §4.1: the writer must send JSON text as a string.
        if not isinstance(v, str):
            bad(f, "JSON fields must be sent as a string of JSON text")
        try:
            v = json.loads(v)   # stored parsed, as query returns it
        except ValueError:
            bad(f, "invalid JSON text")
    elif t == "Array":
        if not isinstance(v, list) or len(v) > int(p.get("max_capacity", "0")):
            bad(f, "not an array within max_capacity")
        for x in v:
            check_scalar(f, x, f.get("elementDataType"))
    return v


def check_row(c, row):
    if not isinstance(row, dict):
        raise Fail(BAD_JSON, "can only accept json format request, rows must be objects")
    if "$meta" in row:
        raise Fail(INSERT_DATA, "use the invalid field name($meta) when insert")
    out = {}
    for name, f in c["fields"].items():
        if name in c["outputs"]:
            if name in row:
                bad(f, "is the output of a function and must not be supplied")
            continue
        if name not in row or row[name] is None:
            if f.get("nullable") or "defaultValue" in f:
                out[name] = f.get("defaultValue")
                continue
            bad(f, "missing (not nullable, no default)")
        v = row[name]
        if f["dataType"] in VECTORS:
            check_vector(f, v)
        else:
            v = check_scalar(f, v)
        out[name] = v
    extra = {k: v for k, v in row.items() if k not in c["fields"]}
    if extra and not c["schema"].get("enableDynamicField"):
        raise Fail(INSERT_DATA, "fail to deal the insert data, error: unknown field %s"
                   % sorted(extra)[0])
    out.update({k: v for k, v in extra.items() if v is not None})
    return out


def write_rows(st, body, upsert):
    need(body, "collectionName", "data")
    c = st.coll(body)
    if not isinstance(body["data"], list):
        raise Fail(BAD_JSON, "can only accept json format request, data must be an array")
    part = body.get("partitionName") or "_default"
    if part not in c["partitions"]:
        raise Fail(NOT_FOUND_PART, "partition not found[partition=%s]" % part)
    rows = [check_row(c, r) for r in body["data"]]
    pk = c["pk"]
    if upsert:
        keys = {r[pk] for r in rows}
        c["rows"] = [r for r in c["rows"] if r[pk] not in keys]
    for r in rows:
        c["rows"].append(dict(r, **{"__partition": part}))
    n = "upsertCount" if upsert else "insertCount"
    return {n: len(rows), ("upsertIds" if upsert else "insertIds"): [r[pk] for r in rows]}


# === delete filters ===

LIT = r'-?\d+|"(?:[^"\\]|\\.)*"'


def parse_lit(s):
    if s.startswith('"'):
        out, i = [], 1
        while i < len(s) - 1:
            ch = s[i]
            if ch == "\\":
                nxt = s[i + 1]
                if nxt == "x":
                    out.append(chr(int(s[i + 2:i + 4], 16)))
                    i += 4
                    continue
                out.append({"n": "\n", "r": "\r", "t": "\t"}.get(nxt, nxt))
                i += 2
                continue
            out.append(ch)
            i += 1
        return "".join(out)
    return int(s)


def parse_filter(c, body):
    flt = body["filter"].strip()
    pk = c["pk"]
    m = re.fullmatch(r"(\w+)\s+in\s+\{(\w+)\}", flt)
    if m:
        if m.group(1) != pk or m.group(2) not in (body.get("exprParams") or {}):
            raise Fail(INVALID, "cannot parse expression: %s" % flt)
        return set(body["exprParams"][m.group(2)])
    m = re.fullmatch(r"(\w+)\s+in\s+\[\s*((?:%s)(?:\s*,\s*(?:%s))*)?\s*\]" % (LIT, LIT), flt)
    if m and m.group(1) == pk:
        return {parse_lit(x) for x in re.findall(LIT, m.group(2) or "")}
    m = re.fullmatch(r"(\w+)\s*==\s*(%s)" % LIT, flt)
    if m and m.group(1) == pk:
        return {parse_lit(m.group(2))}
    # Stricter: only primary-key filters are understood by this fake.
    raise Fail(INVALID, "cannot parse expression: %s" % flt)


def delete_rows(st, body):
    need(body, "collectionName", "filter")
    c = st.coll(body)
    keys = parse_filter(c, body)
    pk = c["pk"]
    before = len(c["rows"])
    part = body.get("partitionName")
    c["rows"] = [r for r in c["rows"] if r[pk] not in keys or
                 (part and r["__partition"] != part)]
    return {"deleteCount": before - len(c["rows"])}


# === DDL ===

def load(st, body):
    c = st.coll(body)
    vec = [n for n, f in c["fields"].items() if f["dataType"] in VECTORS]
    idx = {i["fieldName"] for i in c["indexes"].values()}
    for n in vec:
        if n not in idx:
            # The doc gives the message, not the code; 700 (index not found).
            raise Fail(NOT_FOUND_INDEX, "there is no vector index on field: [%s], "
                       "please create index firstly" % n)
    c["loaded"] = True
    return {}


def create_index(st, body):
    need(body, "collectionName", "indexParams")
    c = st.coll(body)
    for p in body["indexParams"]:
        need(p, "fieldName")
        if p["fieldName"] not in c["fields"]:
            raise Fail(INVALID, "field not found: %s" % p["fieldName"])
        name = p.get("indexName") or p["fieldName"]
        same = [i for i in c["indexes"].values() if i["fieldName"] == p["fieldName"]]
        if same and same[0] != p:
            raise Fail(UNEXPECTED, "at most one distinct index is allowed per field")
        c["indexes"][name] = p
    return {}


def drop_index(st, body):
    need(body, "collectionName", "indexName")
    c = st.coll(body)
    if body["indexName"] not in c["indexes"]:
        raise Fail(NOT_FOUND_INDEX, "index not found[indexName=%s]" % body["indexName"])
    if c["loaded"]:
        raise Fail(INVALID, "index cannot be dropped, collection is loaded, please release it first")
    del c["indexes"][body["indexName"]]
    return {}


def db_create(st, body):
    need(body, "dbName")
    if body["dbName"] in st.dbs:
        raise Fail(UNEXPECTED, "database already exist: %s" % body["dbName"])
    st.dbs[body["dbName"]] = {"properties": body.get("properties") or {}, "collections": {}}
    return {}


def db_drop(st, body):
    need(body, "dbName")
    d = st.db(body)
    if d["collections"]:
        raise Fail(UNEXPECTED, "can not drop database with collections")
    del st.dbs[body["dbName"]]
    return {}


def rename(st, body):
    need(body, "collectionName", "newCollectionName")
    c = st.coll(body)
    d = st.dbs[body.get("newDbName") or body.get("dbName") or "default"]
    if body["newCollectionName"] in d["collections"]:
        raise Fail(UNEXPECTED, "duplicated new collection name")
    del st.db(body)["collections"][body["collectionName"]]
    d["collections"][body["newCollectionName"]] = c
    return {}


def partition(st, body, create):
    need(body, "collectionName", "partitionName")
    c = st.coll(body)
    p = body["partitionName"]
    if create:
        c["partitions"].add(p)
    elif p not in c["partitions"]:
        raise Fail(NOT_FOUND_PART, "partition not found[partition=%s]" % p)
    elif c["loaded"]:
        raise Fail(INVALID, "partition cannot be dropped, partition is loaded, please release it first")
    else:
        c["partitions"].discard(p)
        c["rows"] = [r for r in c["rows"] if r["__partition"] != p]
    return {}


def alias(st, body, op):
    need(body, "aliasName")
    key = (body.get("dbName") or "default", body["aliasName"])
    if op == "drop":
        st.aliases.pop(key, None)
        return {}
    need(body, "collectionName")
    st.coll(body)
    if op == "create" and key in st.aliases:
        raise Fail(UNEXPECTED, "alias already exists: %s" % body["aliasName"])
    st.aliases[key] = body["collectionName"]
    return {}


def index_of(c, name):
    if name not in c["indexes"]:
        raise Fail(NOT_FOUND_INDEX, "index not found[indexName=%s]" % name)
    return c["indexes"][name]


def set_flag(c, k, v):
    c[k] = v
    return {}


ROUTES = {
    "databases/create": db_create,
    "databases/drop": db_drop,
    "databases/list": lambda st, b: sorted(st.dbs),
    "databases/describe": lambda st, b: (need(b, "dbName"), {"dbName": b["dbName"],
                                         "properties": st.db(b)["properties"]})[1],
    "databases/alter": lambda st, b: (need(b, "dbName"), st.db(b)["properties"].update(
        b.get("properties") or {}), {})[2],
    "collections/create": create_collection,
    "collections/describe": describe,
    "collections/drop": lambda st, b: (need(b, "collectionName"), st.coll(b),
                                       st.db(b)["collections"].pop(b["collectionName"]), {})[3],
    "collections/has": lambda st, b: {"has": b.get("collectionName") in st.db(b)["collections"]},
    "collections/list": lambda st, b: sorted(st.db(b)["collections"]),
    "collections/load": load,
    "collections/release": lambda st, b: set_flag(st.coll(b), "loaded", False),
    "collections/get_load_state": lambda st, b: {"loadState": "LoadStateLoaded" if
                                                 st.coll(b)["loaded"] else "LoadStateNotLoad"},
    "collections/flush": lambda st, b: (need(b, "collectionName"), st.coll(b), {})[2],
    "collections/rename": rename,
    "collections/alter_properties": lambda st, b: (st.coll(b)["properties"].update(
        b.get("properties") or {}), {})[1],
    "partitions/create": lambda st, b: partition(st, b, True),
    "partitions/drop": lambda st, b: partition(st, b, False),
    "partitions/list": lambda st, b: sorted(st.coll(b)["partitions"]),
    "partitions/load": lambda st, b: load(st, b),
    "partitions/release": lambda st, b: set_flag(st.coll(b), "loaded", False),
    "indexes/create": create_index,
    "indexes/drop": drop_index,
    "indexes/list": lambda st, b: sorted(st.coll(b)["indexes"]),
    "indexes/alter_properties": lambda st, b: (need(b, "collectionName", "indexName"),
                                               index_of(st.coll(b), b["indexName"]).setdefault(
                                                   "properties", {}).update(b.get("properties") or {}),
                                               {})[2],
    "collections/drop_properties": lambda st, b: ([st.coll(b)["properties"].pop(k, None)
                                                   for k in b.get("propertyKeys") or []], {})[1],
    "databases/drop_properties": lambda st, b: ([st.db(b)["properties"].pop(k, None)
                                                 for k in b.get("propertyKeys") or []], {})[1],
    "aliases/create": lambda st, b: alias(st, b, "create"),
    "aliases/alter": lambda st, b: alias(st, b, "alter"),
    "aliases/drop": lambda st, b: alias(st, b, "drop"),
    "entities/insert": lambda st, b: write_rows(st, b, False),
    "entities/upsert": lambda st, b: write_rows(st, b, True),
    "entities/delete": delete_rows,
    "entities/query": lambda st, b: [{k: v for k, v in r.items() if k != "__partition"}
                                     for r in st.coll(b)["rows"]],
}


# === the server ===

class Server(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True

    def __init__(self, addr, args):
        super().__init__(addr, Handler)
        self.args, self.state, self.faults, self.log = args, State(), [], []
        self.lock = threading.Lock()


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, *a):
        pass

    def setup(self):
        super().setup()
        # Headers and body go out in two writes: without this, Nagle and
        # the client's delayed ACK add 40 ms to every answer.
        self.connection.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)

    def reply(self, http, obj, ctype="application/json"):
        data = obj if isinstance(obj, bytes) else json.dumps(obj).encode()
        self.send_response(http)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def do_GET(self):
        srv = self.server
        with srv.lock:
            if self.path == "/_fake/state":
                return self.reply(200, srv.state.dump())
            if self.path == "/_fake/requests":
                return self.reply(200, srv.log)
        self.reply(404, b"404 page not found", "text/plain")

    def body(self):
        n = int(self.headers.get("Content-Length") or 0)
        return self.rfile.read(n)

    def fault(self, path):
        """The injected fault due for this request, if any."""
        for f in self.server.faults:
            if f.get("path") not in (None, path):
                continue
            f["seen"] = f.get("seen", 0) + 1
            if f["seen"] >= f.get("nth", 1) and f.get("count", 1) > 0:
                f["count"] = f.get("count", 1) - 1
                return f
        return None

    def do_POST(self):
        raw = self.body()
        srv = self.server
        if self.path.startswith("/_fake/"):
            return self.admin(raw)
        route = self.path[len("/v2/vectordb/"):] if self.path.startswith("/v2/vectordb/") else None
        too_new = [p for p, v in SINCE.items() if self.path.startswith(p) and
                   tuple(map(int, srv.args.version.split("."))) < tuple(map(int, v.split(".")))]
        if route not in ROUTES or too_new:
            return self.reply(404, b"404 page not found", "text/plain")
        if srv.args.token and self.headers.get("Authorization") != "Bearer " + srv.args.token:
            return self.reply(401, {"code": 1800, "message": "user hasn't authenticated"})
        with srv.lock:
            f = self.fault(self.path)
        if f and self.inject(f, route, raw):
            return
        self.handle_api(route, raw)

    def inject(self, f, route, raw):
        """Apply a fault; True when the request is fully answered."""
        a = f["action"]
        with self.server.lock:
            self.server.log.append({"path": self.path, "fault": a})
        if a == "http500":
            self.reply(500, b"internal error", "text/plain")
        elif a == "http408":
            self.reply(408, {"code": 10001, "message": "request timeout"})
        elif a == "busy":
            self.reply(200, {"code": 8, "message": "rate limit exceeded[rate=1]"})
        elif a == "reset":
            self.connection.shutdown(socket.SHUT_RDWR)
            self.close_connection = True
        elif a == "slow":
            time.sleep(f.get("seconds", 1))
            return False
        elif a == "apply_then_408":
            self.handle_api(route, raw, quiet=True)
            self.reply(408, {"code": 10001, "message": "request timeout"})
        return True

    def handle_api(self, route, raw, quiet=False):
        srv = self.server
        try:
            if not raw:
                raise Fail(BAD_JSON, "can only accept json format request, the request "
                           "body should be nil, however {} is valid")
            try:
                body = json.loads(raw)
            except ValueError:
                raise Fail(BAD_JSON, "can only accept json format request")
            if not isinstance(body, dict):
                raise Fail(BAD_JSON, "can only accept json format request")
            if not body.get("dbName") and self.headers.get("DB-Name"):
                body["dbName"] = self.headers["DB-Name"]
            with srv.lock:
                data = ROUTES[route](srv.state, body)
                srv.log.append({"path": self.path, "body": body, "code": 0})
            resp = {"code": 0, "data": data}
        except Fail as e:
            with srv.lock:
                srv.log.append({"path": self.path, "body": raw.decode("utf-8", "replace"),
                                "code": e.code})
            resp = {"code": e.code, "message": e.message}
        if not quiet:
            self.reply(200, resp)

    def admin(self, raw):
        srv = self.server
        with srv.lock:
            if self.path == "/_fake/faults":
                srv.faults.append(json.loads(raw))
            elif self.path == "/_fake/reset":
                srv.state, srv.faults, srv.log = State(), [], []
            else:
                return self.reply(404, b"404 page not found", "text/plain")
        self.reply(200, {"code": 0})


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--port", type=int, default=0)
    ap.add_argument("--version", default="2.6")
    ap.add_argument("--token")
    args = ap.parse_args()
    srv = Server(("127.0.0.1", args.port), args)
    signal.signal(signal.SIGTERM, lambda *a: threading.Thread(target=srv.shutdown).start())
    print("URI=http://127.0.0.1:%d" % srv.server_address[1], flush=True)
    try:
        srv.serve_forever()
    except KeyboardInterrupt:
        pass


if __name__ == "__main__":
    main()
