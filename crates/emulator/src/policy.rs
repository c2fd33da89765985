//! Session policies (the `Policy` of AssumeRole), parsed and evaluated the way RAM does for the
//! part the emulator needs: `Version` "1", a `Statement` list of `Effect` Allow/Deny, `Action`
//! and `Resource` patterns with `*` and `?` wildcards, matched without regard to case. An
//! explicit Deny wins over any Allow; with no matching Allow the action is implicitly denied.
//!
//! `Condition` blocks are not evaluated: a statement that has one is taken as never matching
//! when it allows and as always matching when it denies (the safe reading). `NotAction` and
//! `NotResource` are refused as grammar errors.

use serde_json::Value;

/// The most a session policy may hold, in bytes, as STS documents it.
pub const MAX_POLICY_BYTES: usize = 1024;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Effect {
    Allow,
    Deny,
}

#[derive(Clone, Debug, PartialEq, Eq)]
struct Statement {
    effect: Effect,
    actions: Vec<String>,
    resources: Vec<String>,
    conditional: bool,
}

/// A parsed session policy.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SessionPolicy {
    statements: Vec<Statement>,
}

/// The outcome of evaluating a policy, named as RAM's `NoPermissionType` names refusals.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Decision {
    Allow,
    ExplicitDeny,
    ImplicitDeny,
}

impl Decision {
    pub fn as_str(self) -> &'static str {
        match self {
            Decision::Allow => "Allow",
            Decision::ExplicitDeny => "ExplicitDeny",
            Decision::ImplicitDeny => "ImplicitDeny",
        }
    }
}

impl SessionPolicy {
    /// Parses a policy document; the error says what is wrong with it.
    pub fn parse(text: &str) -> Result<SessionPolicy, String> {
        let doc: Value =
            serde_json::from_str(text).map_err(|e| format!("It is not valid JSON: {e}."))?;
        let obj = doc.as_object().ok_or("The policy must be a JSON object.")?;
        match obj.get("Version").and_then(Value::as_str) {
            Some("1") => {}
            _ => return Err("\"Version\" must be \"1\".".into()),
        }
        let statements = obj
            .get("Statement")
            .and_then(Value::as_array)
            .filter(|s| !s.is_empty())
            .ok_or("\"Statement\" must be a non-empty array.")?;
        let statements = statements
            .iter()
            .map(parse_statement)
            .collect::<Result<Vec<_>, _>>()?;
        Ok(SessionPolicy { statements })
    }

    /// Evaluates `action` (e.g. `cams:CreatePhoneMessageQrdl`) on `resource`.
    pub fn evaluate(&self, action: &str, resource: &str) -> Decision {
        let applies = |s: &Statement| {
            s.actions.iter().any(|p| wildcard_match(p, action))
                && s.resources.iter().any(|p| wildcard_match(p, resource))
        };
        let denied = self
            .statements
            .iter()
            .any(|s| s.effect == Effect::Deny && applies(s));
        if denied {
            return Decision::ExplicitDeny;
        }
        let allowed = self
            .statements
            .iter()
            .any(|s| s.effect == Effect::Allow && !s.conditional && applies(s));
        if allowed {
            Decision::Allow
        } else {
            Decision::ImplicitDeny
        }
    }
}

fn parse_statement(v: &Value) -> Result<Statement, String> {
    let obj = v.as_object().ok_or("Each statement must be an object.")?;
    for unsupported in ["NotAction", "NotResource", "Principal"] {
        if obj.contains_key(unsupported) {
            return Err(format!(
                "\"{unsupported}\" is not supported in a session policy here."
            ));
        }
    }
    let effect = match obj.get("Effect").and_then(Value::as_str) {
        Some("Allow") => Effect::Allow,
        Some("Deny") => Effect::Deny,
        _ => return Err("\"Effect\" must be \"Allow\" or \"Deny\".".into()),
    };
    let actions = string_list(obj.get("Action"), "Action")?;
    if let Some(bad) = actions.iter().find(|a| {
        *a != "*"
            && !a
                .split_once(':')
                .is_some_and(|(s, n)| !s.is_empty() && !n.is_empty())
    }) {
        return Err(format!(
            "The action \"{bad}\" is not of the form service:action."
        ));
    }
    let resources = string_list(obj.get("Resource"), "Resource")?;
    let conditional = obj.get("Condition").is_some();
    Ok(Statement {
        effect,
        actions,
        resources,
        conditional,
    })
}

fn string_list(v: Option<&Value>, name: &str) -> Result<Vec<String>, String> {
    let err = || format!("\"{name}\" must be a non-empty string or array of strings.");
    let list = match v {
        Some(Value::String(s)) => vec![s.clone()],
        Some(Value::Array(items)) => items
            .iter()
            .map(|i| i.as_str().map(str::to_owned).ok_or_else(err))
            .collect::<Result<Vec<_>, _>>()?,
        _ => return Err(err()),
    };
    if list.is_empty() || list.iter().any(|s| s.trim().is_empty()) {
        return Err(err());
    }
    Ok(list)
}

/// `*` matches any run of characters, `?` one character; ASCII case is ignored.
pub fn wildcard_match(pattern: &str, text: &str) -> bool {
    let p: Vec<char> = pattern.chars().map(|c| c.to_ascii_lowercase()).collect();
    let t: Vec<char> = text.chars().map(|c| c.to_ascii_lowercase()).collect();
    // Greedy matching with backtracking to the last star: linear in practice, no recursion.
    let (mut pi, mut ti) = (0, 0);
    let mut star: Option<(usize, usize)> = None;
    while ti < t.len() {
        if pi < p.len() && (p[pi] == '?' || p[pi] == t[ti]) {
            pi += 1;
            ti += 1;
        } else if pi < p.len() && p[pi] == '*' {
            star = Some((pi, ti));
            pi += 1;
        } else if let Some((sp, st)) = star {
            pi = sp + 1;
            ti = st + 1;
            star = Some((sp, st + 1));
        } else {
            return false;
        }
    }
    p[pi..].iter().all(|&c| c == '*')
}

#[cfg(test)]
mod tests {
    use super::*;

    const RES: &str = "acs:cams:ap-southeast-1:1234567890123456:*";

    #[test]
    fn wildcards() {
        assert!(wildcard_match(
            "cams:*PhoneMessageQrdl",
            "cams:CreatePhoneMessageQrdl"
        ));
        assert!(wildcard_match(
            "CAMS:create*",
            "cams:CreatePhoneMessageQrdl"
        ));
        assert!(wildcard_match("*", "anything"));
        assert!(wildcard_match("cams:?ist*", "cams:ListPhoneMessageQrdl"));
        assert!(!wildcard_match("cams:List*", "cams:CreatePhoneMessageQrdl"));
        assert!(!wildcard_match(
            "cams:Create",
            "cams:CreatePhoneMessageQrdl"
        ));
        assert!(wildcard_match("acs:cams:*:*:*", RES));
        assert!(!wildcard_match("acs:oss:*:*:*", RES));
        assert!(wildcard_match("a*b*c", "aXXbYYbc"));
        assert!(!wildcard_match("", "x"));
        assert!(wildcard_match("", ""));
    }

    #[test]
    fn allow_list_and_implicit_deny() {
        let p = SessionPolicy::parse(
            r#"{"Version":"1","Statement":[{"Effect":"Allow","Action":["cams:Create*","cams:List*"],"Resource":"*"}]}"#,
        )
        .unwrap();
        assert_eq!(
            p.evaluate("cams:CreatePhoneMessageQrdl", RES),
            Decision::Allow
        );
        assert_eq!(
            p.evaluate("cams:ListPhoneMessageQrdl", RES),
            Decision::Allow
        );
        assert_eq!(
            p.evaluate("cams:DeletePhoneMessageQrdl", RES),
            Decision::ImplicitDeny
        );
    }

    #[test]
    fn explicit_deny_wins_and_conditions_are_read_safely() {
        let p = SessionPolicy::parse(
            r#"{"Version":"1","Statement":[
                {"Effect":"Allow","Action":"cams:*","Resource":"*"},
                {"Effect":"Deny","Action":"cams:Delete*","Resource":"*","Condition":{"IpAddress":{"acs:SourceIp":"10.0.0.0/8"}}},
                {"Effect":"Allow","Action":"cams:Update*","Resource":"*","Condition":{}}
            ]}"#,
        )
        .unwrap();
        assert_eq!(
            p.evaluate("cams:DeletePhoneMessageQrdl", RES),
            Decision::ExplicitDeny
        );
        assert_eq!(
            p.evaluate("cams:UpdatePhoneMessageQrdl", RES),
            Decision::Allow
        );
        let only_conditional = SessionPolicy::parse(
            r#"{"Version":"1","Statement":[{"Effect":"Allow","Action":"cams:*","Resource":"*","Condition":{}}]}"#,
        )
        .unwrap();
        assert_eq!(
            only_conditional.evaluate("cams:ListPhoneMessageQrdl", RES),
            Decision::ImplicitDeny
        );
    }

    #[test]
    fn resource_patterns_matter() {
        let p = SessionPolicy::parse(
            r#"{"Version":"1","Statement":[{"Effect":"Allow","Action":"*","Resource":["acs:oss:*:*:*"]}]}"#,
        )
        .unwrap();
        assert_eq!(
            p.evaluate("cams:CreatePhoneMessageQrdl", RES),
            Decision::ImplicitDeny
        );
    }

    #[test]
    fn grammar_errors() {
        for bad in [
            "",
            "not json",
            "[]",
            r#"{"Statement":[{"Effect":"Allow","Action":"*","Resource":"*"}]}"#,
            r#"{"Version":"2","Statement":[{"Effect":"Allow","Action":"*","Resource":"*"}]}"#,
            r#"{"Version":"1","Statement":[]}"#,
            r#"{"Version":"1","Statement":[{"Effect":"allow","Action":"*","Resource":"*"}]}"#,
            r#"{"Version":"1","Statement":[{"Effect":"Allow","Resource":"*"}]}"#,
            r#"{"Version":"1","Statement":[{"Effect":"Allow","Action":[],"Resource":"*"}]}"#,
            r#"{"Version":"1","Statement":[{"Effect":"Allow","Action":"Create","Resource":"*"}]}"#,
            r#"{"Version":"1","Statement":[{"Effect":"Allow","Action":"cams:*"}]}"#,
            r#"{"Version":"1","Statement":[{"Effect":"Allow","Action":[1],"Resource":"*"}]}"#,
            r#"{"Version":"1","Statement":[{"Effect":"Allow","NotAction":"cams:*","Resource":"*"}]}"#,
        ] {
            assert!(SessionPolicy::parse(bad).is_err(), "{bad}");
        }
    }
}
