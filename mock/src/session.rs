//! A session login endpoint (Airbyte's `SessionTokenAuthenticator`): it checks the username
//! and password a client posts and answers with the session token the resources then accept.

use std::collections::BTreeMap;

use restgen_runtime::descriptor::ValueRef;
use serde_json::{Value, json};

use crate::error::MockError;
use crate::plan::{FieldPath, value_of};
use crate::records::insert_at;
use crate::state::{Incoming, Outgoing};

/// What a login must carry and what it gets.
#[derive(Clone, PartialEq)]
pub struct SessionEndpoint {
    /// The login path, as requests reach it.
    pub path: String,
    username: String,
    password: String,
    /// Where the token goes in the answer.
    token_at: FieldPath,
    /// The token: the one the client is given, if the mock gives one, else the mock's own.
    pub token: String,
    /// The header the token comes back in (lower case).
    pub header: String,
}

impl std::fmt::Debug for SessionEndpoint {
    // The password and token stay out of every message.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SessionEndpoint")
            .field("path", &self.path)
            .field("header", &self.header)
            .finish_non_exhaustive()
    }
}

/// The parts of a session auth the mock needs, as the spec has them.
pub struct SessionSpec<'a> {
    pub path: String,
    pub username: &'a ValueRef,
    pub password: &'a ValueRef,
    pub token_at: FieldPath,
    pub header: &'a str,
    pub session_token: Option<&'a ValueRef>,
}

impl SessionEndpoint {
    /// The endpoint of `resource`'s session auth; `values` gives the credentials.
    pub fn new(
        resource: &str,
        spec: SessionSpec<'_>,
        values: &BTreeMap<String, String>,
    ) -> Result<SessionEndpoint, MockError> {
        // a token the client is given is one it sends without logging in: the same one
        let token = match spec.session_token {
            Some(token) => value_of(resource, token, values).ok(),
            None => None,
        };
        Ok(SessionEndpoint {
            path: spec.path,
            username: value_of(resource, spec.username, values)?,
            password: value_of(resource, spec.password, values)?,
            token_at: spec.token_at,
            token: token.unwrap_or_else(|| format!("session-{resource}")),
            header: spec.header.to_ascii_lowercase(),
        })
    }

    /// Answers a login: the token for the right username and password, else 401.
    pub fn answer(&self, request: &Incoming) -> Result<Outgoing, String> {
        let body: Value = serde_json::from_slice(&request.body)
            .map_err(|_| "the login body is not JSON".to_string())?;
        let field = |name: &str| body.get(name).and_then(Value::as_str);
        if field("username") != Some(self.username.as_str())
            || field("password") != Some(self.password.as_str())
        {
            return Err("wrong username or password".into());
        }
        let mut answer = json!({});
        insert_at(
            &mut answer,
            &self.token_at,
            Value::String(self.token.clone()),
        );
        Ok(Outgoing::json(200, &answer))
    }
}
