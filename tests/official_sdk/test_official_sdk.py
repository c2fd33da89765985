"""Alibaba's official Python SDKs against cams-relay's emulator.

The emulator verifies signatures with the same signers the browser uses, so a signer checking
itself would prove little. Here the requests are built and signed by Alibaba's own code
(alibabacloud-cams20200606 and alibabacloud-sts20150401 on alibabacloud-tea-openapi), and the
replies are parsed by it. Every test runs twice: with the SDK's default ``Config``, which signs
with V3 (ACS3-HMAC-SHA256, parameters in the query string of a POST, the signature in
``Authorization``), and with ``signature_algorithm='v2'`` (RPC HMAC-SHA1, parameters and
``Signature`` in the query string).

Run (from the repository root):
    cargo build -p cams-relay --features emulator
    python3 -m venv .venv && .venv/bin/pip install -r tests/official_sdk/requirements.txt
    .venv/bin/pytest -q tests/official_sdk
CAMS_RELAY_BIN overrides the binary's path.
"""

import json
import os
import queue
import re
import subprocess
import threading
import time
from pathlib import Path
from urllib.parse import urlparse
from urllib.request import Request, urlopen

import pytest
from alibabacloud_cams20200606 import models as cams_models
from alibabacloud_cams20200606.client import Client as CamsClient
from alibabacloud_sts20150401 import models as sts_models
from alibabacloud_sts20150401.client import Client as StsClient
from alibabacloud_tea_openapi import utils as tea_utils
from alibabacloud_tea_openapi import utils_models as open_api_models
from alibabacloud_tea_openapi.utils import Utils

ROOT = Path(__file__).resolve().parents[2]
BINARY = Path(os.environ.get("CAMS_RELAY_BIN", ROOT / "target" / "debug" / "cams-relay"))
DEMO_ID, DEMO_SECRET = "demo-access-key-id", "demo-access-key-secret"
PHONE = "8613800001234"
ROLE_ARN = "acs:ram::1234567890123456:role/cams-qrdl-browser"
DEEP_LINK = re.compile(r"^https://wa\.me/message/([A-Z0-9]{8})$")


def read_banner(proc, timeout=30.0):
    """Reads stdout until both URLs are printed; returns (emulator_url, relay_url).

    A thread reads the lines (a selector on a buffered pipe would miss lines already buffered)."""
    lines = queue.Queue()
    threading.Thread(target=lambda: [lines.put(line) for line in proc.stdout],
                     daemon=True).start()
    emulator = relay = None
    seen = []
    deadline = time.monotonic() + timeout
    while (emulator is None or relay is None) and time.monotonic() < deadline:
        try:
            line = lines.get(timeout=0.2)
        except queue.Empty:
            if proc.poll() is not None:
                break
            continue
        seen.append(line)
        if m := re.search(r"emulator listening on (http://\S+)", line):
            emulator = m.group(1)
        if m := re.search(r"serving (http://\S+)", line):
            relay = m.group(1)
    if emulator is None or relay is None:
        raise RuntimeError(f"cams-relay did not start; stdout so far: {seen!r}")
    return emulator, relay


@pytest.fixture(scope="module")
def relay(tmp_path_factory):
    if not BINARY.exists():
        pytest.fail(f"{BINARY} is missing: run `cargo build -p cams-relay` first")
    env = {k: v for k, v in os.environ.items() if not k.startswith("ALIBABA_CLOUD_")}
    log = tmp_path_factory.mktemp("relay") / "stderr.log"
    with open(log, "w") as stderr:
        proc = subprocess.Popen(
            [str(BINARY), "--emulate", "--listen", "127.0.0.1:0",
             "--emulator-listen", "127.0.0.1:0", "--www", str(ROOT / "www"),
             "--emulator-sts-min-duration", "5",
             # The official SDK paces nothing and retries nothing, so the tests' back-to-back
             # calls would meet the 5-per-second limit; this file tests the protocol, not pacing.
             "--emulator-qps", "0"],
            stdout=subprocess.PIPE, stderr=stderr, text=True, env=env,
        )
        try:
            emulator, page = read_banner(proc)
            yield {"emulator": emulator, "relay": page}
        finally:
            proc.terminate()
            code = proc.wait(timeout=15)
    assert code == 0, f"cams-relay exited with {code}; see {log}"


@pytest.fixture(params=["v3", "v2"])
def algorithm(request):
    """The signature each test runs with: "v3" is the SDK's default Config (nothing set)."""
    return request.param


def config(emulator_url, algorithm, key_id=DEMO_ID, secret=DEMO_SECRET, token=None):
    kw = {"signature_algorithm": "v2"} if algorithm == "v2" else {}
    return open_api_models.Config(
        access_key_id=key_id,
        access_key_secret=secret,
        security_token=token,
        endpoint=urlparse(emulator_url).netloc,
        protocol="http",
        region_id="ap-southeast-1",
        read_timeout=10000,
        connect_timeout=5000,
        **kw,
    )


def cams(emulator_url, algorithm, **kw):
    return CamsClient(config(emulator_url, algorithm, **kw))


def error_of(info):
    """The SDK's exception: its code, HTTP status and the reply's Message."""
    err = info.value
    data = getattr(err, "data", None) or {}
    return getattr(err, "code", None), getattr(err, "status_code", None), data.get("Message", "")


def set_emulator_clock(relay, **fields):
    """POST /__emulator/clock with a JSON body (the admin routes take nothing else)."""
    req = Request(
        relay["emulator"] + "__emulator/clock",
        data=json.dumps(fields).encode(),
        headers={"Content-Type": "application/json"},
    )
    with urlopen(req, timeout=5) as r:
        return json.load(r)


def create(client, message="Hello from the official SDK", image="PNG", space=None):
    req = cams_models.CreatePhoneMessageQrdlRequest(
        phone_number=PHONE, prefilled_message=message, generate_qr_image=image,
        cust_space_id=space,
    )
    return client.create_phone_message_qrdl(req).body


def test_the_relay_is_up_in_emulate_mode(relay):
    with urlopen(relay["relay"] + "healthz", timeout=5) as r:
        assert r.read() == b"ok"
    with urlopen(relay["relay"] + "relay.json", timeout=5) as r:
        info = json.load(r)
    assert info["mode"] == "emulate"
    assert info["emulator"] == relay["emulator"].rstrip("/")
    # The host a browser signs V3 calls through /cams for: the emulator's, as the relay reaches it.
    assert info["camsHost"] == urlparse(relay["emulator"]).netloc


def test_create_returns_ok_and_a_wa_me_deep_link(relay, algorithm):
    message = "Hi! I'd like to order 2× 🍕 — 100% sure & quick?"
    body = create(cams(relay["emulator"], algorithm), message=message)
    assert body.code == "OK"
    assert re.fullmatch(r"[0-9A-F-]{36}", body.request_id)
    m = DEEP_LINK.match(body.data.deep_link_url)
    assert m, body.data.deep_link_url
    assert body.data.qrdl_code == m.group(1)
    assert body.data.phone_number == PHONE
    assert body.data.prefilled_message == message
    assert body.data.generate_qr_image == "PNG"
    with urlopen(body.data.qr_image_url, timeout=5) as r:
        assert r.headers["Content-Type"] == "image/png"
        assert r.read(8) == b"\x89PNG\r\n\x1a\n"


def test_list_update_delete(relay, algorithm):
    client = cams(relay["emulator"], algorithm)
    space = f"cams-sdk-{algorithm}-{time.time_ns()}"
    first = create(client, message="first", space=space).data
    second = create(client, message="second", image="SVG", space=space).data

    listed = client.list_phone_message_qrdl(
        cams_models.ListPhoneMessageQrdlRequest(phone_number=PHONE, cust_space_id=space)).body
    assert listed.code == "OK"
    assert [q.qrdl_code for q in listed.data] == [first.qrdl_code, second.qrdl_code]

    updated = client.update_phone_message_qrdl(cams_models.UpdatePhoneMessageQrdlRequest(
        phone_number=PHONE, qrdl_code=first.qrdl_code, prefilled_message="changed",
        generate_qr_image="SVG", cust_space_id=space)).body
    assert updated.code == "OK"
    # An update replaces the code, as Alibaba documents: the original stops working.
    assert updated.data.qrdl_code != first.qrdl_code
    assert updated.data.deep_link_url == f"https://wa.me/message/{updated.data.qrdl_code}"
    assert updated.data.prefilled_message == "changed"
    assert updated.data.qr_image_url.endswith(".svg")

    deleted = client.delete_phone_message_qrdl(cams_models.DeletePhoneMessageQrdlRequest(
        phone_number=PHONE, qrdl_code=second.qrdl_code, cust_space_id=space)).body
    assert deleted.code == "OK"
    listed = client.list_phone_message_qrdl(
        cams_models.ListPhoneMessageQrdlRequest(phone_number=PHONE, cust_space_id=space)).body
    assert [q.qrdl_code for q in listed.data] == [updated.data.qrdl_code]


@pytest.fixture
def strings_to_sign(monkeypatch):
    """What the SDK's V3 signer signs (its module-level signature_method, wrapped)."""
    seen = []
    real = tea_utils.signature_method

    def recording(secret, source, sign_type):
        seen.append(source)
        return real(secret, source, sign_type)

    monkeypatch.setattr(tea_utils, "signature_method", recording)
    return seen


def test_wrong_secret_raises_signature_does_not_match(relay, algorithm, strings_to_sign):
    client = cams(relay["emulator"], algorithm, secret="not-the-secret")
    with pytest.raises(Exception) as info:
        create(client)
    code, status, message = error_of(info)
    assert (code, status) == ("SignatureDoesNotMatch", 400), info.value
    prefix = "Specified signature is not matched with our calculation. server string to sign is:"
    if algorithm == "v2":
        assert message.startswith(prefix + "POST&%2F&AccessKeyId%3Ddemo-access-key-id"), message
    else:
        # The emulator built the very string the SDK signed: only the secret differs.
        assert strings_to_sign and strings_to_sign[-1].startswith("ACS3-HMAC-SHA256\n")
        assert message == prefix + strings_to_sign[-1]


def test_a_replayed_nonce_is_refused(relay, algorithm, monkeypatch):
    nonce = f"replayed-{algorithm}-{time.time_ns()}"
    monkeypatch.setattr(Utils, "get_nonce", staticmethod(lambda: nonce))
    client = cams(relay["emulator"], algorithm)
    assert create(client).code == "OK"
    with pytest.raises(Exception) as info:
        create(client)
    code, status, message = error_of(info)
    assert (code, status) == ("SignatureNonceUsed", 400), info.value
    assert message == "Specified signature nonce was used already."


def test_a_stale_date_is_refused(relay, algorithm, monkeypatch):
    stale = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(time.time() - 20 * 60))
    monkeypatch.setattr(Utils, "get_timestamp", staticmethod(lambda: stale))
    with pytest.raises(Exception) as info:
        create(cams(relay["emulator"], algorithm))
    code, status, message = error_of(info)
    assert (code, status) == ("InvalidTimeStamp.Expired", 400), info.value
    assert message == "Specified time stamp or date value is expired."


def test_unknown_code_on_update_raises_the_emulators_error(relay, algorithm):
    client = cams(relay["emulator"], algorithm)
    with pytest.raises(Exception) as info:
        client.update_phone_message_qrdl(cams_models.UpdatePhoneMessageQrdlRequest(
            phone_number=PHONE, qrdl_code="NOSUCHCD", prefilled_message="x",
            generate_qr_image="PNG"))
    assert getattr(info.value, "code", None) == "Qrdl.NotExists"


def assume_role(relay, algorithm, **kw):
    sts = StsClient(config(relay["emulator"], algorithm))
    req = sts_models.AssumeRoleRequest(role_arn=ROLE_ARN, role_session_name="official-sdk", **kw)
    return sts.assume_role(req).body


def test_sts_credentials_from_the_official_sts_sdk_work_on_cams(relay, algorithm):
    body = assume_role(relay, algorithm, duration_seconds=900)
    creds = body.credentials
    assert creds.access_key_id.startswith("STS.")
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ", creds.expiration)
    assert body.assumed_role_user.arn.endswith(":assumed-role/cams-qrdl-browser/official-sdk")
    client = cams(relay["emulator"], algorithm, key_id=creds.access_key_id,
                  secret=creds.access_key_secret, token=creds.security_token)
    first = create(client).data
    listed = client.list_phone_message_qrdl(
        cams_models.ListPhoneMessageQrdlRequest(phone_number=PHONE)).body
    assert first.qrdl_code in [q.qrdl_code for q in listed.data]
    updated = client.update_phone_message_qrdl(cams_models.UpdatePhoneMessageQrdlRequest(
        phone_number=PHONE, qrdl_code=first.qrdl_code, prefilled_message="sts update",
        generate_qr_image="PNG")).body
    assert updated.data.prefilled_message == "sts update"
    deleted = client.delete_phone_message_qrdl(cams_models.DeletePhoneMessageQrdlRequest(
        phone_number=PHONE, qrdl_code=updated.data.qrdl_code)).body
    assert deleted.code == "OK"


def test_credentials_from_the_relays_sts_work_with_the_official_sdk(relay, algorithm):
    with urlopen(relay["relay"] + "sts", timeout=5) as r:
        creds = json.load(r)
    client = cams(relay["emulator"], algorithm, key_id=creds["AccessKeyId"],
                  secret=creds["AccessKeySecret"], token=creds["SecurityToken"])
    created = create(client, message=f"via the relay's /sts ({algorithm})").data
    deleted = client.delete_phone_message_qrdl(cams_models.DeletePhoneMessageQrdlRequest(
        phone_number=PHONE, qrdl_code=created.qrdl_code)).body
    assert deleted.code == "OK"
    # A token that is not the key's own is refused.
    forged = cams(relay["emulator"], algorithm, key_id=creds["AccessKeyId"],
                  secret=creds["AccessKeySecret"], token="CAISforged")
    with pytest.raises(Exception) as info:
        create(forged)
    assert error_of(info)[:2] == ("InvalidSecurityToken.Malformed", 400)


def test_a_session_policy_is_enforced_and_tokens_expire(relay, algorithm):
    policy = json.dumps({"Version": "1", "Statement": [
        {"Effect": "Allow", "Action": ["cams:CreatePhoneMessageQrdl"], "Resource": "*"}]})
    creds = assume_role(relay, algorithm, duration_seconds=5, policy=policy).credentials
    client = cams(relay["emulator"], algorithm, key_id=creds.access_key_id,
                  secret=creds.access_key_secret, token=creds.security_token)
    assert create(client).code == "OK"
    with pytest.raises(Exception) as info:
        client.list_phone_message_qrdl(cams_models.ListPhoneMessageQrdlRequest(phone_number=PHONE))
    assert getattr(info.value, "code", None) == "Ram.PermissionDeny"
    detail = getattr(info.value, "access_denied_detail", None)
    assert detail and json.loads(detail)["AuthAction"] == "cams:ListPhoneMessageQrdl"

    # Past the token's 5 seconds on the emulator's clock (well inside the 15-minute date window).
    set_emulator_clock(relay, advanceSeconds=6)
    try:
        with pytest.raises(Exception) as info:
            create(client)
        assert getattr(info.value, "code", None) == "InvalidSecurityToken.Expired"
    finally:
        set_emulator_clock(relay, offsetSeconds=0)
