#!/usr/bin/env python3
"""Generate signature test vectors with Alibaba's official SDK code:
  * RPC signature V2 (HMAC-SHA1, SignatureVersion 1.0) ->
    crates/protocol/tests/vectors/rpc_signature.json (this file);
  * Signature V3 (ACS3-HMAC-SHA256) -> crates/protocol/tests/vectors/acs3_signature.json
    (scripts/gen_vectors_acs3.py, run from main() below; its docstring says what comes from
    which SDK function).

The reference implementation is aliyun-python-sdk-core
(aliyunsdkcore.auth.composer.rpc_signature_composer). Every case is cross-checked with two more
official implementations:
  * alibabacloud_openapi_util (PyPI) ``Client.get_rpcsignature``, the signer of the Python tea
    clients;
  * @alicloud/openapi-util (npm) ``getRPCSignature``, through scripts/gen_vectors.mjs.
If an implementation disagrees with the reference on a case, the case is kept and its output is
recorded under "disagreements" (and printed); nothing is dropped.

Versions used for the committed vectors (pinned in scripts/requirements-vectors.txt):
  Python 3.11.7 (POSIX; the SDK's second encoding pass is urllib.request.pathname2url, which is
  plain urllib.parse.quote only on POSIX)
  aliyun-python-sdk-core 2.16.1
  alibabacloud_openapi_util 0.2.4
  alibabacloud-tea-openapi 0.4.6 (darabonba-core 1.0.9), the V3 reference
  @alicloud/openapi-util 0.3.3 (kitx 2.2.0) on Node.js v20.20.2, both versions' cross-check

Regenerate, from the repository root:
  python3 -m venv /tmp/vecvenv
  /tmp/vecvenv/bin/pip install -r scripts/requirements-vectors.txt
  npm install --prefix /tmp/vecnpm @alicloud/openapi-util@0.3.3
  /tmp/vecvenv/bin/python scripts/gen_vectors.py   # VEC_NPM_PREFIX=/tmp/vecnpm by default
The output is deterministic (fixed seeds, no clock, no OS randomness): re-running it must give
byte-identical files.

What comes from the SDKs, not from this script:
  * canonical query: the value the SDK's own ``__compose_string_to_sign`` computes. It is not
    returned, so the module-level ``__pop_standard_urlencode`` (which that function looks up
    by name at call time) is wrapped to record what it returns; its first result inside
    ``__compose_string_to_sign`` is the canonical query;
  * string-to-sign: the return value of ``__compose_string_to_sign(method, params)``;
  * signature: ``__get_signature(string_to_sign, secret)`` (-> sha_hmac1.get_sign_string with
    key secret + "&").
These are module-level functions with double-underscore names; Python mangles such names only
inside class bodies, so they are reached with getattr on the module.

A few "pipeline" cases go through the SDK's public ``get_signed_url`` (the path a real
CommonRequest takes), with its clock and nonce helpers replaced by fixed values. That path adds
``SignatureType=`` (empty) and drops an incoming ``Signature``; the vector's params are what it
signed, plus, in one case, the stale ``Signature`` it was handed.
"""

import datetime
import importlib.metadata
import json
import os
import platform
import random
import string
import subprocess
import sys
import urllib.parse
import uuid

from aliyunsdkcore.auth.composer import rpc_signature_composer as composer
from aliyunsdkcore.utils import parameter_helper
import alibabacloud_openapi_util.client as tea_util_client
import gen_vectors_acs3

SEED = 20200606
ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
OUT = os.path.join(ROOT, "crates", "protocol", "tests", "vectors", "rpc_signature.json")
MJS = os.path.join(ROOT, "scripts", "gen_vectors.mjs")

OUT_ACS3 = os.path.join(ROOT, "crates", "protocol", "tests", "vectors", "acs3_signature.json")

PINNED = {
    "aliyun-python-sdk-core": "2.16.1",
    "alibabacloud_openapi_util": "0.2.4",
    "alibabacloud-tea-openapi": "0.4.6",
}


def dist_version(name):
    return importlib.metadata.version(name)


CORE = "aliyun-python-sdk-core " + dist_version("aliyun-python-sdk-core")
TEA_PY = "alibabacloud_openapi_util " + dist_version("alibabacloud_openapi_util")
TEA_OPENAPI = "alibabacloud-tea-openapi " + dist_version("alibabacloud-tea-openapi")

# ---------------------------------------------------------------------------------------------
# The SDK hooks
# ---------------------------------------------------------------------------------------------

_pop_calls = []
_real_pop = getattr(composer, "__pop_standard_urlencode")


def _recording_pop(query):
    ret = _real_pop(query)
    _pop_calls.append(ret)
    return ret


setattr(composer, "__pop_standard_urlencode", _recording_pop)
_compose = getattr(composer, "__compose_string_to_sign")
_get_signature = getattr(composer, "__get_signature")


def sign_core(method, params):
    """Reference: aliyun-python-sdk-core, given the decoded params as a dict."""
    _pop_calls.clear()
    string_to_sign = _compose(method, dict(params))
    assert len(_pop_calls) == 2, _pop_calls
    canonical = _pop_calls[0]
    return canonical, string_to_sign


def sign_core_pipeline(params, body_params, ak, secret, method, timestamp, nonce):
    """The SDK's public get_signed_url, with the clock and the nonce fixed."""
    saved = parameter_helper.get_iso_8061_date, parameter_helper.get_uuid
    parameter_helper.get_iso_8061_date = lambda: timestamp
    parameter_helper.get_uuid = lambda: nonce
    try:
        _pop_calls.clear()
        url, string_to_sign = composer.get_signed_url(
            dict(params), ak, secret, "JSON", method, dict(body_params))
    finally:
        parameter_helper.get_iso_8061_date, parameter_helper.get_uuid = saved
    canonical = _pop_calls[0]
    query = urllib.parse.parse_qs(url[2:], keep_blank_values=True)
    signature = query["Signature"][0]
    return canonical, string_to_sign, signature


class _HmacRecorder:
    """Stands in for the ``hmac`` module inside alibabacloud_openapi_util.client."""

    def __init__(self, real):
        self.real = real
        self.calls = []

    def new(self, key, msg=None, digestmod=None):
        self.calls.append((key, msg))
        return self.real.new(key, msg, digestmod=digestmod)


_tea_hmac = _HmacRecorder(tea_util_client.hmac)
tea_util_client.hmac = _tea_hmac


def sign_tea_py(method, params, secret):
    _tea_hmac.calls.clear()
    signature = tea_util_client.Client.get_rpcsignature(dict(params), method, secret)
    assert len(_tea_hmac.calls) == 1
    key, msg = _tea_hmac.calls[0]
    assert key == (secret + "&").encode("utf-8")
    string_to_sign = msg.decode("utf-8")
    # The canonical query is not kept anywhere in this implementation; it is read back from
    # its string-to-sign (the third '&'-separated part, percent-decoded).
    canonical = urllib.parse.unquote(string_to_sign.split("&", 2)[2], errors="strict")
    return canonical, string_to_sign, signature


def sign_js(cases):
    prefix = os.environ.get("VEC_NPM_PREFIX", "/tmp/vecnpm")
    payload = json.dumps(
        [{"name": c["name"], "method": c["method"], "secret": c["secret"],
          "params": [[k, v] for k, v in c["jsParams"]]} for c in cases])
    proc = subprocess.run(
        ["node", MJS], input=payload.encode("utf-8"), capture_output=True,
        env=dict(os.environ, VEC_NPM_PREFIX=prefix), check=False)
    if proc.returncode != 0:
        sys.stderr.write(proc.stderr.decode("utf-8", "replace"))
        raise SystemExit("gen_vectors.mjs failed")
    data = json.loads(proc.stdout.decode("utf-8"))
    return data["versions"], {r["name"]: r for r in data["results"]}


# ---------------------------------------------------------------------------------------------
# Inputs
# ---------------------------------------------------------------------------------------------

rng = random.Random(SEED)

ALNUM = string.ascii_letters + string.digits
UPPER_ALNUM = string.ascii_uppercase + string.digits
PUNCT = string.punctuation  # the 32 printable ASCII punctuation characters
B64 = string.ascii_letters + string.digits + "+/"


def rand_str(alphabet, n):
    return "".join(rng.choice(alphabet) for _ in range(n))


def rand_uuid():
    return str(uuid.UUID(int=rng.getrandbits(128), version=4))


def rand_timestamp():
    # 2020-06-06 plus up to 15 years, whole seconds, UTC, "YYYY-MM-DDThh:mm:ssZ".
    start = datetime.datetime(2020, 6, 6, tzinfo=datetime.timezone.utc)
    t = start + datetime.timedelta(seconds=rng.randrange(0, 15 * 365 * 86400))
    return t.strftime("%Y-%m-%dT%H:%M:%SZ")


def rand_access_key_id(sts=False):
    return ("STS." + rand_str(ALNUM, 28)) if sts else ("LTAI" + rand_str(ALNUM, 20))


def rand_secret():
    return rand_str(ALNUM, 30)


def rand_security_token():
    body = rand_str(B64, rng.randrange(300, 900))
    return "CAIS" + body + "=" * rng.randrange(0, 3)


def rand_phone():
    cc = rng.choice(["86", "1", "44", "49", "55", "62", "91", "971", "972", "966", "852", "81"])
    n = cc + rand_str(string.digits, 12 - len(cc) + rng.randrange(0, 2))
    return rng.choice(["", "", "", "+"]) + n


CJK = ["你好", "欢迎光临", "您的订单已发货", "請聯繫客服", "こんにちは", "ご注文ありがとうございます",
       "안녕하세요", "주문이 확인되었습니다", "二维码", "中文测试：全角标点，。！？【】（）"]
ARABIC = ["مرحبا", "شكرا لتواصلك معنا", "طلبك قيد المعالجة", "السلام عليكم ورحمة الله",
          "١٢٣٤٥٦٧٨٩٠"]
HEBREW = ["שלום", "תודה רבה", "ההזמנה שלך נשלחה", "בוקר טוב"]
LATIN = ["Hello", "Hi, I'd like to order 2 pizzas", "Olá, tudo bem?", "¿Dónde está mi pedido?",
         "Grüße aus Köln", "Ça va ? Très bien.", "Merhaba, siparişim nerede?", "Привет, мир",
         "Γειά σου κόσμε", "नमस्ते", "สวัสดีครับ", "Xin chào", "I want 50% off!",
         "Price: $10 + tax = $11.50 (approx.)", "email: a.b+c@example.com",
         "https://example.com/path?q=1&r=2#frag", "C:\\Users\\me", "\"quoted\" 'single' `back`"]
EMOJI = ["👋", "🙂", "😀", "👍🏽", "👍🏿", "👩🏽\u200d💻", "👨\u200d👩\u200d👧\u200d👦", "🏳️\u200d🌈",
         "🇨🇳", "🇸🇦", "❤️", "✅", "🎉", "🍕", "📦", "🧑🏻\u200d🤝\u200d🧑🏿", "👩\u200d❤️\u200d👨",
         "1️⃣", "©", "™"]
SPECIAL = ["e\u0301", "a\u0308", "\u00a0", "\u2028", "\u2029", "\u200b", "\ufeff", "\u202e",
           "\u200f", "\u3000", "\t", "\n", "\r\n", " ", "  ", "%20", "%2A", "%%", "+", "=", "&",
           "~", "*", "/", "%7E", "%2B", "\u00e9", "\ufffd", "\U0001d11e"]


def rand_message(max_len=140):
    parts = []
    pools = [CJK, ARABIC, HEBREW, LATIN, EMOJI, SPECIAL]
    weights = [3, 2, 2, 5, 3, 1]
    while True:
        part = rng.choice(rng.choices(pools, weights)[0])
        candidate = "".join(parts) + (rng.choice([" ", "", ", ", "\n", "! "]) if parts else "") + part
        if len(candidate) > max_len:
            break
        parts = [candidate]
        if rng.random() < 0.25:
            break
    return parts[0] if parts else "Hi"


FUZZ_POOL = (
    [chr(c) for c in range(0x20, 0x7F)] * 3
    + list("你好世界中文日本語한국어") + list("مرحباשלום")
    + ["👩🏽\u200d💻", "👨\u200d👩\u200d👧\u200d👦", "👍🏽", "😀", "🇯🇵"]
    + ["e\u0301", "\u00a0", "\u2028", "\u2029", "\t", "\n", "\r", "\u200b", "\ufeff",
       "\u00e9", "\u00df", "\u0130", "\uffff", "\U0010ffff", "\ue000", "\uff21", "\x7f", "\x00"]
)


def rand_fuzz(n):
    return "".join(rng.choice(FUZZ_POOL) for _ in range(n))


def common_params(action, version="2020-06-06", sts=None, fmt="JSON"):
    sts = rng.random() < 0.3 if sts is None else sts
    p = [
        ("Action", action),
        ("Version", version),
        ("Format", fmt),
        ("AccessKeyId", rand_access_key_id(sts)),
        ("SignatureMethod", "HMAC-SHA1"),
        ("SignatureVersion", "1.0"),
        ("SignatureNonce", rand_uuid()),
        ("Timestamp", rand_timestamp()),
    ]
    if sts:
        p.append(("SecurityToken", rand_security_token()))
    return p


cases = []


def add(name, method, params, secret, note=None):
    params = [(str(k), str(v)) for k, v in params]
    keys = [k for k, _ in params]
    assert len(set(keys)) == len(keys), f"{name}: duplicate keys"
    assert "__proto__" not in keys
    assert not any(c["name"] == name for c in cases), name
    case = {"name": name, "method": method, "secret": secret, "params": params,
            "jsParams": params, "kind": "compose"}
    if note:
        case["note"] = note
    cases.append(case)
    return case


def add_both(name, params, secret, note=None):
    add(name + " GET", "GET", params, secret, note)
    add(name + " POST", "POST", params, secret, note)


def alt_method(i):
    return "GET" if i % 2 == 0 else "POST"


# 1. Alibaba's public DescribeRegions example (DESIGN.md).
DESCRIBE_REGIONS = [
    ("AccessKeyId", "testid"), ("Action", "DescribeRegions"), ("Format", "XML"),
    ("SignatureMethod", "HMAC-SHA1"), ("SignatureNonce", "3ee8c1b8-83d3-44af-a94f-4e0ad82fd6cf"),
    ("SignatureVersion", "1.0"), ("Timestamp", "2016-02-23T12:46:24Z"), ("Version", "2014-05-26"),
]
add_both("public DescribeRegions", DESCRIBE_REGIONS, "testsecret")
add("public DescribeRegions reversed order GET", "GET", list(reversed(DESCRIBE_REGIONS)),
    "testsecret", "input order must not matter")

# 2. Every printable ASCII character, alone, as a value; punctuation (and space) also as a key.
for i, c in enumerate(chr(x) for x in range(0x20, 0x7F)):
    add(f"ascii value U+{ord(c):04X} {c!r}", alt_method(i), [("Value", c)], "secret")
for i, c in enumerate(" " + PUNCT):
    add(f"ascii key U+{ord(c):04X} {c!r}", alt_method(i + 1), [(c, "v")], "secret")
    add(f"ascii key inside U+{ord(c):04X} {c!r}", alt_method(i), [
        ("Action", "CreatePhoneMessageQrdl"), ("k" + c + "k", c), ("k", "x"), ("kZ", "y")],
        "secret")
add_both("all printable ASCII in one value", [("All", "".join(chr(x) for x in range(0x20, 0x7F)))],
         "testsecret")
add_both("all punctuation in one value", [("Punct", PUNCT)], "testsecret")
add_both("all punctuation in one key", [(PUNCT, "x"), ("Action", "Test")], "testsecret")
add_both("all punctuation as key and value", [(PUNCT, PUNCT), (" ", " ")], "testsecret")

# 3. Sorting: raw-name byte order, not encoded-name order; case-sensitive; prefixes first.
add_both("sort raw name order", [
    ("x~", "1"), ("x[", "2"), ("x-", "3"), ("x.", "4"), ("x_", "5"), ("x{", "6"), ("x0", "7"),
    ("xA", "8"), ("xa", "9"), ("X", "10"), ("x", "11"), ("x\u00e9", "12"), ("x ", "13"),
    ("x*", "14"), ("x%", "15"), ("x!", "16"), ("x/", "17"), ("x+", "18"), ("x=", "19"),
    ("x&", "20")], "secret", "sorted by raw name bytes: encoded names would order x[ and xé differently")
add_both("sort case sensitive", [
    ("b", "1"), ("B", "2"), ("a", "3"), ("A", "4"), ("_", "5"), ("Z", "6"), ("z", "7"),
    ("aa", "8"), ("aA", "9"), ("Aa", "10"), ("AA", "11")], "secret")
add_both("sort prefix before longer name", [
    ("Tag.1.Key", "k1"), ("Tag.1.Value", "v1"), ("Tag.10.Key", "k10"), ("Tag.2.Key", "k2"),
    ("Tag", "t"), ("Tag.1", "x"), ("Tag1", "y")], "secret")
add_both("sort numeric-looking names", [
    ("10", "a"), ("9", "b"), ("1", "c"), ("01", "d"), ("2", "e"), ("-1", "f"), ("1.5", "g")],
    "secret", "JS objects enumerate integer-like keys first; the SDK sorts them as strings")

# 4. Unicode.
UNICODE_CASES = [
    ("CJK simplified", "你好，世界！欢迎使用二维码"),
    ("CJK traditional", "請掃描二維碼聯繫我們"),
    ("Japanese", "こんにちは、ご注文ありがとうございます。カタカナ"),
    ("Korean", "안녕하세요 주문 감사합니다"),
    ("CJK ext B", "\U00020000\U0002a6d6𠮷野家"),
    ("Arabic RTL", "مرحبا بك في خدمة العملاء"),
    ("Arabic digits and tashkeel", "١٢٣ مَرْحَبًا"),
    ("Hebrew RTL", "שלום, ההזמנה שלך מוכנה"),
    ("Hebrew with niqqud", "שָׁלוֹם"),
    ("mixed LTR RTL", "Order #123 ההזמנה 456 طلب"),
    ("RTL override", "abc\u202edcba\u202c"),
    ("emoji skin tones", "👍🏻👍🏼👍🏽👍🏾👍🏿"),
    ("emoji ZWJ technologist", "👩🏽\u200d💻"),
    ("emoji ZWJ family", "👨\u200d👩\u200d👧\u200d👦"),
    ("emoji ZWJ couple skin tones", "🧑🏻\u200d🤝\u200d🧑🏿"),
    ("emoji flags", "🇨🇳🇺🇸🇮🇱🇸🇦🇪🇺"),
    ("emoji rainbow flag VS16", "🏳️\u200d🌈"),
    ("emoji keycap", "1️⃣#️⃣*️⃣"),
    ("combining acute", "e\u0301"),
    ("combining vs precomposed", "e\u0301 \u00e9"),
    ("combining stack", "a\u0300\u0301\u0302\u0303\u0304"),
    ("NBSP", "\u00a0"),
    ("NBSP between words", "Hello\u00a0World"),
    ("line separator U+2028", "\u2028"),
    ("paragraph separator U+2029", "\u2029"),
    ("LS and PS in text", "a\u2028b\u2029c"),
    ("zero width space", "a\u200bb"),
    ("BOM", "\ufeffHello"),
    ("ideographic space", "\u3000"),
    ("fullwidth Latin", "\uff21\uff22\uff23\uff10"),
    ("replacement char", "\ufffd"),
    ("noncharacter U+FFFF", "\uffff"),
    ("max code point U+10FFFF", "\U0010ffff"),
    ("private use", "\ue000\uf8ff"),
    ("musical symbol astral", "\U0001d11e"),
    ("Latin-1 supplement", "".join(chr(c) for c in range(0xa0, 0x100))),
    ("German sharp s and dotted I", "straße İstanbul ı"),
    ("Devanagari", "नमस्ते दुनिया"),
    ("Thai", "สวัสดีครับ"),
    ("Cyrillic", "Привет, как дела?"),
    ("Greek", "Καλημέρα"),
]
for i, (label, v) in enumerate(UNICODE_CASES):
    add(f"unicode value {label}", alt_method(i), [
        ("Action", "CreatePhoneMessageQrdl"), ("PrefilledMessage", v)], "secret")

# 5. Whitespace, control characters, empty values, percent sequences, + = &.
SPECIAL_VALUES = [
    ("space", " "), ("spaces around", "  a b  "), ("newline", "\n"), ("CRLF", "\r\n"),
    ("CR", "\r"), ("tab", "\t"), ("mixed whitespace", "a \t b\nc\r\nd\re\x0bf\x0cg"),
    ("C0 controls", "".join(chr(c) for c in range(0x00, 0x20))), ("DEL", "\x7f"),
    ("C1 controls", "".join(chr(c) for c in range(0x80, 0xa0))), ("NUL", "\x00"),
    ("empty", ""),
    ("%20", "%20"), ("%2A", "%2A"), ("%%", "%%"), ("%", "%"), ("%7E", "%7E"), ("%7e", "%7e"),
    ("%2B", "%2B"), ("%25", "%25"), ("%zz", "%zz"), ("trailing %", "100%"),
    ("percent-encoded UTF-8", "%E4%BD%A0%E5%A5%BD"), ("double encoded", "%2520"),
    ("plus", "+"), ("plus between", "a+b"), ("plus and space", "a+ b +c"), ("equals", "="),
    ("equals pair", "a=b"), ("ampersand", "&"), ("query-like", "a=1&b=2"),
    ("form-like", "x=%20&y=+&z=%2B"), ("tilde", "~"), ("star", "*"), ("slash", "/"),
    ("path", "/a/b/c/"), ("URL", "https://wa.me/message/ABCDEF123456?x=1&y=a+b#top"),
    ("JSON", '{"a":[1,2,{"b":"c d"}],"e":null,"f":"\\u00e9"}'),
    ("XML", '<a b="c">d &amp; e</a>'), ("backslashes", "\\\\server\\share\\"),
    ("quotes", "\"'`"), ("unreserved only", "AZaz09-_.~"),
    ("sub-delims", "!$&'()*+,;="), ("gen-delims", ":/?#[]@"),
]
for i, (label, v) in enumerate(SPECIAL_VALUES):
    add(f"value {label}", alt_method(i), [
        ("Action", "CreatePhoneMessageQrdl"), ("Value", v), ("Version", "2020-06-06")], "secret")

add_both("all values empty", [("a", ""), ("b", ""), ("Action", "")], "secret")
add_both("empty key", [("", "v"), ("a", "1")], "secret", "a parameter with an empty name")
add_both("empty key and value", [("", ""), ("a", "")], "secret")
add_both("no parameters", [], "secret", "canonical query is empty")
add_both("single parameter", [("Action", "DescribeRegions")], "secret")
add_both("plus equals ampersand in keys", [
    ("a+b", "1"), ("a=b", "2"), ("a&b", "3"), ("a b", "4"), ("a%20b", "5"), ("a%2Bb", "6")],
    "secret")
add_both("plus equals ampersand everywhere", [
    ("+", "+"), ("=", "="), ("&", "&"), ("%", "%"), ("+=&%", "&=+%")], "secret")

# 6. Long values.
add_both("long ASCII value 1000", [("Action", "Test"), ("Long", rand_str(ALNUM, 1000))], "secret")
add_both("long punctuation value 2000", [("Long", rand_str(PUNCT + " ", 2000))], "secret")
add_both("long CJK value 1000", [("Long", "".join(rng.choice(CJK) for _ in range(250))[:1000])],
         "secret")


def long_emoji(min_code_points):
    s = ""
    while len(s) < min_code_points:
        s += rng.choice(EMOJI)
    return s


add_both("long emoji value 1000+", [("Long", long_emoji(1000))], "secret")
add_both("long fuzz value 3000", [("Long", rand_fuzz(3000))], "secret")
add_both("long key 300", [(rand_str(ALNUM, 300), "v"), ("a", "b")], "secret")
add_both("many parameters 200", [(f"P{i:03d}", rand_fuzz(rng.randrange(0, 20)))
                                 for i in range(200)], "secret")
add_both("long PrefilledMessage 140 emoji", [
    ("Action", "CreatePhoneMessageQrdl"), ("PrefilledMessage", "👩🏽\u200d💻" * 140)], "secret")

# 7. Secrets with odd characters (the secret only goes into the HMAC key: secret + "&").
SECRETS = [
    ("empty", ""), ("ampersand", "&"), ("ends with ampersand", "abc&"), ("equals", "a=b"),
    ("percent", "%2F%"), ("space", "my secret"), ("plus slash", "a+b/c=="),
    ("all punctuation", PUNCT), ("CJK", "密钥"), ("emoji", "🔑👩🏽\u200d💻"),
    ("combining", "e\u0301"), ("NBSP", "\u00a0"), ("newline", "line1\nline2"),
    ("NUL", "a\x00b"), ("63 chars (64-byte key)", "k" * 63), ("64 chars (65-byte key)", "k" * 64),
    ("200 chars (hashed key)", rand_str(ALNUM + PUNCT, 200)), ("tilde star", "~*"),
    ("realistic 30", rand_secret()), ("realistic STS", rand_str(ALNUM, 44)),
]
for i, (label, secret) in enumerate(SECRETS):
    add(f"secret {label}", alt_method(i), DESCRIBE_REGIONS, secret)

# 8. Non-ASCII keys (a few; real parameter names are ASCII).
add_both("non-ASCII keys", [
    ("名字", "张三"), ("Name", "x"), ("é", "1"), ("e\u0301", "2"), ("ß", "3"), ("z", "4")],
    "secret")
add_both("emoji key", [("👍🏽", "yes"), ("Action", "Test")], "secret")
add_both("RTL keys", [("שם", "ערך"), ("اسم", "قيمة"), ("A", "B")], "secret")
add_both("key order BMP vs astral", [
    ("\uff21", "fullwidth A U+FF21"), ("\U0001f600", "grinning U+1F600"),
    ("\ue000", "private use U+E000"), ("\U00010000", "U+10000"), ("\ud7ff", "U+D7FF")],
    "secret", "code point (= UTF-8 byte) order puts U+E000..U+FFFF before U+10000.., UTF-16 "
              "code-unit order puts them after")

# 9. Realistic requests.
for i in range(90):
    action = rng.choice(["CreatePhoneMessageQrdl"] * 5 + ["ListPhoneMessageQrdl",
                        "UpdatePhoneMessageQrdl", "DeletePhoneMessageQrdl"])
    params = common_params(action)
    phone = rand_phone()
    params.append(("PhoneNumber", phone))
    if action in ("CreatePhoneMessageQrdl", "UpdatePhoneMessageQrdl"):
        params.append(("GenerateQrImage", rng.choice(["PNG", "SVG"])))
        params.append(("PrefilledMessage", rand_message()))
    if action in ("UpdatePhoneMessageQrdl", "DeletePhoneMessageQrdl"):
        params.append(("QrdlCode", rand_str(UPPER_ALNUM, rng.choice([12, 13, 16]))))
    if rng.random() < 0.6:
        params.append(("CustSpaceId", "cams-" + rand_str(string.ascii_lowercase + string.digits, 12)))
    rng.shuffle(params)
    add(f"realistic {action} #{i:02d}", alt_method(i), params, rand_secret())

# STS AssumeRole with a session policy (JSON full of punctuation).
for i in range(6):
    policy = json.dumps({
        "Version": "1",
        "Statement": [{"Effect": "Allow", "Action": [
            "cams:CreatePhoneMessageQrdl", "cams:ListPhoneMessageQrdl",
            "cams:UpdatePhoneMessageQrdl", "cams:DeletePhoneMessageQrdl"], "Resource": "*"}],
    }, separators=(",", ":") if i % 2 else (", ", ": "))
    params = common_params("AssumeRole", version="2015-04-01", sts=False)
    params += [("RoleArn", f"acs:ram::{rand_str(string.digits, 16)}:role/cams-qrdl-browser"),
               ("RoleSessionName", "web-" + rand_str(ALNUM, 8)),
               ("DurationSeconds", str(rng.choice([900, 1800, 3600]))), ("Policy", policy)]
    add(f"realistic AssumeRole with policy #{i}", alt_method(i), params, rand_secret())

# 10. Random fuzz: ASCII keys (mostly), values from the whole pool.
for i in range(40):
    n = rng.randrange(1, 12)
    keys = set()
    params = []
    while len(params) < n:
        if rng.random() < 0.9:
            k = rand_str(ALNUM + "._-", rng.randrange(1, 16))
        else:
            k = rand_fuzz(rng.randrange(1, 6))
        if k in keys or k == "__proto__" or k == "Signature":
            continue
        keys.add(k)
        params.append((k, rand_fuzz(rng.randrange(0, 60))))
    secret = rand_secret() if rng.random() < 0.8 else rand_fuzz(rng.randrange(0, 40))
    add(f"fuzz #{i:02d}", alt_method(i), params, secret)

# 11. Through the SDK's public get_signed_url (clock and nonce fixed).
PIPELINE = []
for i in range(8):
    sts = i % 3 == 0
    ak = rand_access_key_id(sts)
    url_params = {"Action": "CreatePhoneMessageQrdl", "Version": "2020-06-06",
                  "RegionId": "cn-hangzhou"}
    if sts:
        url_params["SecurityToken"] = rand_security_token()
    body = {"PhoneNumber": rand_phone(), "GenerateQrImage": rng.choice(["PNG", "SVG"]),
            "PrefilledMessage": rand_message()}
    if i % 2:
        body["CustSpaceId"] = "cams-" + rand_str(string.ascii_lowercase + string.digits, 12)
    PIPELINE.append((f"pipeline get_signed_url CreatePhoneMessageQrdl #{i}", alt_method(i + 1),
                     url_params, body, ak, rand_secret(), rand_timestamp(),
                     rng.choice([rand_uuid(), rand_str("0123456789abcdef", 32)]), None))
PIPELINE.append(("pipeline get_signed_url drops incoming Signature", "GET",
                 {"Action": "ListPhoneMessageQrdl", "Version": "2020-06-06",
                  "PhoneNumber": "8613800138000", "Signature": "stale/signature+=="},
                 {}, "LTAI" + rand_str(ALNUM, 20), rand_secret(), rand_timestamp(), rand_uuid(),
                 "the SDK deletes an incoming Signature before signing; our signer ignores it"))

# ---------------------------------------------------------------------------------------------
# Signing
# ---------------------------------------------------------------------------------------------


def format_vectors(vectors):
    """One field a line, one parameter pair a line: readable diffs, small file."""
    def dump(x):
        return json.dumps(x, ensure_ascii=True)

    out = ["["]
    for i, v in enumerate(vectors):
        lines = []
        for key, val in v.items():
            if key == "params":
                pairs = ",\n".join("  " + dump(p) for p in val)
                lines.append(' "params": [' + ("\n" + pairs + "\n ]" if val else "]"))
            else:
                lines.append(f" {dump(key)}: {dump(val)}")
        out.append("{\n" + ",\n".join(lines) + "\n}" + ("," if i + 1 < len(vectors) else ""))
    out.append("]")
    text = "\n".join(out) + "\n"
    assert json.loads(text) == vectors
    return text


def main():
    for name, want in PINNED.items():
        have = dist_version(name)
        if have != want and not os.environ.get("VEC_ALLOW_OTHER_VERSIONS"):
            raise SystemExit(f"{name} is {have}, the vectors were made with {want} "
                             "(set VEC_ALLOW_OTHER_VERSIONS=1 to run anyway)")

    for case in cases:
        canonical, sts = sign_core(case["method"], case["params"])
        case["canonicalQuery"] = canonical
        case["stringToSign"] = sts
        case["signature"] = _get_signature(sts, case["secret"])

    for (name, method, url_params, body, ak, secret, ts, nonce, note) in PIPELINE:
        canonical, sts, signature = sign_core_pipeline(url_params, body, ak, secret, method, ts,
                                                       nonce)
        signed = dict(url_params)
        signed.pop("Signature", None)
        signed.update({"Timestamp": ts, "SignatureMethod": "HMAC-SHA1", "SignatureType": "",
                       "SignatureVersion": "1.0", "SignatureNonce": nonce, "AccessKeyId": ak,
                       "Format": "JSON"})
        signed.update(body)
        params = sorted(signed.items())
        rng.shuffle(params)
        # What the SDK signed must be exactly these params.
        assert sign_core(method, params)[1] == sts, name
        assert _get_signature(sts, secret) == signature, name
        recorded = list(params)
        if "Signature" in url_params:
            recorded.append(("Signature", url_params["Signature"]))
        case = {"name": name, "method": method, "secret": secret, "params": recorded,
                "jsParams": params, "kind": "get_signed_url", "canonicalQuery": canonical,
                "stringToSign": sts, "signature": signature}
        if note:
            case["note"] = note
        cases.append(case)

    js_versions, js = sign_js(cases)
    js_name = f"@alicloud/openapi-util {js_versions['@alicloud/openapi-util']}"

    vectors = []
    disagreements = 0
    for case in cases:
        ref = (case["canonicalQuery"], case["stringToSign"], case["signature"])
        others = {TEA_PY: sign_tea_py(case["method"], case["jsParams"], case["secret"])}
        r = js[case["name"]]
        others[js_name] = (r["canonicalQuery"], r["stringToSign"], r["signature"])
        # Internal consistency of the reference: string-to-sign = METHOD&%2F&enc(canonical).
        assert case["stringToSign"].startswith(case["method"] + "&%2F&")
        assert urllib.parse.unquote(case["stringToSign"].split("&", 2)[2]) == case["canonicalQuery"]

        v = {
            "name": case["name"],
            "method": case["method"],
            "secret": case["secret"],
            "params": [[k, val] for k, val in case["params"]],
            "canonicalQuery": case["canonicalQuery"],
            "stringToSign": case["stringToSign"],
            "signature": case["signature"],
            "source": CORE + (" get_signed_url" if case["kind"] == "get_signed_url" else ""),
        }
        if "note" in case:
            v["note"] = case["note"]
        agreed = []
        diffs = {}
        for impl, out in others.items():
            if out == ref:
                agreed.append(impl)
            else:
                diffs[impl] = {"canonicalQuery": out[0], "stringToSign": out[1],
                               "signature": out[2]}
        v["agreedBy"] = agreed
        if diffs:
            v["disagreements"] = diffs
            disagreements += 1
            print(f"DISAGREEMENT {case['name']}: {', '.join(diffs)}", file=sys.stderr)
        vectors.append(v)

    os.makedirs(os.path.dirname(OUT), exist_ok=True)
    with open(OUT, "w", encoding="ascii", newline="\n") as f:
        # ASCII-only JSON (\u escapes): invisible characters (NBSP, U+2028, ZWJ, CR) survive
        # editors and diff tools unchanged.
        f.write(format_vectors(vectors))
    print(f"wrote {len(vectors)} vectors to {os.path.relpath(OUT, ROOT)} "
          f"({CORE}; cross-checked with {TEA_PY} and {js_name}, node {js_versions['node']}, "
          f"kitx {js_versions['kitx']}; Python {platform.python_version()}); "
          f"{disagreements} with disagreements", file=sys.stderr)

    pools = {
        "fuzz": FUZZ_POOL,
        "unicode": UNICODE_CASES,
        "special": SPECIAL_VALUES,
        "secrets": SECRETS,
        "messages": CJK + ARABIC + HEBREW + LATIN + EMOJI,
    }
    summary = gen_vectors_acs3.write(OUT_ACS3, MJS, pools, TEA_OPENAPI + " Utils.get_authorization")
    print(f"wrote {os.path.relpath(OUT_ACS3, ROOT)}: {summary}", file=sys.stderr)


if __name__ == "__main__":
    main()
