//! Who may get which credentials from `/sts`, and keeping `/cams` to it.
//!
//! - [`tiers`]: anonymous and signed-in callers, and the session policy each tier's AssumeRole
//!   sends (anonymous: create only by default; update and delete only for signed-in callers);
//! - [`authenticator`]: who a request is (bearer token, JWT, or nobody);
//! - [`jwt`]: JWTs checked against the identity provider's JWKS;
//! - [`session_name`]: a JWT's subject as STS's `RoleSessionName`, for Alibaba's audit trail;
//! - [`issued_keys`]: the AccessKeyIds the relay handed out, by tier, checked on `/cams`;
//! - [`args`]: the flags.

pub mod args;
pub mod authenticator;
pub mod issued_keys;
pub mod jwt;
pub mod session_name;
pub mod tiers;

pub use args::AuthArgs;
pub use authenticator::{AuthFailure, Authenticator, Caller};
pub use issued_keys::IssuedKeys;
pub use tiers::{ActionSet, Tier, TierPolicies};
