//! RAM's check of a CAMS call made with STS credentials: the session policy must allow
//! `cams:<Action>`, or the call gets `Ram.PermissionDeny` with an `AccessDeniedDetail` that says
//! which action, which principal and which policy refused it.

use serde_json::json;

use crate::errors::{self, ApiError};
use crate::gateway::Caller;
use crate::policy::Decision;
use crate::Emulator;

/// Allows long-term keys and sessions without a policy; evaluates the policy otherwise.
pub fn authorize(emu: &Emulator, caller: &Caller, action: &str) -> Result<(), ApiError> {
    let Caller::Temporary(session) = caller else {
        return Ok(());
    };
    let Some(policy) = &session.policy else {
        return Ok(());
    };
    let auth_action = format!("cams:{action}");
    let resource = format!("acs:cams:*:{}:*", emu.config.account_id);
    match policy.evaluate(&auth_action, &resource) {
        Decision::Allow => Ok(()),
        decision => {
            let detail = json!({
                "AuthAction": auth_action,
                "AuthPrincipalType": "AssumedRoleUser",
                "AuthPrincipalOwnerId": emu.config.account_id,
                "AuthPrincipalDisplayName": format!("{}:{}", session.role_name, session.session_name),
                "PolicyType": "SessionPolicy",
                "NoPermissionType": decision.as_str(),
            });
            Err(errors::permission_denied(detail.to_string()))
        }
    }
}
