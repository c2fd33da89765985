//! The two tiers of `/sts` callers and what each may do.
//!
//! CAMS's RAM actions take no resource-level conditions, so a session policy cannot say "only
//! your own codes": whoever may update or delete, may update or delete every code of the account.
//! The relay narrows by *who* instead. Anonymous callers (a public QR page) get a session policy
//! that denies what the operator did not grant them (by default everything but create); signed-in
//! callers get the relay's whole session policy (`--sts-policy`, by default the four QR actions).

use std::fmt;

use cams_protocol::types::Action;
use serde_json::{json, Value};

/// Who a caller is, as far as what it may do goes.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Tier {
    /// No credentials presented (only when `--anonymous-actions` grants something).
    Anonymous,
    /// The bearer token or a valid JWT.
    SignedIn,
}

impl Tier {
    /// The word the log and `/relay.json` use.
    pub fn as_str(self) -> &'static str {
        match self {
            Tier::Anonymous => "anonymous",
            Tier::SignedIn => "signed-in",
        }
    }
}

/// The four message QR code actions, in their documented order.
pub const ACTIONS: [Action; 4] = [Action::Create, Action::List, Action::Update, Action::Delete];

/// A set of the four QR code actions.
#[derive(Clone, Copy, Default, PartialEq, Eq, Hash)]
pub struct ActionSet(u8);

impl ActionSet {
    pub const NONE: ActionSet = ActionSet(0);
    pub const ALL: ActionSet = ActionSet(0b1111);
    /// What anonymous callers may do in production unless the operator says otherwise.
    pub const CREATE: ActionSet = ActionSet(1);

    fn bit(action: Action) -> u8 {
        match action {
            Action::Create => 1,
            Action::List => 2,
            Action::Update => 4,
            Action::Delete => 8,
        }
    }

    pub fn contains(self, action: Action) -> bool {
        self.0 & ActionSet::bit(action) != 0
    }

    pub fn with(self, action: Action) -> ActionSet {
        ActionSet(self.0 | ActionSet::bit(action))
    }

    pub fn is_empty(self) -> bool {
        self.0 == 0
    }

    /// The actions in the set, in documented order.
    pub fn actions(self) -> impl Iterator<Item = Action> {
        ACTIONS.into_iter().filter(move |a| self.contains(*a))
    }

    /// The flag's words (`create`, `list`, `update`, `delete`) of the actions in the set.
    pub fn words(self) -> Vec<&'static str> {
        self.actions().map(word).collect()
    }

    /// Update or delete: never for anonymous callers of a production relay.
    pub fn changes_existing_codes(self) -> bool {
        self.contains(Action::Update) || self.contains(Action::Delete)
    }

    /// `none`, `all`, or a comma-separated list of `create`, `list`, `update`, `delete` (any
    /// case, blanks ignored).
    pub fn parse(text: &str) -> Result<ActionSet, String> {
        let usage = "expected none, all, or a comma-separated list of create, list, update, delete";
        match text.trim().to_ascii_lowercase().as_str() {
            "none" => return Ok(ActionSet::NONE),
            "all" => return Ok(ActionSet::ALL),
            "" => return Err(usage.to_owned()),
            _ => {}
        }
        let mut set = ActionSet::NONE;
        for part in text.split(',').map(str::trim) {
            let action = ACTIONS
                .into_iter()
                .find(|a| word(*a).eq_ignore_ascii_case(part))
                .ok_or_else(|| format!("{part:?}: {usage}"))?;
            set = set.with(action);
        }
        Ok(set)
    }
}

impl fmt::Debug for ActionSet {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "ActionSet({self})")
    }
}

impl fmt::Display for ActionSet {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.is_empty() {
            f.write_str("none")
        } else {
            f.write_str(&self.words().join(","))
        }
    }
}

/// The flag's word for an action.
pub fn word(action: Action) -> &'static str {
    match action {
        Action::Create => "create",
        Action::List => "list",
        Action::Update => "update",
        Action::Delete => "delete",
    }
}

/// The session policy each tier's AssumeRole sends.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TierPolicies {
    /// What anonymous callers may do.
    pub anonymous_actions: ActionSet,
    /// `None` when anonymous callers get nothing.
    pub anonymous: Option<String>,
    pub signed_in: String,
}

impl TierPolicies {
    /// The policy for `tier`, when it gets credentials at all.
    pub fn for_tier(&self, tier: Tier) -> Option<&str> {
        match tier {
            Tier::Anonymous => self.anonymous.as_deref(),
            Tier::SignedIn => Some(&self.signed_in),
        }
    }
}

/// The tiers' policies from the relay's session policy (`base`, minified JSON) and what anonymous
/// callers may do: the anonymous one is `base` with a statement denying the other actions
/// appended (an explicit Deny wins over any Allow, so it is never wider than `base`, whatever
/// `base` says).
pub fn tier_policies(base: &str, anonymous: ActionSet) -> Result<TierPolicies, String> {
    let policy = if anonymous.is_empty() {
        None
    } else if anonymous == ActionSet::ALL {
        Some(base.to_owned())
    } else {
        let mut doc: Value =
            serde_json::from_str(base).map_err(|e| format!("--sts-policy: not valid JSON: {e}"))?;
        let statements = doc
            .get_mut("Statement")
            .and_then(Value::as_array_mut)
            .ok_or("--sts-policy: the policy needs a \"Statement\" list")?;
        let denied: Vec<String> = ACTIONS
            .into_iter()
            .filter(|a| !anonymous.contains(*a))
            .map(|a| format!("cams:{}", a.name()))
            .collect();
        statements.push(json!({"Effect": "Deny", "Action": denied, "Resource": "*"}));
        Some(doc.to_string())
    };
    Ok(TierPolicies {
        anonymous_actions: anonymous,
        anonymous: policy,
        signed_in: base.to_owned(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::api_args::DEFAULT_STS_POLICY;

    #[test]
    fn action_sets_parse_from_the_flags_words() {
        assert_eq!(ActionSet::parse("create"), Ok(ActionSet::CREATE));
        assert_eq!(
            ActionSet::parse(" Create , LIST ").unwrap().words(),
            ["create", "list"]
        );
        assert_eq!(ActionSet::parse("none"), Ok(ActionSet::NONE));
        assert_eq!(ActionSet::parse("all"), Ok(ActionSet::ALL));
        assert_eq!(ActionSet::ALL.to_string(), "create,list,update,delete");
        assert_eq!(ActionSet::NONE.to_string(), "none");
        for bad in ["", "create,", "read", "create;list", "none,create"] {
            assert!(ActionSet::parse(bad).is_err(), "{bad}");
        }
        assert!(ActionSet::parse("create,delete")
            .unwrap()
            .changes_existing_codes());
        assert!(!ActionSet::parse("create,list")
            .unwrap()
            .changes_existing_codes());
    }

    #[test]
    fn the_anonymous_policy_denies_what_it_was_not_granted() {
        let p = tier_policies(DEFAULT_STS_POLICY, ActionSet::CREATE).unwrap();
        assert_eq!(p.signed_in, DEFAULT_STS_POLICY);
        let anon: Value = serde_json::from_str(p.anonymous.as_deref().unwrap()).unwrap();
        let statements = anon["Statement"].as_array().unwrap();
        assert_eq!(statements.len(), 2);
        assert_eq!(statements[1]["Effect"], "Deny");
        assert_eq!(
            statements[1]["Action"],
            json!([
                "cams:ListPhoneMessageQrdl",
                "cams:UpdatePhoneMessageQrdl",
                "cams:DeletePhoneMessageQrdl"
            ])
        );
        assert_eq!(p.for_tier(Tier::SignedIn), Some(DEFAULT_STS_POLICY));

        let none = tier_policies(DEFAULT_STS_POLICY, ActionSet::NONE).unwrap();
        assert_eq!(none.for_tier(Tier::Anonymous), None);
        let all = tier_policies(DEFAULT_STS_POLICY, ActionSet::ALL).unwrap();
        assert_eq!(all.anonymous.as_deref(), Some(DEFAULT_STS_POLICY));
        assert!(tier_policies(r#"{"Version":"1"}"#, ActionSet::CREATE).is_err());
    }
}
