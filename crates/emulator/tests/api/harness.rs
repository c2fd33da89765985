//! Drives the emulator in process: requests go through its router with `oneshot`, signed with
//! the same `signed_params` the browser module uses.

use std::sync::Arc;

use axum::body::Body;
use axum::http::{header, HeaderMap, Method, Request, StatusCode};
use axum::Router;
use cams_emulator::{Emulator, EmulatorConfig, DEMO_ACCESS_KEY_ID, DEMO_ACCESS_KEY_SECRET};
use cams_protocol::acs3::{self, Acs3Call, Acs3Shape, PreparedAcs3};
use cams_protocol::credentials::Credentials;
use cams_protocol::params::{form_body, signed_params, CallContext, CAMS_VERSION, STS_VERSION};
use cams_protocol::sign::Method as SignMethod;
use serde_json::Value;
use tower::ServiceExt as _;
use url::Url;

pub const BASE: &str = "http://emulator.test:8081/";
/// The `Host` every API request of the harness carries (V3 signs it).
pub const HOST: &str = "emulator.test:8081";
/// The `Host` of admin requests: the admin routes answer only an IP address or localhost.
pub const ADMIN_HOST: &str = "127.0.0.1:8081";
pub const PHONE: &str = "8613800001234";

/// A second long-term key, for tests of per-account behaviour.
pub const OTHER_KEY_ID: &str = "other-access-key-id";
const OTHER_KEY_SECRET: &str = "other-access-key-secret";

pub fn other_key() -> Credentials {
    Credentials {
        access_key_id: OTHER_KEY_ID.into(),
        access_key_secret: OTHER_KEY_SECRET.into(),
        security_token: None,
    }
}

/// The default config with the demo key and [`other_key`].
pub fn two_keys() -> EmulatorConfig {
    EmulatorConfig {
        access_keys: vec![
            (DEMO_ACCESS_KEY_ID.into(), DEMO_ACCESS_KEY_SECRET.into()),
            (OTHER_KEY_ID.into(), OTHER_KEY_SECRET.into()),
        ],
        ..EmulatorConfig::default()
    }
}

pub fn demo_key() -> Credentials {
    Credentials {
        access_key_id: DEMO_ACCESS_KEY_ID.into(),
        access_key_secret: DEMO_ACCESS_KEY_SECRET.into(),
        security_token: None,
    }
}

/// A reply, read whole.
#[derive(Debug)]
pub struct Reply {
    pub status: StatusCode,
    pub headers: HeaderMap,
    pub bytes: Vec<u8>,
}

impl Reply {
    pub fn json(&self) -> Value {
        serde_json::from_slice(&self.bytes)
            .unwrap_or_else(|e| panic!("not JSON ({e}): {}", String::from_utf8_lossy(&self.bytes)))
    }

    pub fn message(&self) -> String {
        self.json()["Message"]
            .as_str()
            .unwrap_or_default()
            .to_owned()
    }

    /// Asserts a refusal's status and code, and the envelope every refusal carries.
    pub fn assert_error(&self, status: u16, code: &str) {
        let body = self.json();
        assert_eq!(
            (self.status.as_u16(), body["Code"].as_str()),
            (status, Some(code)),
            "{body}"
        );
        let request_id = body["RequestId"].as_str().expect("RequestId");
        assert_eq!(self.headers["x-acs-request-id"], request_id);
        assert!(body["HostId"].as_str().is_some_and(|h| !h.is_empty()));
        assert!(!body["Message"].as_str().unwrap_or_default().is_empty());
        let recommend = body["Recommend"].as_str().expect("Recommend");
        assert!(
            recommend.starts_with("https://api.alibabacloud.com/troubleshoot?q=")
                && recommend.contains(code)
                && recommend.ends_with(request_id),
            "{recommend}"
        );
    }

    pub fn assert_ok(&self) -> Value {
        let body = self.json();
        assert_eq!(self.status, StatusCode::OK, "{body}");
        body
    }
}

pub struct Harness {
    pub emu: Arc<Emulator>,
    router: Router,
}

impl Harness {
    /// The default emulator without its QPS limit: tests of other features fire calls as fast
    /// as they can. (`limits.rs` tests the limit, with its own configs.)
    pub fn new() -> Harness {
        Harness::with_config(EmulatorConfig {
            qps_limit: 0,
            ..EmulatorConfig::default()
        })
    }

    pub fn with_config(config: EmulatorConfig) -> Harness {
        let emu = Emulator::new(config, Url::parse(BASE).unwrap());
        let router = emu.router();
        Harness { emu, router }
    }

    pub async fn send(&self, request: Request<Body>) -> Reply {
        let response = self.router.clone().oneshot(request).await.unwrap();
        let status = response.status();
        let headers = response.headers().clone();
        let bytes = axum::body::to_bytes(response.into_body(), 1 << 22)
            .await
            .unwrap()
            .to_vec();
        Reply {
            status,
            headers,
            bytes,
        }
    }

    /// Every parameter of a signed call, at the emulator's current time, with a fresh nonce.
    pub fn sign(
        &self,
        method: SignMethod,
        action: &str,
        creds: &Credentials,
        business: &[(&str, &str)],
    ) -> Vec<(String, String)> {
        let version = if action == "AssumeRole" {
            STS_VERSION
        } else {
            CAMS_VERSION
        };
        self.sign_at(
            method,
            action,
            version,
            self.emu.clock.now_secs(),
            creds,
            business,
        )
    }

    pub fn sign_at(
        &self,
        method: SignMethod,
        action: &str,
        version: &str,
        unix_secs: i64,
        creds: &Credentials,
        business: &[(&str, &str)],
    ) -> Vec<(String, String)> {
        let nonce = uuid::Uuid::new_v4().to_string();
        let ctx = CallContext {
            action,
            version,
            unix_secs,
            nonce: &nonce,
        };
        signed_params(method, &ctx, creds, business)
    }

    /// POST `/` with `query` in the URL and `body` as a form.
    pub async fn post(&self, query: &str, body: &str) -> Reply {
        let uri = if query.is_empty() {
            "/".to_owned()
        } else {
            format!("/?{query}")
        };
        let request = Request::builder()
            .method(Method::POST)
            .uri(uri)
            .header(header::HOST, HOST)
            .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
            .body(Body::from(body.to_owned()))
            .unwrap();
        self.send(request).await
    }

    /// GET `/?query`.
    pub async fn get(&self, query: &str) -> Reply {
        let request = Request::builder()
            .method(Method::GET)
            .uri(format!("/?{query}"))
            .body(Body::empty())
            .unwrap();
        self.send(request).await
    }

    pub async fn get_path(&self, path: &str) -> Reply {
        let request = Request::builder()
            .method(Method::GET)
            .uri(path)
            .header(header::HOST, ADMIN_HOST)
            .body(Body::empty())
            .unwrap();
        self.send(request).await
    }

    /// A request to a `/__emulator/` route as a test script sends it: a loopback `Host`, and a
    /// JSON content type on POST (with the JSON body when one is given).
    pub async fn admin(&self, method: Method, path: &str, json: Option<&str>) -> Reply {
        let post = method == Method::POST;
        let mut builder = Request::builder()
            .method(method)
            .uri(path)
            .header(header::HOST, ADMIN_HOST);
        if post || json.is_some() {
            builder = builder.header(header::CONTENT_TYPE, "application/json");
        }
        let request = builder.body(Body::from(json.unwrap_or_default().to_owned()));
        self.send(request.unwrap()).await
    }

    /// Sets fault injection over HTTP and checks it was taken.
    pub async fn set_faults(&self, json: &str) {
        let r = self
            .admin(Method::POST, "/__emulator/faults", Some(json))
            .await;
        assert_eq!(
            r.status,
            StatusCode::OK,
            "{}",
            String::from_utf8_lossy(&r.bytes)
        );
    }

    /// A signed List for [`PHONE`] with `creds`.
    pub async fn list_as(&self, creds: &Credentials) -> Reply {
        self.call_as(creds, "ListPhoneMessageQrdl", &[("PhoneNumber", PHONE)])
            .await
    }

    /// A signed Create for [`PHONE`] with `creds`.
    pub async fn create_as(&self, creds: &Credentials, message: &str) -> Reply {
        self.call_as(
            creds,
            "CreatePhoneMessageQrdl",
            &[
                ("PhoneNumber", PHONE),
                ("PrefilledMessage", message),
                ("GenerateQrImage", "PNG"),
            ],
        )
        .await
    }

    /// Sends already-signed parameters: all in the body for POST, in the query for GET.
    pub async fn send_params(&self, method: SignMethod, params: &[(String, String)]) -> Reply {
        match method {
            SignMethod::Post => self.post("", &form_body(params)).await,
            SignMethod::Get => self.get(&form_body(params)).await,
        }
    }

    /// A signed POST with the given key.
    pub async fn call_as(
        &self,
        creds: &Credentials,
        action: &str,
        business: &[(&str, &str)],
    ) -> Reply {
        let params = self.sign(SignMethod::Post, action, creds, business);
        self.send_params(SignMethod::Post, &params).await
    }

    /// A signed POST with the demo key.
    pub async fn call(&self, action: &str, business: &[(&str, &str)]) -> Reply {
        self.call_as(&demo_key(), action, business).await
    }

    /// Creates a code with the demo key and returns its `Data`.
    pub async fn create(&self, message: &str, format: &str) -> Value {
        let r = self
            .call(
                "CreatePhoneMessageQrdl",
                &[
                    ("PhoneNumber", PHONE),
                    ("PrefilledMessage", message),
                    ("GenerateQrImage", format),
                ],
            )
            .await;
        r.assert_ok()["Data"].clone()
    }

    /// Temporary credentials from AssumeRole with the demo key.
    pub async fn assume_role(&self, extra: &[(&str, &str)]) -> Credentials {
        self.assume_role_as(&demo_key(), extra).await
    }

    /// Temporary credentials from AssumeRole with `parent`.
    pub async fn assume_role_as(
        &self,
        parent: &Credentials,
        extra: &[(&str, &str)],
    ) -> Credentials {
        let mut business = vec![
            (
                "RoleArn",
                "acs:ram::1234567890123456:role/cams-qrdl-browser",
            ),
            ("RoleSessionName", "harness"),
        ];
        business.extend_from_slice(extra);
        let body = self
            .call_as(parent, "AssumeRole", &business)
            .await
            .assert_ok();
        let c = &body["Credentials"];
        Credentials {
            access_key_id: c["AccessKeyId"].as_str().unwrap().into(),
            access_key_secret: c["AccessKeySecret"].as_str().unwrap().into(),
            security_token: Some(c["SecurityToken"].as_str().unwrap().into()),
        }
    }
}

/// A V3 request as it goes on the wire, to send as is or altered first.
#[derive(Clone, Debug)]
pub struct Wire {
    pub method: Method,
    /// Without the `?`; empty for none.
    pub query: String,
    /// Every header, `host` included.
    pub headers: Vec<(String, String)>,
    pub body: String,
}

impl Wire {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    /// Replaces (or adds) one header.
    pub fn set_header(&mut self, name: &str, value: &str) {
        self.remove_header(name);
        self.headers.push((name.to_owned(), value.to_owned()));
    }

    pub fn remove_header(&mut self, name: &str) {
        self.headers.retain(|(k, _)| !k.eq_ignore_ascii_case(name));
    }
}

impl From<&PreparedAcs3> for Wire {
    fn from(p: &PreparedAcs3) -> Wire {
        let mut headers = vec![("host".to_owned(), HOST.to_owned())];
        headers.extend(p.headers.iter().map(|(k, v)| ((*k).to_owned(), v.clone())));
        Wire {
            method: match p.method {
                SignMethod::Get => Method::GET,
                SignMethod::Post => Method::POST,
            },
            query: p.query.clone(),
            headers,
            body: p.body.clone(),
        }
    }
}

impl Harness {
    /// A V3 call at the emulator's current time with a fresh nonce, signed for [`HOST`].
    pub fn sign_v3(
        &self,
        shape: Acs3Shape,
        action: &str,
        creds: &Credentials,
        business: &[(&str, &str)],
    ) -> PreparedAcs3 {
        let version = if action == "AssumeRole" {
            STS_VERSION
        } else {
            CAMS_VERSION
        };
        self.sign_v3_at(
            shape,
            action,
            version,
            self.emu.clock.now_secs(),
            creds,
            business,
        )
    }

    pub fn sign_v3_at(
        &self,
        shape: Acs3Shape,
        action: &str,
        version: &str,
        unix_secs: i64,
        creds: &Credentials,
        business: &[(&str, &str)],
    ) -> PreparedAcs3 {
        let nonce = uuid::Uuid::new_v4().simple().to_string();
        let call = Acs3Call {
            shape,
            action,
            version,
            host: HOST,
            unix_secs,
            nonce: &nonce,
        };
        acs3::prepare(&call, creds, business)
    }

    /// Sends a request exactly as described.
    pub async fn send_wire(&self, wire: &Wire) -> Reply {
        let uri = if wire.query.is_empty() {
            "/".to_owned()
        } else {
            format!("/?{}", wire.query)
        };
        let mut builder = Request::builder().method(wire.method.clone()).uri(uri);
        for (k, v) in &wire.headers {
            builder = builder.header(k.as_str(), v.as_str());
        }
        self.send(builder.body(Body::from(wire.body.clone())).unwrap())
            .await
    }

    /// Sends a signed V3 call as prepared.
    pub async fn send_v3(&self, p: &PreparedAcs3) -> Reply {
        self.send_wire(&Wire::from(p)).await
    }

    /// A V3 call with `creds`, parameters in the query of a POST (the official SDKs' default).
    pub async fn call_v3_as(
        &self,
        creds: &Credentials,
        action: &str,
        business: &[(&str, &str)],
    ) -> Reply {
        let p = self.sign_v3(Acs3Shape::PostQuery, action, creds, business);
        self.send_v3(&p).await
    }

    /// Temporary credentials from AssumeRole signed with V3.
    pub async fn assume_role_v3(&self, parent: &Credentials) -> Credentials {
        let body = self
            .call_v3_as(
                parent,
                "AssumeRole",
                &[
                    (
                        "RoleArn",
                        "acs:ram::1234567890123456:role/cams-qrdl-browser",
                    ),
                    ("RoleSessionName", "harness-v3"),
                    ("DurationSeconds", "900"),
                ],
            )
            .await
            .assert_ok();
        let c = &body["Credentials"];
        Credentials {
            access_key_id: c["AccessKeyId"].as_str().unwrap().into(),
            access_key_secret: c["AccessKeySecret"].as_str().unwrap().into(),
            security_token: Some(c["SecurityToken"].as_str().unwrap().into()),
        }
    }
}

/// Replaces (or adds) one parameter's value.
pub fn set(params: &mut Vec<(String, String)>, name: &str, value: &str) {
    params.retain(|(k, _)| k != name);
    params.push((name.to_owned(), value.to_owned()));
}

/// Removes one parameter.
pub fn remove(params: &mut Vec<(String, String)>, name: &str) {
    params.retain(|(k, _)| k != name);
}
