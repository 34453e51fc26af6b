#!/usr/bin/python3
"""Self-test of fake_milvus.py.  Run: /usr/bin/python3 tests/helpers/fake-milvus/test_fake_milvus.py"""
import base64
import http.client
import json
import os
import signal
import socket
import struct
import subprocess
import sys
import tempfile
import time
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
SERVER = os.path.join(HERE, "fake_milvus.py")


def start(*args):
    p = subprocess.Popen([sys.executable, SERVER, "--port", "0"] + list(args),
                         stdout=subprocess.PIPE, text=True)
    line = p.stdout.readline()
    assert line.startswith("URI=http://127.0.0.1:"), line
    return p, int(line.strip().rsplit(":", 1)[1])


def schema_items():
    """The doc's §3.7 example."""
    return {
        "dbName": "shop", "collectionName": "items", "description": "replica of shop.items",
        "schema": {
            "autoID": False, "enableDynamicField": True,
            "fields": [
                {"fieldName": "pk", "dataType": "Int64", "isPrimary": True,
                 "elementTypeParams": {}},
                {"fieldName": "title", "dataType": "VarChar",
                 "elementTypeParams": {"max_length": "512", "enable_analyzer": "true"}},
                {"fieldName": "tags", "dataType": "Array", "elementDataType": "VarChar",
                 "elementTypeParams": {"max_capacity": "16", "max_length": "64"}},
                {"fieldName": "price", "dataType": "Double", "nullable": True,
                 "elementTypeParams": {}},
                {"fieldName": "stock", "dataType": "Int32", "defaultValue": 0,
                 "elementTypeParams": {}},
                {"fieldName": "tenant", "dataType": "VarChar", "isPartitionKey": True,
                 "elementTypeParams": {"max_length": "64"}},
                {"fieldName": "emb", "dataType": "FloatVector", "elementTypeParams": {"dim": "4"}},
                {"fieldName": "emb16", "dataType": "Float16Vector",
                 "elementTypeParams": {"dim": "4"}},
                {"fieldName": "bits", "dataType": "BinaryVector",
                 "elementTypeParams": {"dim": "16"}},
                {"fieldName": "sparse", "dataType": "SparseFloatVector", "elementTypeParams": {}},
                {"fieldName": "bm25", "dataType": "SparseFloatVector", "elementTypeParams": {}},
            ],
            "functions": [{"name": "title_bm25", "type": "BM25", "inputFieldNames": ["title"],
                           "outputFieldNames": ["bm25"], "params": {}}],
        },
        "params": {"shardsNum": "1", "partitionsNum": "16", "consistencyLevel": "Bounded"},
    }


def item_row(**over):
    row = {"pk": 9007199254740993, "title": "red mug", "tags": ["kitchen", "mug"],
           "price": None, "tenant": "acme", "emb": [0.125, -0.5, 0.25, 1.0],
           "emb16": "ADwAuAA0ADw=", "bits": "8A8=", "sparse": {"3": 0.5, "1024": 0.125},
           "color": "red", "weight_kg": 0.35, "extra": "{\"k\":[1,2]}"}
    row.update(over)
    return row


def all_types_schema(name="t", **extra_fields):
    fields = [
        {"fieldName": "id", "dataType": "Int64", "isPrimary": True, "elementTypeParams": {}},
        {"fieldName": "b", "dataType": "Bool", "elementTypeParams": {}},
        {"fieldName": "i8", "dataType": "Int8", "elementTypeParams": {}},
        {"fieldName": "i16", "dataType": "Int16", "elementTypeParams": {}},
        {"fieldName": "i32", "dataType": "Int32", "elementTypeParams": {}},
        {"fieldName": "i64", "dataType": "Int64", "elementTypeParams": {}},
        {"fieldName": "f", "dataType": "Float", "elementTypeParams": {}},
        {"fieldName": "d", "dataType": "Double", "elementTypeParams": {}},
        {"fieldName": "s", "dataType": "VarChar", "elementTypeParams": {"max_length": "4"}},
        {"fieldName": "j", "dataType": "JSON", "elementTypeParams": {}},
        {"fieldName": "a", "dataType": "Array", "elementDataType": "Int16",
         "elementTypeParams": {"max_capacity": "3"}},
        {"fieldName": "fv", "dataType": "FloatVector", "elementTypeParams": {"dim": "2"}},
        {"fieldName": "bv", "dataType": "BinaryVector", "elementTypeParams": {"dim": "16"}},
        {"fieldName": "hv", "dataType": "Float16Vector", "elementTypeParams": {"dim": "2"}},
        {"fieldName": "bf", "dataType": "BFloat16Vector", "elementTypeParams": {"dim": "2"}},
        {"fieldName": "sv", "dataType": "SparseFloatVector", "elementTypeParams": {}},
    ]
    return {"collectionName": name, "schema": {"autoID": False, "enableDynamicField": False,
                                               "fields": fields}}


def good_row(i=1, **over):
    row = {"id": i, "b": True, "i8": -128, "i16": 32767, "i32": -5, "i64": "-9223372036854775808",
           "f": 0.1, "d": 0.1, "s": "abcd", "j": "{\"a\":1}", "a": [1, 2, 3], "fv": [1.5, -2],
           "bv": "AP8=", "hv": "ADwAPA==", "bf": "gD+APw==", "sv": {"1": 0.5}}
    row.update(over)
    return row


class FakeTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.proc, cls.port = start()

    @classmethod
    def tearDownClass(cls):
        cls.proc.send_signal(signal.SIGTERM)
        rc = cls.proc.wait(5)
        cls.proc.stdout.close()
        assert rc == 0, "server exited %d" % rc

    def setUp(self):
        self.admin("POST", "/_fake/reset", {})
        self.admin("POST", "/_fake/config", {"version": "2.5", "asyncPolls": 0, "token": None})

    # ---- helpers

    def raw(self, method, path, body=b"", headers=None):
        c = http.client.HTTPConnection("127.0.0.1", self.port, timeout=10)
        try:
            c.request(method, path, body=body, headers=headers or {})
            r = c.getresponse()
            return r.status, r.read(), r
        finally:
            c.close()

    def call(self, path, body, headers=None, expect_http=200):
        h = {"Content-Type": "application/json"}
        h.update(headers or {})
        data = body if isinstance(body, bytes) else json.dumps(body).encode()
        status, out, _ = self.raw("POST", "/v2/vectordb/" + path, data, h)
        self.assertEqual(status, expect_http, out)
        return json.loads(out)

    def ok(self, path, body, headers=None):
        r = self.call(path, body, headers)
        self.assertEqual(r["code"], 0, r)
        return r.get("data")

    def err(self, path, body, code, headers=None, http=200):
        r = self.call(path, body, headers, expect_http=http)
        self.assertEqual(r["code"], code, r)
        self.assertTrue(r.get("message"), r)
        return r["message"]

    def admin(self, method, path, body=None):
        status, out, _ = self.raw(method, path, json.dumps(body).encode() if body is not None
                                  else b"")
        self.assertEqual(status, 200, out)
        return json.loads(out)

    def state(self):
        return self.admin("GET", "/_fake/state")

    def rows(self, coll, db="default"):
        return self.state()["databases"][db]["collections"][coll]["rows"]

    def make_simple(self, name="c", pk_type="Int64", auto=False, dynamic=False, index=False):
        pk = {"fieldName": "pk", "dataType": pk_type, "isPrimary": True,
              "elementTypeParams": {"max_length": "32"} if pk_type == "VarChar" else {}}
        body = {"collectionName": name, "schema": {
            "autoID": auto, "enableDynamicField": dynamic, "fields": [
                pk, {"fieldName": "v", "dataType": "FloatVector",
                     "elementTypeParams": {"dim": "2"}},
                {"fieldName": "n", "dataType": "Int64", "nullable": True,
                 "elementTypeParams": {}}]}}
        self.ok("collections/create", body)
        if index:
            self.ok("indexes/create", {"collectionName": name, "indexParams": [
                {"fieldName": "v", "indexName": "v_idx", "metricType": "L2"}]})
            self.ok("collections/load", {"collectionName": name})

    # ---- transport and envelope

    def test_unknown_path_and_method_are_plain_404(self):
        status, out, r = self.raw("POST", "/v2/vectordb/collections/nope", b"{}")
        self.assertEqual((status, out), (404, b"404 page not found"))
        self.assertTrue(r.getheader("Content-Type").startswith("text/plain"))
        status, out, _ = self.raw("GET", "/v2/vectordb/collections/list")
        self.assertEqual((status, out), (404, b"404 page not found"))

    def test_body_errors(self):
        self.err("collections/list", b"", 1801)
        self.assertIn("{} is valid", self.err("collections/list", b"   ", 1801))
        self.err("collections/list", b"{bad", 1801)
        self.err("collections/list", b"[1]", 1801)
        self.err("collections/list", b'{"x": NaN}', 1801)
        self.err("collections/describe", {}, 1802)
        self.err("collections/describe", {"collectionName": ""}, 1802)
        self.err("collections/describe", {"collectionName": 5}, 1801)
        self.err("collections/describe", {"collectionName": "zz"}, 100)

    def test_keep_alive_and_expect_continue(self):
        c = http.client.HTTPConnection("127.0.0.1", self.port, timeout=5)
        for _ in range(3):
            c.request("POST", "/v2/vectordb/collections/list", body=b"{}")
            r = c.getresponse()
            self.assertEqual(json.loads(r.read())["code"], 0)
        c.close()
        conns = {e["conn"] for e in self.admin("GET", "/_fake/requests")}
        self.assertEqual(len(conns), 1)
        s = socket.create_connection(("127.0.0.1", self.port), timeout=5)
        s.sendall(b"POST /v2/vectordb/collections/list HTTP/1.1\r\nHost: x\r\n"
                  b"Content-Length: 2\r\nExpect: 100-continue\r\n\r\n")
        first = s.recv(100)
        self.assertTrue(first.startswith(b"HTTP/1.1 100"), first)
        s.sendall(b"{}")
        data = b""
        while b'"code":0' not in data:
            chunk = s.recv(4096)
            self.assertTrue(chunk)
            data += chunk
        self.assertIn(b"Content-Length:", data)
        s.close()

    def test_db_selection_order(self):
        self.ok("databases/create", {"dbName": "a"})
        self.ok("databases/create", {"dbName": "b"})
        self.make_simple("c")
        self.ok("collections/create", {**all_types_schema("inb"), "dbName": "b"})
        self.assertEqual(self.ok("collections/list", {}, {"DB-Name": "b"}), ["inb"])
        self.assertEqual(self.ok("collections/list", {"dbName": "a"}, {"DB-Name": "b"}), [])
        self.assertEqual(self.ok("collections/list", {}), ["c"])
        self.err("collections/list", {"dbName": "nope"}, 800)
        self.err("collections/describe", {"collectionName": "c"}, 800, {"DB-Name": "zz"})

    # ---- databases

    def test_databases(self):
        self.ok("databases/create", {"dbName": "shop", "properties": {"database.max.collections": 5}})
        self.assertIn("already exist", self.err("databases/create", {"dbName": "shop"}, 65535))
        self.err("databases/create", {}, 1802)
        self.assertEqual(self.ok("databases/list", {}), ["default", "shop"])
        d = self.ok("databases/describe", {"dbName": "shop"})
        self.assertEqual(d["properties"], [{"key": "database.max.collections", "value": "5"}])
        self.ok("databases/alter", {"dbName": "shop", "properties": {"k": "v"}})
        self.ok("databases/drop_properties", {"dbName": "shop", "propertyKeys": ["k"]})
        self.assertEqual(len(self.ok("databases/describe", {"dbName": "shop"})["properties"]), 1)
        self.err("databases/describe", {"dbName": "zz"}, 800)
        self.make_simple("c")
        self.ok("collections/create", {**all_types_schema("x"), "dbName": "shop"})
        self.err("databases/drop", {"dbName": "shop"}, 65535)
        self.ok("collections/drop", {"dbName": "shop", "collectionName": "x"})
        self.ok("databases/drop", {"dbName": "shop"})
        self.err("databases/drop", {"dbName": "default"}, 65535)
        self.err("databases/drop", {"dbName": "shop"}, 800)

    # ---- collections

    def test_create_full_schema_and_describe(self):
        self.ok("databases/create", {"dbName": "shop"})
        body = schema_items()
        self.ok("collections/create", body)
        self.ok("collections/create", body)     # identical: idempotent
        other = schema_items()
        other["schema"]["enableDynamicField"] = False
        self.assertIn("different", self.err("collections/create", other, 65535))
        d = self.ok("collections/describe", {"dbName": "shop", "collectionName": "items"})
        self.assertEqual(d["description"], "replica of shop.items")
        self.assertGreater(d["collectionID"], 2 ** 53)
        byname = {f["name"]: f for f in d["fields"]}
        self.assertEqual(byname["tags"]["elementType"], "VarChar")
        self.assertIn({"key": "dim", "value": "4"}, byname["emb"]["params"])
        self.assertTrue(byname["bm25"]["isFunctionOutput"])
        self.assertTrue(byname["tenant"]["partitionKey"])
        self.assertEqual(byname["stock"]["defaultValue"], 0)
        self.assertEqual(d["functions"][0]["type"], "BM25")
        self.assertEqual(d["partitionsNum"], 16)
        self.assertEqual(d["load"], "LoadStateNotLoad")
        self.assertEqual(self.ok("collections/has", {"dbName": "shop", "collectionName": "items"}),
                         {"has": True})
        self.assertEqual(self.ok("collections/has", {"dbName": "shop", "collectionName": "no"}),
                         {"has": False})

    def test_create_validation(self):
        def bad(mutate, code=1100):
            body = all_types_schema()
            mutate(body["schema"]["fields"])
            self.err("collections/create", body, code)
        bad(lambda f: f[8].update(dataType="Varchar"))
        bad(lambda f: f[8].update(elementTypeParams={}))
        bad(lambda f: f[12].update(elementTypeParams={"dim": "12"}))
        bad(lambda f: f[11].update(elementTypeParams={"dim": "1"}))
        bad(lambda f: f[10].update(elementDataType="JSON"))
        bad(lambda f: f[10].update(elementTypeParams={}))
        bad(lambda f: f[1].update(isPrimary=True))
        bad(lambda f: f[0].update(isPrimary=False))
        bad(lambda f: f[0].update(nullable=True))
        bad(lambda f: f[2].update(fieldName="$meta"))
        bad(lambda f: f[2].update(fieldName="b"))
        bad(lambda f: f[9].update(defaultValue="{}"))
        bad(lambda f: f[11].update(nullable=True))
        bad(lambda f: f[2].update(defaultValue=300))
        bad(lambda f: f[2].pop("fieldName"), 1802)
        bad(lambda f: f[2].update(isPrimary="yes"), 1801)
        bad(lambda f: f.append({"fieldName": "x", "dataType": "Int8Vector",
                                "elementTypeParams": {"dim": "2"}}))
        self.err("collections/create", {"collectionName": "1bad", "schema": {"fields": [
            {"fieldName": "x", "dataType": "Int64", "isPrimary": True}]}}, 1100)
        body = schema_items()
        del body["dbName"]
        body["schema"]["fields"][1]["elementTypeParams"] = {"max_length": "5"}
        self.assertIn("enable_analyzer", self.err("collections/create", body, 1100))

    def test_rename_drop_list(self):
        self.make_simple("a")
        self.make_simple("b")
        self.assertEqual(self.ok("collections/list", {}), ["a", "b"])
        self.err("collections/rename", {"collectionName": "a", "newCollectionName": "b"}, 65535)
        self.ok("collections/rename", {"collectionName": "a", "newCollectionName": "z"})
        self.assertEqual(self.ok("collections/list", {}), ["b", "z"])
        self.err("collections/drop", {"collectionName": "a"}, 100)
        self.ok("collections/drop", {"collectionName": "z"})
        self.assertEqual(self.ok("collections/list", {}), ["b"])

    def test_properties_and_flush(self):
        self.make_simple("c")
        self.ok("collections/alter_properties", {"collectionName": "c",
                                                 "properties": {"collection.ttl.seconds": 60}})
        self.err("collections/alter_properties", {"collectionName": "c",
                                                  "properties": {"allow_insert_auto_id": "true"}},
                 1100)
        d = self.ok("collections/describe", {"collectionName": "c"})
        self.assertEqual(d["properties"], [{"key": "collection.ttl.seconds", "value": "60"}])
        self.ok("collections/drop_properties", {"collectionName": "c",
                                                "propertyKeys": ["collection.ttl.seconds"]})
        self.ok("collections/flush", {"collectionName": "c"})
        self.err("collections/flush", {"collectionName": "x"}, 100)
        c = self.state()["databases"]["default"]["collections"]["c"]
        self.assertEqual((c["properties"], c["flushes"]), ({}, 1))

    # ---- load, indexes, partitions, aliases

    def test_load_needs_index_and_async_state(self):
        self.make_simple("c")
        self.assertIn("no vector index", self.err("collections/load", {"collectionName": "c"}, 700))
        self.assertEqual(self.ok("collections/get_load_state", {"collectionName": "c"}),
                         {"loadState": "LoadStateNotLoad"})
        self.admin("POST", "/_fake/config", {"asyncPolls": 1})
        self.ok("indexes/create", {"collectionName": "c", "indexParams": [
            {"fieldName": "v", "indexName": "v_idx", "metricType": "L2",
             "params": {"index_type": "HNSW", "M": 8}}]})
        d = self.ok("indexes/describe", {"collectionName": "c", "indexName": "v_idx"})
        self.assertEqual((d[0]["indexState"], d[0]["indexType"]), ("InProgress", "HNSW"))
        d = self.ok("indexes/describe", {"collectionName": "c", "indexName": "v_idx"})
        self.assertEqual(d[0]["indexState"], "Finished")
        self.ok("collections/load", {"collectionName": "c"})
        self.err("entities/query", {"collectionName": "c", "filter": "pk > 0"}, 103)
        self.assertEqual(self.ok("collections/get_load_state", {"collectionName": "c"})
                         ["loadState"], "LoadStateLoading")
        self.assertEqual(self.ok("collections/get_load_state", {"collectionName": "c"}),
                         {"loadState": "LoadStateLoaded", "loadProgress": 100})
        self.err("collections/get_load_state", {"collectionName": "zz"}, 100)

    def test_indexes(self):
        self.make_simple("c")
        ip = {"fieldName": "v", "indexName": "v_idx", "metricType": "L2", "indexType": "HNSW",
              "params": {"M": 8}}
        self.ok("indexes/create", {"collectionName": "c", "indexParams": [ip]})
        self.ok("indexes/create", {"collectionName": "c", "indexParams": [ip]})   # identical
        self.assertIn("at most one distinct index", self.err("indexes/create", {
            "collectionName": "c", "indexParams": [dict(ip, metricType="IP")]}, 65535))
        self.err("indexes/create", {"collectionName": "c", "indexParams": [
            {"fieldName": "v", "metricType": "HAMMING"}]}, 1100)
        self.err("indexes/create", {"collectionName": "c", "indexParams": [
            {"fieldName": "nope"}]}, 1100)
        self.err("indexes/create", {"collectionName": "c", "indexParams": [{"indexName": "x"}]},
                 1802)
        self.err("indexes/create", {"collectionName": "c"}, 1802)
        self.ok("indexes/create", {"collectionName": "c", "indexParams": [
            {"fieldName": "n", "indexName": "n_idx", "indexType": "STL_SORT"}]})
        self.assertEqual(self.ok("indexes/list", {"collectionName": "c"}), ["v_idx", "n_idx"])
        self.ok("collections/load", {"collectionName": "c"})
        self.err("indexes/drop", {"collectionName": "c", "indexName": "v_idx"}, 1100)
        self.ok("indexes/drop", {"collectionName": "c", "indexName": "n_idx"})
        self.err("indexes/drop", {"collectionName": "c", "indexName": "n_idx"}, 700)
        self.err("indexes/describe", {"collectionName": "c", "indexName": "n_idx"}, 700)
        self.ok("collections/release", {"collectionName": "c"})
        self.ok("indexes/drop", {"collectionName": "c", "indexName": "v_idx"})

    def test_partitions(self):
        self.make_simple("c")
        self.ok("partitions/create", {"collectionName": "c", "partitionName": "p1"})
        self.ok("partitions/create", {"collectionName": "c", "partitionName": "p1"})
        self.assertEqual(self.ok("partitions/list", {"collectionName": "c"}), ["_default", "p1"])
        self.assertEqual(self.ok("partitions/has", {"collectionName": "c",
                                                    "partitionName": "p2"}), {"has": False})
        self.err("partitions/create", {"collectionName": "c"}, 1802)
        self.ok("entities/insert", {"collectionName": "c", "partitionName": "p1",
                                    "data": [{"pk": 1, "v": [1, 2]}]})
        self.err("entities/insert", {"collectionName": "c", "partitionName": "p9",
                                     "data": [{"pk": 1, "v": [1, 2]}]}, 200)
        self.assertEqual(self.rows("c")[0]["__partition"], "p1")
        self.ok("indexes/create", {"collectionName": "c", "indexParams": [{"fieldName": "v"}]})
        self.ok("partitions/load", {"collectionName": "c", "partitionNames": ["p1"]})
        self.err("partitions/load", {"collectionName": "c", "partitionNames": ["zz"]}, 200)
        self.assertEqual(len(self.ok("entities/query", {"collectionName": "c", "filter": "",
                                                        "limit": 5})), 1)
        self.err("entities/query", {"collectionName": "c", "filter": "pk > 0",
                                    "partitionNames": ["_default"]}, 201)
        self.err("partitions/drop", {"collectionName": "c", "partitionName": "p1"}, 1100)
        self.ok("partitions/release", {"collectionName": "c", "partitionNames": ["p1"]})
        self.err("partitions/drop", {"collectionName": "c", "partitionName": "_default"}, 1100)
        self.ok("partitions/drop", {"collectionName": "c", "partitionName": "p1"})
        self.err("partitions/drop", {"collectionName": "c", "partitionName": "p1"}, 200)
        self.assertEqual(self.rows("c"), [])

    def test_partition_key_rules(self):
        self.ok("databases/create", {"dbName": "shop"})
        self.ok("collections/create", schema_items())
        base = {"dbName": "shop", "collectionName": "items"}
        self.err("entities/upsert", dict(base, partitionName="_default_0", data=[item_row()]),
                 1100)
        self.err("entities/delete", dict(base, partitionName="_default_0", filter="pk in [1]"),
                 1100)
        self.err("partitions/create", dict(base, partitionName="p"), 1100)
        self.ok("entities/upsert", dict(base, data=[item_row()]))
        row = self.rows("items", "shop")[0]
        self.assertTrue(row["__partition"].startswith("_default_"))
        self.assertEqual(row["pk"], 9007199254740993)
        self.assertEqual(row["stock"], 0)
        self.assertIsNone(row["price"])
        self.assertIsNone(row["bm25"])
        self.assertEqual(row["sparse"], {"3": 0.5, "1024": 0.125})
        self.assertEqual(row["bits"], "8A8=")
        self.assertEqual({k: row[k] for k in ("color", "weight_kg", "extra")},
                         {"color": "red", "weight_kg": 0.35, "extra": "{\"k\":[1,2]}"})
        self.assertIn("function output", self.err("entities/upsert", dict(
            base, data=[item_row(bm25={"1": 0.5})]), 1804))

    def test_aliases(self):
        self.make_simple("c", index=True)
        self.make_simple("d")
        self.ok("aliases/create", {"collectionName": "c", "aliasName": "al"})
        self.err("aliases/create", {"collectionName": "d", "aliasName": "al"}, 1602)
        self.err("aliases/create", {"collectionName": "c", "aliasName": "d"}, 1601)
        self.assertEqual(self.ok("aliases/list", {}), ["al"])
        self.assertEqual(self.ok("aliases/describe", {"aliasName": "al"}),
                         {"dbName": "default", "aliasName": "al", "collectionName": "c"})
        self.ok("entities/insert", {"collectionName": "al", "data": [{"pk": 1, "v": [1, 2]}]})
        self.assertEqual(len(self.rows("c")), 1)
        self.err("collections/drop", {"collectionName": "c"}, 65535)
        self.ok("aliases/alter", {"collectionName": "d", "aliasName": "al"})
        self.assertEqual(self.ok("aliases/list", {"collectionName": "d"}), ["al"])
        self.ok("aliases/drop", {"aliasName": "al"})
        self.err("aliases/drop", {"aliasName": "al"}, 1600)
        self.err("aliases/describe", {"aliasName": "al"}, 1600)
        self.ok("collections/drop", {"collectionName": "c"})

    # ---- entities: encodings

    def test_all_types_roundtrip(self):
        self.ok("collections/create", all_types_schema())
        r = self.ok("entities/insert", {"collectionName": "t", "data": [good_row()]})
        self.assertEqual(r, {"insertCount": 1, "insertIds": [1]})
        d = self.rows("t")[0]
        self.assertEqual(d["i64"], -2 ** 63)
        self.assertEqual(d["f"], 0.1)
        self.assertEqual(d["j"], {"a": 1})
        self.assertEqual(d["bv"], "AP8=")
        self.assertEqual(d["hv"], "ADwAPA==")
        self.assertEqual(d["sv"], {"1": 0.5})
        # fp16/bf16 from float arrays (2.5+), binary as byte array
        self.ok("entities/insert", {"collectionName": "t", "data": [good_row(
            2, hv=[1, 1], bf=[1.0, 1.0], bv=[0, 255], j={"a": 1},
            sv={"indices": [7, 2], "values": [0.25, 0.5]}, b="true")]})
        d2 = self.rows("t")[1]
        self.assertEqual((d2["hv"], d2["bf"], d2["bv"], d2["j"]), (d["hv"], d["bf"], d["bv"],
                                                                   {"a": 1}))
        self.assertEqual(list(d2["sv"]), ["2", "7"])

    def test_type_errors(self):
        self.ok("collections/create", all_types_schema())
        cases_1804 = [dict(i8=128), dict(i16=1.5), dict(i32="x"), dict(i64=1.0),
                      dict(i64=2 ** 63), dict(i64="1e3"), dict(b="yes"), dict(b=2), dict(f="1"),
                      dict(f=1e39), dict(d=True), dict(s=5), dict(j="{bad"), dict(a=[1, 70000]),
                      dict(a="1,2"), dict(fv=[1]), dict(fv=[1, "x"]), dict(bv="AP8AAA=="),
                      dict(bv="not base64!"), dict(bv=[0, 256]), dict(hv="AAA="),
                      dict(hv=[1, 2, 3]), dict(sv={"1": -0.5}), dict(sv={"x": 1}),
                      dict(sv={"4294967295": 1}), dict(sv={"indices": [1, 1], "values": [1, 2]}),
                      dict(sv=[1, 2]), dict(extra=1), {"$meta": {}}, dict(id=None),
                      dict(b=None)]
        for over in cases_1804:
            with self.subTest(over=over):
                self.err("entities/insert", {"collectionName": "t", "data": [good_row(**over)]},
                         1804)
        missing = good_row()
        del missing["fv"]
        self.err("entities/insert", {"collectionName": "t", "data": [missing]}, 1804)
        for over in (dict(s="abcde"), dict(s="\u00e9\u00e9\u00e9"), dict(a=[1, 2, 3, 4]),
                     dict(j=json.dumps({"k": "x" * 70000}))):
            with self.subTest(over=over):
                self.err("entities/insert", {"collectionName": "t", "data": [good_row(**over)]},
                         1100)
        self.err("entities/insert", {"collectionName": "t", "data": good_row()}, 1801)
        self.err("entities/insert", {"collectionName": "t"}, 1801)
        self.err("entities/insert", {"collectionName": "t", "data": []}, 1100)
        # one bad row rejects the whole batch
        self.err("entities/insert", {"collectionName": "t", "data": [good_row(1),
                                                                     good_row(2, i8=999)]}, 1804)
        self.assertEqual(self.rows("t"), [])

    def test_int64_exact_and_string_output(self):
        self.make_simple("c", index=True)
        big = 9223372036854775807
        r = self.ok("entities/insert", {"collectionName": "c", "data": [
            {"pk": big, "v": [1, 2], "n": "-42"}]})
        self.assertEqual(r["insertIds"], [big])
        r = self.ok("entities/upsert", {"collectionName": "c", "data": [
            {"pk": str(big), "v": [1, 2], "n": 7}]}, {"Accept-Type-Allow-Int64": "false"})
        self.assertEqual(r["upsertIds"], [str(big)])
        q = self.ok("entities/query", {"collectionName": "c", "filter": "pk == %d" % big,
                                       "outputFields": ["n"]},
                    {"Accept-Type-Allow-Int64": "false"})
        self.assertEqual(q, [{"pk": str(big), "n": "7"}])
        g = self.ok("entities/get", {"collectionName": "c", "id": [big]})
        self.assertEqual(g[0]["pk"], big)
        self.err("entities/get", {"collectionName": "c", "id": ["abc"]}, 1806)

    def test_insert_duplicates_kept_upsert_replaces(self):
        self.make_simple("c")
        row = {"pk": 5, "v": [1, 2], "n": 1}
        self.ok("entities/insert", {"collectionName": "c", "data": [row]})
        self.ok("entities/insert", {"collectionName": "c", "data": [row]})
        self.assertEqual(len(self.rows("c")), 2)
        self.ok("entities/upsert", {"collectionName": "c", "data": [dict(row, n=2)]})
        rows = self.rows("c")
        self.assertEqual([r["n"] for r in rows], [2])
        self.ok("entities/upsert", {"collectionName": "c", "data": [
            dict(row, n=3), dict(row, pk=6), dict(row, n=4)]})
        self.assertEqual([(r["pk"], r["n"]) for r in self.rows("c")], [(5, 4), (6, 1)])

    def test_autoid(self):
        self.make_simple("c", auto=True)
        self.assertIn("no need to pass pk", self.err(
            "entities/insert", {"collectionName": "c", "data": [{"pk": 1, "v": [1, 2]}]}, 1804))
        r = self.ok("entities/insert", {"collectionName": "c", "data": [{"v": [1, 2]}]})
        minted = r["insertIds"][0]
        self.assertGreater(minted, 2 ** 53)
        r = self.ok("entities/upsert", {"collectionName": "c", "data": [{"pk": minted,
                                                                         "v": [3, 4]}]})
        self.assertNotEqual(r["upsertIds"][0], minted)
        self.assertEqual([x["pk"] for x in self.rows("c")], r["upsertIds"])
        self.err("entities/upsert", {"collectionName": "c", "data": [{"v": [3, 4]}]}, 1804)
        # allow_insert_auto_id only from 2.6.9
        self.ok("collections/alter_properties", {"collectionName": "c", "properties": {
            "allow_insert_auto_id": "true"}})
        self.err("entities/insert", {"collectionName": "c", "data": [{"pk": 1, "v": [1, 2]}]},
                 1804)
        self.admin("POST", "/_fake/config", {"version": "2.6.9"})
        self.assertEqual(self.ok("entities/insert", {"collectionName": "c", "data": [
            {"pk": 1, "v": [1, 2]}]})["insertIds"], [1])
        self.admin("POST", "/_fake/config", {"version": "2.4"})
        self.err("entities/upsert", {"collectionName": "c", "data": [{"pk": 1, "v": [1, 2]}]},
                 1100)

    def test_dynamic_fields(self):
        self.make_simple("c", dynamic=True)
        raw = (b'{"collectionName":"c","data":[{"pk":1,"v":[1,2],"e":1e5,"g":2.5,"h":7,'
               b'"nested":{"big":9007199254740993},"gone":null,"s":"x"}]}')
        self.ok("entities/insert", raw)
        meta = {k: v for k, v in self.rows("c")[0].items()
                if k not in ("pk", "v", "n", "__partition")}
        self.assertEqual(meta, {"e": 0, "g": 2.5, "h": 7, "nested": {"big": 9007199254740992},
                                "s": "x"})
        self.err("entities/insert", {"collectionName": "c", "data": [
            {"pk": 2, "v": [1, 2], "$meta": {"a": 1}}]}, 1804)

    def test_number_parsing(self):
        # numbers that overflow a double are refused (1801) whether or not the body also has
        # an exponent elsewhere (loads() parses bodies without exponents on a faster path)
        self.make_simple("c", dynamic=True)
        big = b"1" + b"0" * 309 + b".5"
        for v in (b"1e999", b"-1.5e400", big, b"-" + big):
            for other in (b"0.5", b"5e-1"):
                raw = (b'{"collectionName":"c","data":[{"pk":1,"v":[' + other + b',' + v +
                       b']}]}')
                self.assertIn("out of range", self.err("entities/insert", raw, 1801))
        ok = b"9" * 300 + b".5"      # finite: a float, below float32's range check
        self.err("entities/insert", b'{"collectionName":"c","data":[{"pk":1,"v":[0.5,' + ok +
                 b']}]}', 1804)
        self.ok("entities/insert", b'{"collectionName":"c","data":[{"pk":1,"v":[0.1,1.5],'
                b'"e":2e1,"f":2.0e1,"g":20}]}')
        row = self.rows("c")[0]
        self.assertEqual((row["v"], row["e"], row["f"], row["g"]), ([0.1, 1.5], 0, 20.0, 20))

    def test_nullable_and_default(self):
        body = all_types_schema("nd")
        body["schema"]["fields"][4].update(defaultValue=9, nullable=True)   # i32
        body["schema"]["fields"][8].update(nullable=True)                    # s
        self.ok("collections/create", body)
        row = good_row(i32=None)
        del row["s"]
        self.ok("entities/insert", {"collectionName": "nd", "data": [row]})
        d = self.rows("nd")[0]
        self.assertEqual((d["i32"], d["s"]), (9, None))
        self.admin("POST", "/_fake/config", {"version": "2.4"})
        self.ok("collections/create", all_types_schema("old") | {"schema": dict(
            all_types_schema()["schema"], fields=[dict(f, nullable=True) if f["fieldName"] ==
                                                  "s" else f for f in all_types_schema()
                                                  ["schema"]["fields"]])})
        self.err("entities/insert", {"collectionName": "old", "data": [good_row(s=None)]}, 1804)

    # ---- delete and query filters

    def test_delete_int_filters(self):
        self.make_simple("c")
        data = [{"pk": p, "v": [1, 2]} for p in (1, -7, 9007199254740993, 9007199254740992, 3)]
        self.ok("entities/insert", {"collectionName": "c", "data": data})
        r = self.ok("entities/delete", {"collectionName": "c",
                                        "filter": "pk in [1, -7, 9007199254740993]"})
        self.assertEqual(r, {"deleteCount": 3})
        self.assertEqual([x["pk"] for x in self.rows("c")], [3, 9007199254740992])
        self.ok("entities/delete", {"collectionName": "c", "filter": "pk == 3"})
        self.assertEqual(len(self.rows("c")), 1)
        self.err("entities/delete", {"collectionName": "c", "filter": "pk in [010]"}, 1100)
        self.err("entities/delete", {"collectionName": "c",
                                     "filter": "pk in [-9223372036854775808]"}, 1100)
        self.err("entities/delete", {"collectionName": "c", "filter": "pk in [\"a\"]"}, 1100)
        self.err("entities/delete", {"collectionName": "c", "filter": "pk in [1"}, 1100)
        self.err("entities/delete", {"collectionName": "c"}, 1802)
        self.err("entities/delete", {"collectionName": "c", "filter": ""}, 1802)
        # exprParams numbers go through float64: 2^53+1 is lost and deletes 2^53 instead
        self.ok("entities/insert", {"collectionName": "c", "data": [data[2]]})
        self.ok("entities/delete", {"collectionName": "c", "filter": "pk in {ids}",
                                    "exprParams": {"ids": [9007199254740993]}})
        self.assertEqual([x["pk"] for x in self.rows("c")], [9007199254740993])
        # a non-pk filter needs a loaded collection
        self.err("entities/delete", {"collectionName": "c", "filter": "n > 1"}, 101)

    def test_delete_varchar_filters(self):
        self.make_simple("c", pk_type="VarChar")
        keys = ["a", 'b"c', "d\\e", "line\nbreak", "\u00e9t\u00e9"]
        self.ok("entities/insert", {"collectionName": "c",
                                    "data": [{"pk": k, "v": [1, 2]} for k in keys]})
        self.ok("entities/delete", {"collectionName": "c",
                                    "filter": r'pk in ["b\"c", "d\\e", "line\nbreak"]'})
        self.assertEqual(sorted(x["pk"] for x in self.rows("c")), ["a", "\u00e9t\u00e9"])
        self.ok("entities/delete", {"collectionName": "c", "filter": r'pk == "\u00e9t\xc3"'})
        self.assertEqual(len(self.rows("c")), 2)   # \xc3 is U+00C3, not the same key
        self.ok("entities/delete", {"collectionName": "c", "filter": "pk in {ids}",
                                    "exprParams": {"ids": ["a", "\u00e9t\u00e9"]}})
        self.assertEqual(self.rows("c"), [])
        self.err("entities/delete", {"collectionName": "c", "filter": 'pk in ["a\\q"]'}, 1100)
        self.err("entities/delete", {"collectionName": "c", "filter": 'pk in ["a\nb"]'}, 1100)
        self.err("entities/delete", {"collectionName": "c", "filter": "pk in [1]"}, 1100)
        self.err("entities/delete", {"collectionName": "c", "filter": "pk in {nope}"}, 1100)
        self.admin("POST", "/_fake/config", {"version": "2.4"})
        self.err("entities/delete", {"collectionName": "c", "filter": "pk in {ids}",
                                     "exprParams": {"ids": ["a"]}}, 1100)
        self.assertEqual(self.ok("entities/delete", {"collectionName": "c",
                                                     "filter": 'pk in ["a"]'}), {})

    def test_query(self):
        self.make_simple("c", dynamic=True, index=True)
        self.ok("entities/insert", {"collectionName": "c", "data": [
            {"pk": i, "v": [i, 0.5], "n": i * 10, "color": "red" if i % 2 else "blue"}
            for i in range(1, 6)]})
        q = self.ok("entities/query", {"collectionName": "c",
                                       "filter": 'n >= 20 and color == "red"',
                                       "outputFields": ["n", "color"]})
        self.assertEqual(q, [{"pk": 3, "n": 30, "color": "red"}, {"pk": 5, "n": 50,
                                                                  "color": "red"}])
        q = self.ok("entities/query", {"collectionName": "c", "filter": "pk not in [1,2]",
                                       "limit": 2, "offset": 1})
        self.assertEqual([r["pk"] for r in q], [4, 5])
        self.assertEqual(q[0]["v"], [4.0, 0.5])
        self.err("entities/query", {"collectionName": "c", "filter": "pk >", "limit": 1}, 1100)
        self.err("entities/query", {"collectionName": "c", "filter": "", "limit": 0}, 1100)
        self.err("entities/query", {"collectionName": "c", "filter": "pk > 0",
                                    "limit": 16384, "offset": 1}, 1100)

    def test_partial_update_26(self):
        self.make_simple("c")
        self.ok("entities/insert", {"collectionName": "c", "data": [{"pk": 1, "v": [1, 2],
                                                                     "n": 5}]})
        self.ok("entities/upsert", {"collectionName": "c", "partialUpdate": True,
                                    "data": [{"pk": 1, "v": [3, 4]}]})
        self.assertIsNone(self.rows("c")[0]["n"])     # 2.5 ignores partialUpdate
        self.admin("POST", "/_fake/config", {"version": "2.6"})
        self.ok("entities/upsert", {"collectionName": "c", "data": [{"pk": 1, "v": [3, 4],
                                                                     "n": 6}]})
        self.ok("entities/upsert", {"collectionName": "c", "partialUpdate": True,
                                    "data": [{"pk": 1, "v": [5, 6]}]})
        self.assertEqual(self.rows("c")[0], {"pk": 1, "v": [5.0, 6.0], "n": 6,
                                                        "__partition": "_default"})

    # ---- versions

    def test_version_knob(self):
        self.admin("POST", "/_fake/config", {"version": "2.4"})
        for path in ("databases/create", "databases/list", "collections/flush",
                     "collections/alter_properties", "collections/fields/add"):
            status, out, _ = self.raw("POST", "/v2/vectordb/" + path, b'{"dbName":"x"}')
            self.assertEqual((status, out), (404, b"404 page not found"), path)
        self.make_simple("c")
        self.err("entities/insert", {"collectionName": "c", "data": [{"pk": 1, "v": [1, 2]}]},
                 1804)  # 2.4 ignored nullable, so "n" is required
        body = all_types_schema("o")
        body["schema"]["fields"][11]["elementTypeParams"] = {"dim": 1000000}
        self.err("collections/create", body, 1100)     # 2.4 renders 1000000 as "1e+06"
        body["schema"]["fields"][11]["elementTypeParams"] = {"dim": 2}
        self.ok("collections/create", body)
        self.err("entities/insert", {"collectionName": "o", "data": [good_row(hv=[1, 1])]}, 1804)
        body = all_types_schema("p")
        body["params"] = {"shardsNum": 1}
        self.err("collections/create", body, 1801)
        self.admin("POST", "/_fake/config", {"version": "2.5.3"})
        self.assertEqual(self.ok("databases/list", {}), ["default"])
        status, _, _ = self.raw("POST", "/v2/vectordb/collections/flush", b"{}")
        self.assertEqual(status, 404)
        self.admin("POST", "/_fake/config", {"version": "2.5.4"})
        self.ok("collections/flush", {"collectionName": "c"})
        body = all_types_schema("q")
        body["schema"]["fields"].append({"fieldName": "iv", "dataType": "Int8Vector",
                                         "elementTypeParams": {"dim": "2"}})
        self.err("collections/create", body, 1100)
        self.admin("POST", "/_fake/config", {"version": "2.6"})
        self.ok("collections/create", body)
        self.ok("entities/insert", {"collectionName": "q", "data": [good_row(iv=[-128, 127])]})
        self.err("entities/insert", {"collectionName": "q", "data": [good_row(iv=[0, 128])]},
                 1804)
        self.ok("collections/fields/add", {"collectionName": "q", "schema": {
            "fieldName": "extra", "dataType": "Int32", "nullable": True}})
        self.assertIsNone(self.rows("q")[0]["extra"])
        self.ok("collections/truncate", {"collectionName": "q"})
        self.assertEqual(self.rows("q"), [])

    # ---- auth

    def test_auth(self):
        self.admin("POST", "/_fake/config", {"token": "root:Milvus"})
        self.err("collections/list", {}, 1800, http=401)
        self.err("collections/list", {}, 1800, {"Authorization": "Bearer root:wrong"}, http=401)
        self.ok("collections/list", {}, {"Authorization": "Bearer root:Milvus"})
        basic = base64.b64encode(b"root:Milvus").decode()
        self.ok("collections/list", {}, {"Authorization": "Basic " + basic})
        status, out, _ = self.raw("POST", "/v2/vectordb/nope", b"{}")
        self.assertEqual(status, 404)

    # ---- faults and logs

    def test_faults(self):
        self.make_simple("c")
        path = "/v2/vectordb/entities/upsert"
        up = {"collectionName": "c", "data": [{"pk": 1, "v": [1, 2]}]}
        f = self.admin("POST", "/_fake/faults", {"path": path, "nth": 2, "action": "http500",
                                                 "count": 2})
        self.assertEqual((f["nth"], f["count"], f["action"]), (2, 2, "http500"))
        self.ok("entities/upsert", up)
        self.ok("collections/list", {})      # another path: not counted
        for _ in range(2):
            status, out, _ = self.raw("POST", path, json.dumps(up).encode())
            self.assertEqual(status, 500)
        self.ok("entities/upsert", up)
        self.admin("POST", "/_fake/faults/clear", {})
        self.admin("POST", "/_fake/faults", [
            {"action": "http408"}, {"action": "busy", "nth": 2}, {"action": "rate_limit", "nth": 3},
            {"action": "code", "code": 2, "nth": 4}])
        self.assertEqual(self.call("collections/list", {}, expect_http=408)["code"], 10001)
        self.err("collections/list", {}, 8)
        self.err("collections/list", {}, 1807)
        self.err("collections/list", {}, 2)
        self.ok("collections/list", {})
        self.admin("POST", "/_fake/faults", {"path": path, "action": "reset"})
        with self.assertRaises((ConnectionError, http.client.HTTPException, OSError)):
            self.raw("POST", path, json.dumps(up).encode())
        self.admin("POST", "/_fake/faults", {"path": path, "action": "slow", "seconds": 0.3})
        t0 = time.time()
        self.ok("entities/upsert", up)
        self.assertGreaterEqual(time.time() - t0, 0.3)
        # apply_then_408: applied, then the client sees a timeout; replaying upsert is idempotent
        self.admin("POST", "/_fake/faults", {"path": path, "action": "apply_then_408"})
        up2 = {"collectionName": "c", "data": [{"pk": 2, "v": [1, 2]}]}
        self.assertEqual(self.call("entities/upsert", up2, expect_http=408)["code"], 10001)
        self.assertEqual([r["pk"] for r in self.rows("c")], [1, 2])
        self.ok("entities/upsert", up2)
        self.assertEqual([r["pk"] for r in self.rows("c")], [1, 2])
        self.admin("POST", "/_fake/faults", {"path": path, "action": "apply_then_reset"})
        with self.assertRaises((ConnectionError, http.client.HTTPException, OSError)):
            self.raw("POST", path, json.dumps({"collectionName": "c", "data": [
                {"pk": 3, "v": [1, 2]}]}).encode())
        self.assertEqual(len(self.rows("c")), 3)
        status, out, _ = self.raw("POST", "/_fake/faults", b'{"action":"explode"}')
        self.assertEqual(status, 400)

    def test_faults_on_one_path_fire_in_turn(self):
        self.make_simple("c")
        path = "/v2/vectordb/entities/upsert"
        for a in ("http500", "busy"):
            self.admin("POST", "/_fake/faults", {"path": path, "nth": 2, "action": a})
        up = {"collectionName": "c", "data": [{"pk": 1, "v": [1, 2]}]}
        self.ok("entities/upsert", up)
        self.assertEqual(self.raw("POST", path, json.dumps(up).encode())[0], 500)
        self.err("entities/upsert", up, 8)
        self.ok("entities/upsert", up)
        log = self.admin("GET", "/_fake/requests")
        self.assertEqual([e.get("fault") for e in log if e["path"] == path],
                         [None, "http500", "busy", None])
        self.assertEqual(sum("fault" in e for e in log), 2)   # e2e 0400 counts the key
        self.assertIn('"loaded": false', self.raw("GET", "/_fake/state")[1].decode())
        faults = self.admin("GET", "/_fake/faults")
        self.assertEqual([(f["seen"], f["fired"]) for f in faults], [(4, 1), (4, 1)])

    def test_request_log(self):
        self.ok("collections/list", {"dbName": "default"},
                {"Authorization": "Bearer root:Milvus", "DB-Name": "x",
                 "Accept-Type-Allow-Int64": "false"})
        self.err("collections/describe", {"collectionName": "nope"}, 100)
        log = self.admin("GET", "/_fake/requests")
        self.assertEqual(len(log), 2)
        e = log[0]
        self.assertEqual((e["method"], e["path"], e["status"], e["code"]),
                         ("POST", "/v2/vectordb/collections/list", 200, 0))
        self.assertEqual(e["body"], {"dbName": "default"})
        self.assertEqual(e["rawBody"], '{"dbName": "default"}')
        self.assertEqual(e["headers"]["DB-Name"], "x")
        self.assertEqual(e["headers"]["Authorization"], "Bearer root:Milvus")
        self.assertEqual(log[1]["code"], 100)
        self.admin("POST", "/_fake/requests/clear", {})
        self.assertEqual(self.admin("GET", "/_fake/requests"), [])


class ProcessTest(unittest.TestCase):
    def test_token_flag_state_file_and_sigterm(self):
        with tempfile.TemporaryDirectory() as tmp:
            sf = os.path.join(tmp, "state.json")
            p, port = start("--token", "root:Milvus", "--version", "2.6", "--state-file", sf)
            try:
                c = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
                c.request("POST", "/v2/vectordb/databases/create", body=b'{"dbName":"x"}')
                r = c.getresponse()
                self.assertEqual((r.status, json.loads(r.read())["code"]), (401, 1800))
                c.request("POST", "/v2/vectordb/databases/create", body=b'{"dbName":"x"}',
                          headers={"Authorization": "Bearer root:Milvus"})
                self.assertEqual(json.loads(c.getresponse().read())["code"], 0)
                c.close()
            finally:
                p.send_signal(signal.SIGTERM)
                self.assertEqual(p.wait(5), 0)
                p.stdout.close()
            with open(sf) as fp:
                st = json.load(fp)
            self.assertEqual(sorted(st["databases"]), ["default", "x"])
            self.assertTrue(st["version"].startswith("2.6"))


if __name__ == "__main__":
    unittest.main()
