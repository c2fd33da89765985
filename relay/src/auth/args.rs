//! The command-line flags of tiers and sign-in (flattened into [`crate::cli::Cli`]; the shared
//! bearer token, `--auth-token`, is the CLI's own).

use clap::Args;

use crate::auth::jwt::{JwksSource, JwtSettings};
use crate::auth::tiers::ActionSet;
use crate::config::Mode;

/// Flags of `/sts`'s tiers and sign-in.
#[derive(Clone, Debug, Default, PartialEq, Eq, Args)]
pub struct AuthArgs {
    /// What callers who do not sign in may do: none, or a comma-separated list of create and list
    /// (update and delete always need a signed-in caller). [default: create; none when
    /// --auth-token or --auth-jwks is set; all four actions in emulate mode]
    #[arg(long, value_name = "none|create[,list]", value_parser = ActionSet::parse)]
    pub anonymous_actions: Option<ActionSet>,

    /// The dashboard's identity provider's public keys (a JWKS), as an https URL or @FILE: a JWT
    /// it signed (Authorization: Bearer <jwt>) signs a caller in, its `sub` becoming the STS
    /// session name. Needs --auth-issuer and --auth-audience.
    #[arg(long, value_name = "URL|@FILE")]
    pub auth_jwks: Option<String>,

    /// The `iss` a JWT must carry (with --auth-jwks).
    #[arg(long, value_name = "ISSUER")]
    pub auth_issuer: Option<String>,

    /// The `aud` a JWT must carry (with --auth-jwks).
    #[arg(long, value_name = "AUDIENCE")]
    pub auth_audience: Option<String>,
}

impl AuthArgs {
    /// The JWT settings, when `--auth-jwks` is given; the error names what is missing.
    pub fn jwt_settings(&self) -> Result<Option<JwtSettings>, String> {
        fn given(v: &Option<String>) -> Option<&str> {
            v.as_deref().map(str::trim).filter(|s| !s.is_empty())
        }
        match (
            given(&self.auth_jwks),
            given(&self.auth_issuer),
            given(&self.auth_audience),
        ) {
            (None, None, None) => Ok(None),
            (Some(jwks), Some(issuer), Some(audience)) => Ok(Some(JwtSettings {
                source: JwksSource::parse(jwks)?,
                issuer: issuer.to_owned(),
                audience: audience.to_owned(),
            })),
            (None, _, _) => Err("--auth-issuer and --auth-audience need --auth-jwks".into()),
            _ => Err(
                "--auth-jwks needs --auth-issuer and --auth-audience: a token from the right \
                 identity provider meant for another application must not sign anyone in"
                    .into(),
            ),
        }
    }

    /// What anonymous callers may do: the flag, else the mode's default. The error says why a
    /// production relay refuses the setting.
    pub fn anonymous(&self, mode: Mode, has_sign_in: bool) -> Result<ActionSet, String> {
        let set = match self.anonymous_actions {
            Some(set) => set,
            None if has_sign_in => ActionSet::NONE,
            None if mode == Mode::Emulate => ActionSet::ALL,
            None => ActionSet::CREATE,
        };
        if mode == Mode::Production && set.changes_existing_codes() {
            return Err(format!(
                "--anonymous-actions {set}: update and delete need a signed-in caller (--auth-token \
                 or --auth-jwks); anonymous callers may create and list at most. CAMS cannot \
                 limit them to their own codes, so an anonymous delete could delete anyone's."
            ));
        }
        if set.is_empty() && !has_sign_in {
            return Err(
                "--anonymous-actions none with neither --auth-token nor --auth-jwks: nobody could \
                 get credentials. Allow anonymous callers to create, or set a sign-in."
                    .into(),
            );
        }
        Ok(set)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn args(anonymous: Option<&str>) -> AuthArgs {
        AuthArgs {
            anonymous_actions: anonymous.map(|a| ActionSet::parse(a).unwrap()),
            ..AuthArgs::default()
        }
    }

    #[test]
    fn the_anonymous_default_depends_on_the_mode_and_sign_in() {
        assert_eq!(
            args(None).anonymous(Mode::Production, false),
            Ok(ActionSet::CREATE)
        );
        assert_eq!(
            args(None).anonymous(Mode::Production, true),
            Ok(ActionSet::NONE)
        );
        assert_eq!(
            args(None).anonymous(Mode::Emulate, false),
            Ok(ActionSet::ALL)
        );
        assert_eq!(
            args(Some("create,list")).anonymous(Mode::Production, true),
            Ok(ActionSet::parse("create,list").unwrap())
        );
    }

    #[test]
    fn production_never_lets_anonymous_callers_change_codes() {
        for bad in ["delete", "create,update", "all"] {
            let e = args(Some(bad))
                .anonymous(Mode::Production, true)
                .unwrap_err();
            assert!(e.contains("--anonymous-actions"), "{e}");
        }
        assert!(args(Some("all")).anonymous(Mode::Emulate, false).is_ok());
        let e = args(Some("none"))
            .anonymous(Mode::Production, false)
            .unwrap_err();
        assert!(e.contains("nobody"), "{e}");
    }

    #[test]
    fn jwt_flags_come_together() {
        let a = AuthArgs {
            auth_jwks: Some("https://idp.example.com/jwks".into()),
            auth_issuer: Some("https://idp.example.com/".into()),
            auth_audience: Some("cams-relay".into()),
            ..AuthArgs::default()
        };
        assert!(a.jwt_settings().unwrap().is_some());
        let partial = AuthArgs {
            auth_audience: None,
            ..a.clone()
        };
        assert!(partial
            .jwt_settings()
            .unwrap_err()
            .contains("--auth-audience"));
        let orphan = AuthArgs {
            auth_jwks: None,
            ..a
        };
        assert!(orphan.jwt_settings().is_err());
        assert_eq!(AuthArgs::default().jwt_settings(), Ok(None));
    }
}
