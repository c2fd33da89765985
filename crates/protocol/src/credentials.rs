//! An AccessKey pair, long-term or temporary (STS), whose secrets never reach a log.

use core::fmt;

/// A key to sign with. `Debug` shows the AccessKeyId and redacts the secret and token.
#[derive(Clone, PartialEq, Eq)]
pub struct Credentials {
    pub access_key_id: String,
    pub access_key_secret: String,
    /// Present for STS credentials; sent as the `SecurityToken` parameter.
    pub security_token: Option<String>,
}

impl fmt::Debug for Credentials {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Credentials")
            .field("access_key_id", &self.access_key_id)
            .field("access_key_secret", &"<redacted>")
            .field(
                "security_token",
                &self.security_token.as_ref().map(|_| "<redacted>"),
            )
            .finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn debug_redacts_secrets() {
        let c = Credentials {
            access_key_id: "LTAIid".into(),
            access_key_secret: "s3cr3t-value".into(),
            security_token: Some("tok3n-value".into()),
        };
        let shown = format!("{c:?}");
        assert!(shown.contains("LTAIid"));
        assert!(!shown.contains("s3cr3t-value"));
        assert!(!shown.contains("tok3n-value"));
    }
}
