//! The endpoints a production relay may talk to: CAMS's and STS's own API host names, nothing
//! else under `aliyuncs.com`.
//!
//! Plenty of names under `aliyuncs.com` belong to customers, not to Alibaba's APIs: an OSS bucket
//! (`<bucket>.oss-<region>.aliyuncs.com`), a Function Compute or Log Service endpoint
//! (`<id>.<region>.fc.aliyuncs.com`). The relay's AssumeRole is signed with its long-term key and
//! can be replayed for credentials within 15 minutes, so it must never reach one of those. So
//! only these forms pass, https on the default port:
//!
//! - `--cams-endpoint`: `cams.<region>.aliyuncs.com` (the SDKs' endpoint rule) and
//!   `cams-vpc.<region>.aliyuncs.com` (the VPC form);
//! - `--sts-endpoint`: `sts.aliyuncs.com`, `sts.<region>.aliyuncs.com` and
//!   `sts-vpc.<region>.aliyuncs.com`, as STS's endpoint list documents them.
//!
//! A region is lower-case letters, digits and `-`, starting with two letters and a `-`
//! (`ap-southeast-1`, `cn-hangzhou`, `cn-shanghai-finance-1`): never `oss-...` or a name with
//! more labels.

use url::{Host, Url};

/// The domain of Alibaba Cloud's API hosts.
pub const ALIBABA_DOMAIN: &str = "aliyuncs.com";

/// Which API an endpoint flag names.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Api {
    Cams,
    Sts,
}

impl Api {
    fn flag(self) -> &'static str {
        match self {
            Api::Cams => "--cams-endpoint",
            Api::Sts => "--sts-endpoint",
        }
    }

    fn forms(self) -> &'static str {
        match self {
            Api::Cams => {
                "https://cams.<region>.aliyuncs.com or https://cams-vpc.<region>.aliyuncs.com"
            }
            Api::Sts => {
                "https://sts.aliyuncs.com, https://sts.<region>.aliyuncs.com or \
                 https://sts-vpc.<region>.aliyuncs.com"
            }
        }
    }
}

/// Whether `url` is one of `api`'s endpoint names, over https on the default port, without user
/// info; the error names the flag and the accepted forms.
pub fn check_endpoint(api: Api, url: &Url) -> Result<(), String> {
    let host_ok = match url.host() {
        Some(Host::Domain(d)) => is_api_host(api, &d.to_ascii_lowercase()),
        _ => false,
    };
    let ok = url.scheme() == "https"
        && host_ok
        && url.port().is_none()
        && url.username().is_empty()
        && url.password().is_none();
    if ok {
        Ok(())
    } else {
        Err(format!(
            "{} {url}: a production relay talks only to {}'s own API hosts ({}, default port). \
             Use --emulate for the built-in emulator, or --allow-any-upstream to test against a \
             mock.",
            api.flag(),
            match api {
                Api::Cams => "CAMS",
                Api::Sts => "STS",
            },
            api.forms()
        ))
    }
}

fn is_api_host(api: Api, host: &str) -> bool {
    let host = host.strip_suffix('.').unwrap_or(host);
    let Some(name) = host
        .strip_suffix(ALIBABA_DOMAIN)
        .and_then(|n| n.strip_suffix('.'))
    else {
        return false;
    };
    let (product, vpc) = match api {
        Api::Cams => ("cams", "cams-vpc"),
        Api::Sts => ("sts", "sts-vpc"),
    };
    match name.split_once('.') {
        None => api == Api::Sts && name == product,
        Some((first, region)) => (first == product || first == vpc) && is_region(region),
    }
}

/// `xx-...`: two letters, `-`, then lower-case letters, digits and single `-`s.
fn is_region(label: &str) -> bool {
    let b = label.as_bytes();
    b.len() >= 4
        && b.len() <= 40
        && b[..2].iter().all(u8::is_ascii_lowercase)
        && b[2] == b'-'
        && label[3..].split('-').all(|part| {
            !part.is_empty()
                && part
                    .bytes()
                    .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit())
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn check(api: Api, s: &str) -> Result<(), String> {
        check_endpoint(api, &Url::parse(s).unwrap())
    }

    #[test]
    fn cams_and_sts_names_pass() {
        for good in [
            "https://cams.ap-southeast-1.aliyuncs.com",
            "https://CAMS.AP-SOUTHEAST-1.ALIYUNCS.COM/",
            "https://cams.cn-hangzhou.aliyuncs.com:443/",
            "https://cams-vpc.ap-southeast-1.aliyuncs.com",
        ] {
            assert!(check(Api::Cams, good).is_ok(), "{good}");
        }
        for good in [
            "https://sts.aliyuncs.com/",
            "https://STS.ALIYUNCS.COM",
            "https://sts.cn-shanghai-finance-1.aliyuncs.com",
            "https://sts-vpc.cn-hangzhou.aliyuncs.com:443/",
            "https://sts.ap-southeast-1.aliyuncs.com.",
        ] {
            assert!(check(Api::Sts, good).is_ok(), "{good}");
        }
    }

    #[test]
    fn strangers_hosts_under_aliyuncs_com_do_not() {
        for (api, bad) in [
            // An OSS bucket named like the API, a Function Compute endpoint, Log Service.
            (Api::Cams, "https://cams.oss-cn-hangzhou.aliyuncs.com"),
            (Api::Sts, "https://sts.oss-ap-southeast-1.aliyuncs.com"),
            (Api::Cams, "https://cams.cn-hangzhou.fc.aliyuncs.com"),
            (Api::Sts, "https://123456.cn-hangzhou.fc.aliyuncs.com"),
            (Api::Cams, "https://evil.ap-southeast-1.aliyuncs.com"),
            (
                Api::Cams,
                "https://my-bucket.oss-ap-southeast-1.aliyuncs.com",
            ),
            (Api::Sts, "https://proj.cn-hangzhou.log.aliyuncs.com"),
            // The other product's name, or none.
            (Api::Cams, "https://sts.aliyuncs.com"),
            (Api::Sts, "https://cams.ap-southeast-1.aliyuncs.com"),
            (Api::Cams, "https://cams.aliyuncs.com"),
            (Api::Cams, "https://aliyuncs.com"),
            // Not the domain, not https, not the default port, user info, addresses.
            (
                Api::Cams,
                "https://cams.ap-southeast-1.aliyuncs.com.evil.example",
            ),
            (Api::Cams, "https://evilaliyuncs.com"),
            (Api::Cams, "http://cams.ap-southeast-1.aliyuncs.com"),
            (Api::Sts, "https://sts.aliyuncs.com:8443"),
            (Api::Sts, "https://user:pw@sts.aliyuncs.com"),
            (Api::Sts, "https://127.0.0.1"),
            (Api::Sts, "https://[::1]"),
            (Api::Cams, "https://cams.AP_1.aliyuncs.com"),
            (Api::Cams, "https://cams.a-b.aliyuncs.com"),
            (Api::Cams, "https://cams.ap--1.aliyuncs.com"),
        ] {
            let e = check(api, bad);
            assert!(e.is_err(), "{bad}");
            assert!(e.unwrap_err().contains(api.flag()), "{bad}");
        }
    }
}
