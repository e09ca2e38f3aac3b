#!/usr/bin/env python3
"""A real S3 API server for walkit's tests: moto's S3 server (moto 5.2.1, two of whose
internals are patched below) on a loopback port, with signature and IAM policy checking on,
the TestData archives uploaded through the S3 API, and a fault-injecting proxy in front of it.

Usage: s3-test-server.py --info FILE [--testdata DIR] [--many N] [--upload DIR=BUCKET/PREFIX]...

Writes FILE (JSON) once everything is ready: the endpoint, the proxy, and three sets of
credentials (a read-only user with the minimal policy walkit needs, a writer, and temporary
read-only credentials with a session token). Exits when its parent process does.

The proxy forwards every request unchanged (so signatures stay valid) except those that match a
fault rule. `POST /__faults__` with a JSON list of rules adds them; `DELETE /__faults__` clears
them; `GET /__faults__` returns how many requests each rule has taken, and how many requests
of each method reached each bucket/first/second key level. A rule is
{"match": "<substring of the path>", "faults": ["500", "503", "reset", "truncate", "slow:SECONDS",
"after:SUBSTRING:SECONDS", "change", "shrink", "pass"]}: each matching request takes the next
fault; once a rule's faults are used up, requests pass ("pass" lets one through while counting
it). "slow" holds the body back after the headers; "after" holds the request until a response
to a path containing SUBSTRING has passed through whole since the rule was added, then SECONDS
more (an order that load on the host cannot upset), and answers 500, saying so on stderr, if
none has in 20 s. "change" (one byte flipped) and "shrink" (half of it kept)
rewrite the object in the bucket before any later request is answered, so a reader that sends
the listed ETag in If-Match gets 412.
"""
import argparse
import http.client
import json
import os
import socket
import struct
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import boto3
from botocore.config import Config
from moto import settings
from moto.moto_server.threaded_moto_server import ThreadedMotoServer

REGION = "us-east-1"


def check_s3_signatures_as_s3_does():
    """moto 5 checks the signature of an S3 request against one it rebuilds, with two faults
    that make every signed ListObjectsV2 fail: the parsed query string stands in for an empty
    body, and the query is taken decoded (`prefix=a/` where S3 signs `prefix=a%2F`). This
    rebuilds it as S3 does: the body sent, and each query value encoded (RFC 3986, `-_.~` kept)."""
    from urllib.parse import quote
    from botocore.awsrequest import AWSRequest
    from moto.iam.access_control import S3IAMRequest

    def create_aws_request(self):
        signed = self._get_string_between("SignedHeaders=", ",", self._headers["Authorization"]).split(";")
        headers = self._create_headers_for_aws_request(signed, self._headers)
        path, _, query = self._path.partition("?")
        if query:
            pairs = [pair.partition("=") for pair in query.split("&")]
            path += "?" + "&".join(quote(k, safe="-_.~") + "=" + quote(v, safe="-_.~") for k, _, v in pairs)
        request = AWSRequest(method=self._method, url=path, data=self._body or b"", headers=headers)
        request.context["timestamp"] = headers["X-Amz-Date"]
        return request

    S3IAMRequest._create_aws_request = create_aws_request
READ_ONLY_POLICY = {
    "Version": "2012-10-17",
    "Statement": [
        {"Effect": "Allow", "Action": ["s3:ListBucket"], "Resource": ["arn:aws:s3:::*"]},
        {"Effect": "Allow", "Action": ["s3:GetObject"], "Resource": ["arn:aws:s3:::*/*"]},
    ],
}
WRITE_POLICY = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": ["s3:*"], "Resource": ["*"]}]}

# The TestData directories uploaded, each under its own path as key prefix.
UPLOADED = ["pg15-repositories", "pg18-timeline/archive", "pg15/archive", "pg16/archive"]
# Copies of the flat archive under faults/<name>/, one per fault test, which may rewrite them.
FAULT_COPIES = ["retry", "slowdown", "reset", "truncate", "slow", "follow", "refollow", "change", "shrink", "readonly"]


def client(service, endpoint, key_id="setup", secret="setup", token=None):
    return boto3.client(service, endpoint_url=endpoint, region_name=REGION, aws_access_key_id=key_id,
                        aws_secret_access_key=secret, aws_session_token=token,
                        config=Config(s3={"addressing_style": "path"}, retries={"max_attempts": 1}))


def make_user(iam, name, policy):
    iam.create_user(UserName=name)
    iam.put_user_policy(UserName=name, PolicyName=name + "-policy", PolicyDocument=json.dumps(policy))
    key = iam.create_access_key(UserName=name)["AccessKey"]
    return {"access_key_id": key["AccessKeyId"], "secret_access_key": key["SecretAccessKey"]}


def list_in_pages_as_s3_does():
    """moto 5 answers each ListObjectsV2 page by filtering and sorting every key of the
    bucket: 0.6 s a page for 200,000 keys, where S3 answers in tens of milliseconds. This
    keeps the sorted listing (until the next write) and finds each page's start by bisection:
    the same keys, prefixes, truncation and continuation tokens, at the cost of one page."""
    import bisect
    from moto.s3.models import S3Backend

    lock = threading.Lock()
    state = {"generation": 0, "cache": {}}

    def bumping(method):
        def wrapper(self, *args, **kwargs):
            with lock:
                state["generation"] += 1
                state["cache"].clear()
            return method(self, *args, **kwargs)
        return wrapper

    for name in ("put_object", "delete_object", "delete_objects", "copy_object", "complete_multipart_upload",
                 "create_bucket", "delete_bucket"):
        if hasattr(S3Backend, name):
            setattr(S3Backend, name, bumping(getattr(S3Backend, name)))

    def list_objects_v2(self, bucket, prefix, delimiter, continuation_token, start_after, max_keys):
        cache_key = (bucket.name, prefix, delimiter)
        with lock:
            generation = state["generation"]
            cached = state["cache"].get(cache_key)
        if cached is None:
            keys, folders, _, _ = self.list_objects(bucket, prefix, delimiter, marker=None, max_keys=None)
            entries = sorted(list(keys) + list(folders), key=self._get_name)
            cached = (entries, [self._get_name(entry) for entry in entries])
            with lock:
                if state["generation"] == generation:
                    state["cache"][cache_key] = cached
        entries, names = cached
        if continuation_token or start_after:
            limit = self._pagination_tokens.get(continuation_token) if continuation_token else start_after
            entries = entries[bisect.bisect_right(names, limit):]
        return self._truncate_result(entries, max_keys)

    S3Backend.list_objects_v2 = list_objects_v2


def set_up_credentials(endpoint):
    iam = client("iam", endpoint)
    reader = make_user(iam, "walkit-reader", READ_ONLY_POLICY)
    writer = make_user(iam, "walkit-writer", WRITE_POLICY)
    trust = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": {"AWS": "*"}, "Action": "sts:AssumeRole"}]}
    role = iam.create_role(RoleName="walkit-read-role", AssumeRolePolicyDocument=json.dumps(trust))["Role"]
    iam.put_role_policy(RoleName="walkit-read-role", PolicyName="read", PolicyDocument=json.dumps(READ_ONLY_POLICY))
    assumed = client("sts", endpoint, reader["access_key_id"], reader["secret_access_key"]).assume_role(
        RoleArn=role["Arn"], RoleSessionName="walkit-tests")["Credentials"]
    session = {"access_key_id": assumed["AccessKeyId"], "secret_access_key": assumed["SecretAccessKey"],
               "session_token": assumed["SessionToken"]}
    return reader, writer, session


def upload(s3, testdata):
    s3.create_bucket(Bucket="walkit")
    count = 0
    for top in UPLOADED:
        root = os.path.join(testdata, top)
        for directory, _, files in os.walk(root):
            for name in files:
                path = os.path.join(directory, name)
                key = os.path.relpath(path, testdata)
                with open(path, "rb") as f:
                    s3.put_object(Bucket="walkit", Key=key, Body=f.read())
                count += 1
    flat = os.path.join(testdata, "pg15-repositories", "flat")
    for copy in FAULT_COPIES:
        for name in sorted(os.listdir(flat)):
            with open(os.path.join(flat, name), "rb") as f:
                s3.put_object(Bucket="walkit", Key=f"faults/{copy}/{name}", Body=f.read())
            count += 1
    return count


def populate_many(count, testdata):
    """Puts `count` objects in bucket walkit-many under archive/, straight into moto's store
    (uploading them one request at a time would take minutes); listing them is through the API
    like any other. They are named as consecutive 1 MB segments from 000000010000000000000006:
    the first holds PostgreSQL 16's real segment 6 (which tells the segment size), the others a
    line of text."""
    from moto.s3.models import s3_backends
    backend = s3_backends["123456789012"]["aws"]
    backend.create_bucket("walkit-many", REGION)
    with open(os.path.join(testdata, "pg16/archive/000000010000000000000006"), "rb") as f:
        first = f.read()
    for segment in range(6, 6 + count):
        name = "00000001%08X%08X" % (segment // 4096, segment % 4096)
        backend.put_object("walkit-many", "archive/" + name, first if segment == 6 else b"not a segment: a listing test object\n")


class FaultRules:
    def __init__(self):
        self.lock = threading.Lock()
        self.rules = []
        self.methods = {}
        self.answers = 0
        self.answered = {}
        self.answering = threading.Condition(self.lock)

    def count(self, method, path):
        with self.lock:
            prefix = path.lstrip("/").split("?")[0].split("/")
            key = method + " " + "/".join(prefix[:3])
            self.methods[key] = self.methods.get(key, 0) + 1

    def add(self, rules):
        with self.lock:
            for rule in rules:
                self.rules.append({"match": rule["match"], "faults": list(rule["faults"]), "taken": 0,
                                   "added": self.answers})

    def clear(self):
        with self.lock:
            self.rules = []

    def note_answered(self, path):
        with self.lock:
            self.answers += 1
            self.answered[path.split("?")[0]] = self.answers
            self.answering.notify_all()

    def wait_for_answer(self, match, after, timeout):
        """Whether a path containing `match` has passed through whole since answer number
        `after`, waiting up to `timeout` seconds for it."""
        with self.lock:
            return self.answering.wait_for(
                lambda: any(match in path and number > after for path, number in self.answered.items()), timeout)

    def next_fault(self, path):
        """The next fault for `path`, and how many answers had been sent when its rule was added."""
        with self.lock:
            for rule in self.rules:
                if rule["match"] in path and rule["faults"]:
                    rule["taken"] += 1
                    return rule["faults"].pop(0), rule["added"]
        return None, 0

    def report(self):
        with self.lock:
            return {"rules": [{"match": r["match"], "taken": r["taken"], "left": len(r["faults"])} for r in self.rules],
                    "methods": dict(self.methods)}


def make_proxy(upstream_port, rules, writer, endpoint):
    rewriting = threading.Lock()

    class Proxy(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, *args):
            pass

        def control(self):
            length = int(self.headers.get("Content-Length") or 0)
            body = self.rfile.read(length) if length else b""
            if self.command == "POST":
                rules.add(json.loads(body))
            elif self.command == "DELETE":
                rules.clear()
            answer = json.dumps(rules.report()).encode()
            self.send_response(200)
            self.send_header("Content-Length", str(len(answer)))
            self.end_headers()
            self.wfile.write(answer)

        def error(self, status, code, message):
            body = f'<?xml version="1.0" encoding="UTF-8"?><Error><Code>{code}</Code><Message>{message}</Message></Error>'.encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/xml")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def rewrite_object(self, shrink):
            bucket, _, key = self.path.split("?")[0].lstrip("/").partition("/")
            s3 = client("s3", endpoint, writer["access_key_id"], writer["secret_access_key"])
            body = s3.get_object(Bucket=bucket, Key=key)["Body"].read()
            s3.put_object(Bucket=bucket, Key=key, Body=body[: len(body) // 2] if shrink else body[:-1] + bytes([body[-1] ^ 0xFF]))

        def forward(self):
            length = int(self.headers.get("Content-Length") or 0)
            body = self.rfile.read(length) if length else None
            upstream = http.client.HTTPConnection("127.0.0.1", upstream_port, timeout=60)
            upstream.request(self.command, self.path, body=body, headers=dict(self.headers.items()))
            response = upstream.getresponse()
            data = response.read()
            upstream.close()
            return response, data

        def handle_any(self):
            if self.path.startswith("/__faults__"):
                return self.control()
            rules.count(self.command, self.path)
            # A rewrite happens before any later request for the object is answered.
            with rewriting:
                fault, rule_added = rules.next_fault(self.path)
                if fault in ("change", "shrink"):
                    self.rewrite_object(shrink=fault == "shrink")
            if fault == "500":
                return self.error(500, "InternalError", "We encountered an internal error. Please try again.")
            if fault == "503":
                return self.error(503, "SlowDown", "Please reduce your request rate.")
            if fault and fault.startswith("after:"):
                match, _, seconds = fault[6:].rpartition(":")
                if not rules.wait_for_answer(match, after=rule_added, timeout=20):
                    sys.stderr.write(f"s3-test-server: {fault}: no response to {match} passed through in 20 s\n")
                    return self.error(500, "InternalError", f"{fault}: {match} was never answered")
                time.sleep(float(seconds))
            response, data = self.forward()
            self.send_response_only(response.status, response.reason)
            for name, value in response.getheaders():
                if name.lower() not in ("transfer-encoding", "connection", "server", "date"):
                    self.send_header(name, value)
            self.end_headers()
            if fault == "reset":
                self.wfile.write(data[: len(data) // 2])
                self.wfile.flush()
                self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
                self.close_connection = True
                return
            if fault == "truncate":
                self.wfile.write(data[: len(data) // 2])
                self.close_connection = True
                return
            if fault and fault.startswith("slow:"):
                self.wfile.flush()
                time.sleep(float(fault[5:]))
            self.wfile.write(data)
            self.wfile.flush()
            rules.note_answered(self.path)

        do_GET = do_HEAD = do_POST = do_PUT = do_DELETE = handle_any

    server = ThreadingHTTPServer(("127.0.0.1", 0), Proxy)
    server.daemon_threads = True
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--info", required=True)
    parser.add_argument("--testdata", default=os.path.join(os.path.dirname(__file__), "..", "TestData"))
    parser.add_argument("--many", type=int, default=200_000)
    parser.add_argument("--upload", action="append", default=[],
                        help="DIR=BUCKET/PREFIX: also upload DIR's files (for benchmarks)")
    args = parser.parse_args()
    parent = os.getppid()

    check_s3_signatures_as_s3_does()
    list_in_pages_as_s3_does()
    moto = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    moto.start()
    host, port = moto.get_host_and_port()
    endpoint = f"http://127.0.0.1:{port}"

    reader, writer, session = set_up_credentials(endpoint)
    settings.INITIAL_NO_AUTH_ACTION_COUNT = 0  # from here on, every request is signed and checked
    s3 = client("s3", endpoint, writer["access_key_id"], writer["secret_access_key"])
    uploaded = upload(s3, os.path.abspath(args.testdata))
    s3.create_bucket(Bucket="walkit-empty")
    for extra in args.upload:
        directory, _, target = extra.partition("=")
        bucket, _, prefix = target.partition("/")
        if bucket not in [b["Name"] for b in s3.list_buckets()["Buckets"]]:
            s3.create_bucket(Bucket=bucket)
        for name in sorted(os.listdir(directory)):
            path = os.path.join(directory, name)
            if os.path.isfile(path):
                s3.upload_file(path, bucket, f"{prefix.rstrip('/')}/{name}")
    started = time.time()
    populate_many(args.many, os.path.abspath(args.testdata))
    proxy = make_proxy(port, FaultRules(), writer, endpoint)

    info = {"endpoint": endpoint, "proxy": f"http://127.0.0.1:{proxy.server_address[1]}", "region": REGION,
            "reader": reader, "writer": writer, "session": session, "uploaded": uploaded, "many": args.many,
            "many_seconds": round(time.time() - started, 1)}
    temporary = args.info + ".tmp"
    with open(temporary, "w") as f:
        json.dump(info, f)
    os.rename(temporary, args.info)
    while os.getppid() == parent:
        time.sleep(0.5)


if __name__ == "__main__":
    main()
