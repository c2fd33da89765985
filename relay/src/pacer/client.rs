//! Who a `/cams` call is from, for fair queueing: the client's address (an IPv6 client by its
//! /64, as the rate limit counts) and the temporary AccessKeyId it signed with (its STS session;
//! the `AccessKeyId` form field, or `Credential=` of an `Authorization` header).
//!
//! Neither alone is enough: one relay hands the same cached STS credentials to every browser,
//! and behind a proxy every browser has the proxy's address. Two tabs of one browser are one
//! client, which is right: one person, one turn.

use std::convert::Infallible;
use std::net::{IpAddr, Ipv4Addr, SocketAddr};

use axum::extract::{ConnectInfo, FromRequestParts};
use axum::http::request::Parts;
use axum::http::HeaderMap;

use super::backend::ClientKey;

/// Longest AccessKeyId kept in a client key (real ones are far shorter).
const MAX_KEY_ID: usize = 128;

/// The TCP peer's address (unspecified when the server gives no connection info).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct PeerIp(pub IpAddr);

impl<S: Send + Sync> FromRequestParts<S> for PeerIp {
    type Rejection = Infallible;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        Ok(PeerIp(
            parts
                .extensions
                .get::<ConnectInfo<SocketAddr>>()
                .map(|ConnectInfo(addr)| addr.ip())
                .unwrap_or(IpAddr::V4(Ipv4Addr::UNSPECIFIED)),
        ))
    }
}

/// The client of a call: `"<address> <AccessKeyId>"`, or the address alone.
pub fn client_key(peer: IpAddr, headers: &HeaderMap, body: &[u8]) -> ClientKey {
    let ip = crate::rate_limit::client_key(peer);
    match access_key_id(headers, body) {
        Some(id) => format!("{ip} {id}"),
        None => ip.to_string(),
    }
}

fn access_key_id(headers: &HeaderMap, body: &[u8]) -> Option<String> {
    crate::auth::issued_keys::signing_key(body, headers).filter(|id| {
        (1..=MAX_KEY_ID).contains(&id.len()) && id.bytes().all(|b| b.is_ascii_graphic())
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::http::HeaderValue;

    fn ip(s: &str) -> IpAddr {
        s.parse().unwrap()
    }

    #[test]
    fn address_and_sts_session_name_the_client() {
        let none = HeaderMap::new();
        assert_eq!(
            client_key(
                ip("10.0.0.1"),
                &none,
                b"Action=X&AccessKeyId=STS.abc&Signature=s"
            ),
            "10.0.0.1 STS.abc"
        );
        assert_eq!(client_key(ip("10.0.0.1"), &none, b"Action=X"), "10.0.0.1");
        assert_eq!(
            client_key(ip("2001:db8:1:2::9"), &none, b"AccessKeyId=k"),
            "2001:db8:1:2:: k"
        );
        let mut v3 = HeaderMap::new();
        v3.insert(
            axum::http::header::AUTHORIZATION,
            HeaderValue::from_static(
                "ACS3-HMAC-SHA256 Credential=STS.v3key,SignedHeaders=host,Signature=x",
            ),
        );
        assert_eq!(client_key(ip("10.0.0.2"), &v3, b""), "10.0.0.2 STS.v3key");
        // Junk is not kept.
        assert_eq!(
            client_key(ip("10.0.0.1"), &none, b"AccessKeyId=a%20b"),
            "10.0.0.1"
        );
        assert_eq!(
            client_key(ip("10.0.0.1"), &none, &[b'A', 0xff, b'=']),
            "10.0.0.1"
        );
    }
}
