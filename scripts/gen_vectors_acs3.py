"""Signature V3 (ACS3-HMAC-SHA256) test vectors, made with Alibaba's official SDK code and written
to crates/protocol/tests/vectors/acs3_signature.json. Run through scripts/gen_vectors.py (which
also writes the V2 vectors); the regeneration commands are at the top of that script.

The reference implementation is alibabacloud-tea-openapi (PyPI), ``Utils.get_authorization`` in
alibabacloud_tea_openapi/utils.py, the signer its ``Client.do_request`` uses whenever
``Config.signature_algorithm`` is not "v2" (the default). Every case is cross-checked with
@alicloud/openapi-util (npm) ``Client.getAuthorization``, through scripts/gen_vectors.mjs; where it
disagrees, its output is recorded under "disagreements" (and printed), nothing is dropped.

What comes from the SDK, not from this script:
  * authorization: the return value of ``Utils.get_authorization(request, "ACS3-HMAC-SHA256",
    payload, ak, secret)``;
  * canonical request: what that call hands to ``Utils.hash`` (the hash is its only use), read
    by wrapping ``Utils.hash`` for the duration of the call;
  * string to sign: what that call hands to the module-level ``signature_method`` (looked up by
    name at call time, so it is wrapped on the module);
  * payload hash: ``Utils.hash(body bytes, "ACS3-HMAC-SHA256").hex()``, as ``do_request`` computes
    ``x-acs-content-sha256``.

"pipeline" cases go through the SDK's public ``Client.call_api`` (the path a generated product
client such as alibabacloud-cams20200606 takes) with ``DaraCore.do_action`` replaced by a stub
that records the request instead of sending it, and with the SDK's clock (``get_timestamp``),
nonce (``get_nonce``) and user agent (``get_user_agent``, which names the machine's OS and Python)
fixed, so the file is the same on every machine. Their headers are what the SDK sends, ``accept``
and ``user-agent`` included: the Python SDK signs every header it sends, the npm one only
``host``, ``content-type`` and ``x-acs-*``, so those cases record the npm signer's disagreement.

Inputs: query names use only RFC 3986's unreserved characters, because both SDKs write names
into the canonical query unencoded while Alibaba's page says to encode them (our signer follows
the page; for such names the two agree). Query values, bodies and secrets are hostile: every
printable ASCII character, reserved characters, non-ASCII text, emoji, empty values. Header values
are HTTP header values (visible ASCII, padded with spaces and tabs): the SDKs trim Unicode
whitespace differently, and HTTP carries none.
"""

import json
import os
import random
import string
import subprocess
import sys

from alibabacloud_tea_openapi import utils as tea_utils
from alibabacloud_tea_openapi import utils_models as open_api_models
from alibabacloud_tea_openapi.client import Client as OpenApiClient
from alibabacloud_tea_openapi.utils import Utils
from darabonba.core import DaraCore
from darabonba.request import DaraRequest
from darabonba.runtime import RuntimeOptions

ALGORITHM = "ACS3-HMAC-SHA256"
SEED = 20200606 + 3
SAFE_NAME = string.ascii_letters + string.digits + "-_.~"
ALNUM = string.ascii_letters + string.digits
B64 = ALNUM + "+/"
EMPTY_SHA256 = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"

# ---------------------------------------------------------------------------------------------
# The SDK hooks
# ---------------------------------------------------------------------------------------------

_hashed = []
_signed = []
_authorizations = []
_real_hash = Utils.hash
_real_signature_method = tea_utils.signature_method
_real_get_authorization = Utils.get_authorization


def _recording_hash(raw, sign_type):
    _hashed.append(bytes(raw))
    return _real_hash(raw, sign_type)


def _recording_signature_method(secret, source, sign_type):
    _signed.append(source)
    return _real_signature_method(secret, source, sign_type)


def _recording_get_authorization(request, sign_type, payload, ak, secret):
    """The SDK's get_authorization, with what it hashed and signed recorded."""
    assert sign_type == ALGORITHM, sign_type
    _hashed.clear()
    _signed.clear()
    snapshot = {
        "method": request.method,
        "pathname": request.pathname,
        "query": list((request.query or {}).items()),
        "headers": list((request.headers or {}).items()),
        "payload": payload,
        "accessKeyId": ak,
        "secret": secret,
    }
    auth = _real_get_authorization(request, sign_type, payload, ak, secret)
    assert len(_hashed) == 1 and len(_signed) == 1, (len(_hashed), len(_signed))
    snapshot["canonicalRequest"] = _hashed[0].decode("utf-8")
    snapshot["stringToSign"] = _signed[0]
    snapshot["authorization"] = auth
    _authorizations.append(snapshot)
    return auth


Utils.hash = staticmethod(_recording_hash)
tea_utils.signature_method = _recording_signature_method
Utils.get_authorization = staticmethod(_recording_get_authorization)


def sdk_payload_hash(body):
    return Utils.hash(body.encode("utf-8"), ALGORITHM).hex()


def sign_direct(case):
    request = DaraRequest()
    request.method = case["method"]
    request.pathname = case["pathname"]
    request.query = dict(case["query"])
    request.headers = dict(case["headers"])
    payload = sdk_payload_hash(case["body"])
    _authorizations.clear()
    Utils.get_authorization(request, ALGORITHM, payload, case["accessKeyId"], case["secret"])
    snap = _authorizations[0]
    assert snap["payload"] == payload
    return snap


class _Sent(Exception):
    pass


_sent = []


def _stub_do_action(request, runtime_option=None):
    _sent.append(request)
    raise _Sent()


def sign_pipeline(p):
    """One call through OpenApiClient.call_api, recorded instead of sent."""
    saved = (DaraCore.do_action, Utils.get_timestamp, Utils.get_nonce, Utils.get_user_agent)
    DaraCore.do_action = staticmethod(_stub_do_action)
    Utils.get_timestamp = staticmethod(lambda: p["date"])
    Utils.get_nonce = staticmethod(lambda: p["nonce"])
    Utils.get_user_agent = staticmethod(lambda user_agent=None: p["userAgent"])
    try:
        config = open_api_models.Config(
            access_key_id=p["accessKeyId"], access_key_secret=p["secret"],
            security_token=p.get("token"), endpoint=p["host"], protocol="https",
            region_id="ap-southeast-1")
        client = OpenApiClient(config)
        params = open_api_models.Params(
            action=p["action"], version=p["version"], protocol="HTTPS", pathname="/",
            method=p["method"], auth_type="AK", style="RPC", req_body_type="formData",
            body_type="json")
        request = open_api_models.OpenApiRequest(
            query=Utils.query(p["query"]) if p["query"] else None,
            body=p["body"] if p["body"] else None)
        _sent.clear()
        _authorizations.clear()
        try:
            client.call_api(params, request, RuntimeOptions())
        except Exception:  # the stub's _Sent, wrapped by the SDK's retry loop
            pass
    finally:
        (DaraCore.do_action, Utils.get_timestamp, Utils.get_nonce, Utils.get_user_agent) = saved
    assert len(_sent) == 1 and len(_authorizations) == 1, (len(_sent), len(_authorizations))
    sent, snap = _sent[0], _authorizations[0]
    body = sent.body or ""
    if isinstance(body, bytes):
        body = body.decode("utf-8")
    assert snap["payload"] == sdk_payload_hash(body)
    assert sent.headers["Authorization"] == snap["authorization"]
    snap["body"] = body
    return snap


def sign_js(cases, mjs):
    prefix = os.environ.get("VEC_NPM_PREFIX", "/tmp/vecnpm")
    payload = json.dumps({"acs3": [
        {"name": c["name"], "method": c["method"], "pathname": c["pathname"],
         "query": c["query"], "headers": c["headers"], "payload": c["payload"],
         "accessKeyId": c["accessKeyId"], "secret": c["secret"]} for c in cases]})
    proc = subprocess.run(
        ["node", mjs], input=payload.encode("utf-8"), capture_output=True,
        env=dict(os.environ, VEC_NPM_PREFIX=prefix), check=False)
    if proc.returncode != 0:
        sys.stderr.write(proc.stderr.decode("utf-8", "replace"))
        raise SystemExit("gen_vectors.mjs failed (acs3)")
    data = json.loads(proc.stdout.decode("utf-8"))
    return data["versions"], {r["name"]: r for r in data["results"]}


# ---------------------------------------------------------------------------------------------
# Inputs
# ---------------------------------------------------------------------------------------------


class Cases:
    def __init__(self, pools):
        self.rng = random.Random(SEED)
        self.pools = pools
        self.direct = []
        self.pipeline = []
        self.names = set()

    def rand_str(self, alphabet, n):
        return "".join(self.rng.choice(alphabet) for _ in range(n))

    def fuzz(self, n):
        return "".join(self.rng.choice(self.pools["fuzz"]) for _ in range(n))

    def nonce(self):
        return self.rand_str("0123456789abcdef", 32)

    def date(self):
        y = self.rng.randrange(2020, 2035)
        return (f"{y}-{self.rng.randrange(1, 13):02d}-{self.rng.randrange(1, 29):02d}T"
                f"{self.rng.randrange(24):02d}:{self.rng.randrange(60):02d}:"
                f"{self.rng.randrange(60):02d}Z")

    def key_id(self, sts=False):
        return ("STS." + self.rand_str(ALNUM, 28)) if sts else ("LTAI" + self.rand_str(ALNUM, 20))

    def token(self):
        return "CAIS" + self.rand_str(B64, self.rng.randrange(300, 700)) + "=" * self.rng.randrange(3)

    def host(self):
        return self.rng.choice(["cams.ap-southeast-1.aliyuncs.com", "sts.aliyuncs.com",
                                "127.0.0.1:8081", "[::1]:18081", "emulator.test:8081"])

    def common_headers(self, action, version, body, sts=False, content_type=None):
        headers = [("host", self.host()), ("x-acs-action", action), ("x-acs-version", version),
                   ("x-acs-date", self.date()), ("x-acs-signature-nonce", self.nonce()),
                   ("x-acs-content-sha256", sdk_payload_hash(body))]
        if content_type:
            headers.append(("content-type", content_type))
        if sts:
            headers.append(("x-acs-security-token", self.token()))
        return headers

    def add(self, name, method, query, headers, body="", secret=None, key_id=None, note=None,
            pathname="/"):
        assert name not in self.names, name
        self.names.add(name)
        for k, _ in query:
            assert k and all(c in SAFE_NAME for c in k), k
        assert len({k for k, _ in query}) == len(query), name
        assert len({k for k, _ in headers}) == len(headers), name
        case = {"name": name, "method": method, "pathname": pathname,
                "query": [[k, v] for k, v in query], "headers": [[k, v] for k, v in headers],
                "body": body, "accessKeyId": key_id or self.key_id(),
                "secret": secret if secret is not None else self.rand_str(ALNUM, 30)}
        if note:
            case["note"] = note
        self.direct.append(case)

    def add_pipeline(self, name, **p):
        assert name not in self.names, name
        self.names.add(name)
        p["name"] = name
        self.pipeline.append(p)


def build_cases(pools):
    c = Cases(pools)
    rng = c.rng
    CREATE = "CreatePhoneMessageQrdl"

    # 1. Alibaba's worked example ("Request syntax and signature method V3").
    c.add("public RunInstances example", "POST",
          [("ImageId", "win2019_1809_x64_dtc_zh-cn_40G_alibase_20230811.vhd"),
           ("RegionId", "cn-shanghai")],
          [("host", "ecs.cn-shanghai.aliyuncs.com"), ("x-acs-action", "RunInstances"),
           ("x-acs-content-sha256", EMPTY_SHA256), ("x-acs-date", "2023-10-26T10:22:32Z"),
           ("x-acs-signature-nonce", "3156853299f313e23d1673dc12e1703d"),
           ("x-acs-version", "2014-05-26")],
          secret="YourAccessKeySecret", key_id="YourAccessKeyId")

    def method(i):
        return "GET" if i % 3 == 0 else "POST"

    # 2. Every printable ASCII character, alone, as a query value.
    for i, ch in enumerate(chr(x) for x in range(0x20, 0x7F)):
        c.add(f"query value U+{ord(ch):04X} {ch!r}", method(i),
              [("PrefilledMessage", ch), ("PhoneNumber", "8613800000000")],
              c.common_headers(CREATE, "2020-06-06", ""))

    # 3. Unicode and hostile strings as query values.
    for i, (label, v) in enumerate(pools["unicode"] + pools["special"]):
        c.add(f"query value {label}", method(i),
              [("PrefilledMessage", v), ("GenerateQrImage", "PNG")],
              c.common_headers(CREATE, "2020-06-06", "", sts=i % 4 == 0))

    # 4. Empty values, no query, sorting.
    c.add("query all values empty", "POST", [("b", ""), ("a", ""), ("PhoneNumber", "")],
          c.common_headers(CREATE, "2020-06-06", ""))
    c.add("no query at all", "POST", [], c.common_headers("ListPhoneMessageQrdl",
                                                           "2020-06-06", ""))
    c.add("query sort is by name bytes", "GET",
          [("b", "1"), ("B", "2"), ("a", "3"), ("A", "4"), ("_", "5"), ("a.b", "6"), ("a-b", "7"),
           ("a~", "8"), ("Tag.10.Key", "9"), ("Tag.2.Key", "10"), ("10", "11"), ("9", "12")],
          c.common_headers(CREATE, "2020-06-06", ""))

    # 5. Headers: case, padding, repeated names, the security token, other x-acs-* headers,
    #    content-type.
    base = c.common_headers(CREATE, "2020-06-06", "", sts=True)
    c.add("header names in mixed case", "POST", [("PhoneNumber", "1")],
          [(k.title() if i % 2 else k.upper(), v) for i, (k, v) in enumerate(base)])
    c.add("header values padded with spaces and tabs", "POST", [("PhoneNumber", "1")],
          [(k, rng.choice([" ", "\t", "  ", " \t "]) + v + rng.choice(["", " ", "\t"]))
           for k, v in base])
    c.add("header value with inner spaces kept", "POST", [("PhoneNumber", "1")],
          base + [("x-acs-custom", "a  b\tc ,; d")])
    c.add("one header name given twice (case variants)", "POST", [("PhoneNumber", "1")],
          base + [("x-acs-multi", "zeta"), ("X-Acs-Multi", "alpha"), ("X-ACS-MULTI", " mid ")],
          note="values of one name are trimmed, sorted and joined with ','")
    c.add("empty header value", "POST", [("PhoneNumber", "1")],
          base + [("x-acs-empty", ""), ("x-acs-blank", "   ")])
    c.add("security token and accesskey-id headers", "POST", [("PhoneNumber", "1")],
          base + [("x-acs-accesskey-id", "STS.abc")])
    c.add("form content-type signed", "POST", [],
          c.common_headers(CREATE, "2020-06-06", "PhoneNumber=1",
                           content_type="application/x-www-form-urlencoded"),
          body="PhoneNumber=1")
    c.add("accept and user-agent signed too", "POST", [("PhoneNumber", "1")],
          base + [("accept", "application/json"), ("user-agent", "AlibabaCloud (test) Python/3")],
          note="the Python SDK signs every header it is given; the npm one only host, "
               "content-type and x-acs-*")

    # 6. Bodies: the payload hash covers them whatever they hold.
    bodies = [("empty", ""), ("form", "GenerateQrImage=PNG&PhoneNumber=8613800000000&"
                                       "PrefilledMessage=Hi%20%26%20%E4%BD%A0%E5%A5%BD"),
              ("form with plus", "PrefilledMessage=a+b+%2B&x="),
              ("JSON", json.dumps({"a": [1, {"b": "c d"}], "e": "é👋"}, ensure_ascii=False)),
              ("CJK text", "你好，世界"), ("emoji", "👩🏽\u200d💻🇯🇵"),
              ("control characters", "a\r\nb\tc\x00d"), ("long", c.fuzz(3000))]
    for i, (label, body) in enumerate(bodies):
        ct = "application/json" if label == "JSON" else "application/x-www-form-urlencoded"
        c.add(f"body {label}", "POST", [("PhoneNumber", "8613800000000")] if i % 2 else [],
              c.common_headers(CREATE, "2020-06-06", body, sts=i % 3 == 0, content_type=ct),
              body=body)
    c.add("body hash header that does not match the body", "POST", [],
          [(k, EMPTY_SHA256 if k == "x-acs-content-sha256" else v)
           for k, v in c.common_headers(CREATE, "2020-06-06", "x=1",
                                        content_type="application/x-www-form-urlencoded")],
          body="x=1", note="the payload line is the body's hash; the header is signed as sent")

    # 7. Secrets: the HMAC key is the secret itself.
    for i, (label, secret) in enumerate(pools["secrets"]):
        c.add(f"secret {label}", method(i), [("PhoneNumber", "8613800000000")],
              c.common_headers(CREATE, "2020-06-06", ""), secret=secret)

    # 8. Paths (RPC uses "/"; the signer takes the wire path as given).
    for p in ["", "/api/v1/clusters", "/a%20b/c%2Fd"]:
        c.add(f"pathname {p!r}", "GET", [("x", "1")], c.common_headers(CREATE, "2020-06-06", ""),
              pathname=p)

    # 9. Random: safe names, hostile values, random header sets and bodies.
    for i in range(100):
        query = []
        names = set()
        for _ in range(rng.randrange(0, 10)):
            k = c.rand_str(SAFE_NAME, rng.randrange(1, 16))
            if k not in names:
                names.add(k)
                query.append((k, c.fuzz(rng.randrange(0, 50)) if rng.random() < 0.85 else ""))
        body = rng.choice(["", "", c.fuzz(rng.randrange(0, 200))])
        headers = c.common_headers(rng.choice([CREATE, "ListPhoneMessageQrdl", "AssumeRole"]),
                                   rng.choice(["2020-06-06", "2015-04-01"]), body,
                                   sts=rng.random() < 0.4,
                                   content_type=("application/x-www-form-urlencoded"
                                                 if body and rng.random() < 0.7 else None))
        for _ in range(rng.randrange(0, 3)):
            headers.append((f"x-acs-extra-{len(headers)}",
                            c.rand_str(string.printable[:94] + " ", rng.randrange(0, 30)).strip()))
        rng.shuffle(headers)
        secret = c.rand_str(ALNUM, 30) if rng.random() < 0.8 else c.fuzz(rng.randrange(0, 40))
        c.add(f"fuzz #{i:03d}", rng.choice(["GET", "POST"]), query, headers, body=body,
              secret=secret)

    # 10. Through the SDK's own call_api: what a product client sends.
    def message():
        parts = []
        while not parts or (rng.random() < 0.6 and len("".join(parts)) < 100):
            parts.append(rng.choice(pools["messages"]))
        return " ".join(parts)[:140]

    actions = ["CreatePhoneMessageQrdl", "ListPhoneMessageQrdl", "UpdatePhoneMessageQrdl",
               "DeletePhoneMessageQrdl"]
    for i in range(32):
        action = actions[i % 4]
        params = {"PhoneNumber": rng.choice(["8613800000000", "+14155550100", "971501234567"])}
        if action in ("CreatePhoneMessageQrdl", "UpdatePhoneMessageQrdl"):
            params["GenerateQrImage"] = rng.choice(["PNG", "SVG"])
            params["PrefilledMessage"] = message() if i % 7 else ""
        if action in ("UpdatePhoneMessageQrdl", "DeletePhoneMessageQrdl"):
            params["QrdlCode"] = c.rand_str(string.ascii_uppercase + string.digits, 8)
        if i % 3 == 0:
            params["CustSpaceId"] = "cams-" + c.rand_str(string.ascii_lowercase + string.digits, 12)
        in_body = i % 4 == 1
        sts = i % 3 == 1
        c.add_pipeline(
            f"pipeline call_api {action} #{i:02d}" + (" form body" if in_body else "")
            + (" sts" if sts else ""),
            action=action, version="2020-06-06", method="POST", host=c.host(),
            accessKeyId=c.key_id(sts), secret=c.rand_str(ALNUM, 30),
            token=c.token() if sts else None, date=c.date(), nonce=c.nonce(),
            userAgent="AlibabaCloud (Linux; x86_64) Python/3.11.7 Core/0.4.3 TeaDSL/2",
            query=None if in_body else params, body=params if in_body else None)
    for i in range(4):
        policy = json.dumps({"Version": "1", "Statement": [{
            "Effect": "Allow", "Action": ["cams:CreatePhoneMessageQrdl",
                                          "cams:ListPhoneMessageQrdl"], "Resource": "*"}]})
        params = {"RoleArn": "acs:ram::1234567890123456:role/cams-qrdl-browser",
                  "RoleSessionName": "web-" + c.rand_str(ALNUM, 8),
                  "DurationSeconds": str(rng.choice([900, 3600])), "Policy": policy}
        c.add_pipeline(f"pipeline call_api AssumeRole with policy #{i}", action="AssumeRole",
                       version="2015-04-01", method="POST", host="sts.aliyuncs.com",
                       accessKeyId=c.key_id(), secret=c.rand_str(ALNUM, 30), token=None,
                       date=c.date(), nonce=c.nonce(), userAgent="AlibabaCloud (test) TeaDSL/2",
                       query=None if i % 2 else params, body=params if i % 2 else None)
    return c


# ---------------------------------------------------------------------------------------------
# Output
# ---------------------------------------------------------------------------------------------


def format_vectors(vectors):
    """One field a line, one pair a line: readable diffs."""
    def dump(x):
        return json.dumps(x, ensure_ascii=True)

    out = ["["]
    for i, v in enumerate(vectors):
        lines = []
        for key, val in v.items():
            if key in ("query", "headers"):
                pairs = ",\n".join("  " + dump(p) for p in val)
                lines.append(f" {dump(key)}: [" + ("\n" + pairs + "\n ]" if val else "]"))
            else:
                lines.append(f" {dump(key)}: {dump(val)}")
        out.append("{\n" + ",\n".join(lines) + "\n}" + ("," if i + 1 < len(vectors) else ""))
    out.append("]")
    text = "\n".join(out) + "\n"
    assert json.loads(text) == vectors
    return text


def write(out_path, mjs, pools, sdk_name):
    """Signs every case with the SDK, cross-checks with npm, writes the file; returns a summary."""
    cases = build_cases(pools)
    signed = []
    for case in cases.direct:
        snap = sign_direct(case)
        signed.append(dict(case, **{k: snap[k] for k in (
            "canonicalRequest", "stringToSign", "authorization")}, payload=snap["payload"],
            kind="get_authorization"))
    for p in cases.pipeline:
        snap = sign_pipeline(p)
        case = {"name": p["name"], "method": snap["method"], "pathname": snap["pathname"],
                "query": [[k, v] for k, v in snap["query"]],
                "headers": [[k, v] for k, v in snap["headers"]], "body": snap["body"],
                "accessKeyId": snap["accessKeyId"], "secret": snap["secret"],
                "canonicalRequest": snap["canonicalRequest"],
                "stringToSign": snap["stringToSign"], "authorization": snap["authorization"],
                "payload": snap["payload"], "kind": "call_api"}
        signed.append(case)

    js_versions, js = sign_js(signed, mjs)
    js_name = f"@alicloud/openapi-util {js_versions['@alicloud/openapi-util']}"
    vectors = []
    disagreements = 0
    for case in signed:
        ref = (case["canonicalRequest"], case["stringToSign"], case["authorization"])
        assert case["stringToSign"].startswith(ALGORITHM + "\n")
        assert case["canonicalRequest"].endswith("\n" + case["payload"])
        v = {k: case[k] for k in ("name", "method", "pathname", "query", "headers", "body",
                                  "accessKeyId", "secret", "canonicalRequest", "stringToSign",
                                  "authorization")}
        v["source"] = sdk_name + (" call_api" if case["kind"] == "call_api" else "")
        if "note" in case:
            v["note"] = case["note"]
        r = js[case["name"]]
        out = (r["canonicalRequest"], r["stringToSign"], r["authorization"])
        if out == ref:
            v["agreedBy"] = [js_name]
        else:
            v["agreedBy"] = []
            v["disagreements"] = {js_name: {"canonicalRequest": out[0], "stringToSign": out[1],
                                            "authorization": out[2]}}
            disagreements += 1
            print(f"DISAGREEMENT (acs3) {case['name']}: {js_name}", file=sys.stderr)
        vectors.append(v)

    os.makedirs(os.path.dirname(out_path), exist_ok=True)
    with open(out_path, "w", encoding="ascii", newline="\n") as f:
        f.write(format_vectors(vectors))
    return (f"{len(vectors)} V3 vectors ({sdk_name}; cross-checked with {js_name}), "
            f"{disagreements} with disagreements")
