//! Checking a request against a plan: its route, its credential and the fixed parameters and
//! headers the spec names.

use crate::oauth::Issued;
use crate::plan::{AuthRule, Rule, Segment};
use crate::state::{Args, Incoming};

/// The arguments a path binds, if it matches the route.
pub fn match_route(route: &[Segment], segments: &[String]) -> Option<Args> {
    if route.len() != segments.len() {
        return None;
    }
    let mut args = Vec::new();
    for (pattern, segment) in route.iter().zip(segments) {
        match pattern {
            Segment::Literal(text) => {
                if text != segment {
                    return None;
                }
            }
            Segment::Arg {
                prefix,
                name,
                suffix,
            } => {
                let value = segment
                    .strip_prefix(prefix.as_str())?
                    .strip_suffix(suffix.as_str())?;
                if value.is_empty() {
                    return None;
                }
                args.push((name.clone(), value.to_string()));
            }
        }
    }
    Some(args)
}

/// A path segment with `%XX` escapes decoded.
pub fn percent_decode(segment: &str) -> String {
    let bytes = segment.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let hex = |b: u8| (b as char).to_digit(16);
        if bytes[i] == b'%'
            && let (Some(h), Some(l)) = (
                bytes.get(i + 1).copied().and_then(hex),
                bytes.get(i + 2).copied().and_then(hex),
            )
        {
            out.push((h * 16 + l) as u8);
            i += 3;
        } else {
            out.push(bytes[i]);
            i += 1;
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// Whether the request carries exactly the credential; the message never shows a credential.
pub fn check_auth(rule: &AuthRule, request: &Incoming, issued: &[Issued]) -> Result<(), String> {
    match rule {
        AuthRule::None => Ok(()),
        AuthRule::OAuth2(endpoint) => {
            let got: Vec<&str> = request
                .headers
                .get_all(http::header::AUTHORIZATION)
                .iter()
                .filter_map(|v| v.to_str().ok())
                .collect();
            let valid = |value: &str| {
                value.strip_prefix("Bearer ").is_some_and(|token| {
                    issued
                        .iter()
                        .any(|i| i.token == token && i.client_id == endpoint.client_id)
                })
            };
            match got.as_slice() {
                [one] if valid(one) => Ok(()),
                [] => Err("missing `authorization` header".into()),
                [_] => Err("not a bearer token this mock issued to the client".into()),
                many => Err(format!(
                    "{} `authorization` headers, expected one",
                    many.len()
                )),
            }
        }
        AuthRule::Session(endpoint) => check_auth(
            &AuthRule::Header {
                name: endpoint.header.clone(),
                value: endpoint.token.clone(),
            },
            request,
            issued,
        ),
        AuthRule::Header { name, value } => {
            let got: Vec<&[u8]> = request
                .headers
                .get_all(name.as_str())
                .iter()
                .map(|v| v.as_bytes())
                .collect();
            match got.as_slice() {
                [one] if *one == value.as_bytes() => Ok(()),
                [] => Err(format!("missing `{name}` header")),
                [_] => Err(format!("wrong credential in the `{name}` header")),
                many => Err(format!("{} `{name}` headers, expected one", many.len())),
            }
        }
        AuthRule::Query { name, value } => {
            let got: Vec<&String> = request
                .query
                .iter()
                .filter(|(k, _)| k == name)
                .map(|(_, v)| v)
                .collect();
            match got.as_slice() {
                [one] if *one == value => Ok(()),
                [] => Err(format!("missing `{name}` query parameter")),
                [_] => Err(format!("wrong credential in the `{name}` query parameter")),
                many => Err(format!(
                    "{} `{name}` query parameters, expected one",
                    many.len()
                )),
            }
        }
        AuthRule::Cookie { name, value } => {
            let wanted = format!("{name}={value}");
            let found = request
                .headers
                .get_all("cookie")
                .iter()
                .filter_map(|v| v.to_str().ok())
                .flat_map(|v| v.split(';'))
                .any(|c| c.trim() == wanted);
            if found {
                Ok(())
            } else {
                Err(format!("missing or wrong `{name}` cookie"))
            }
        }
    }
}

/// Checks the fixed parameters (or headers) and binds the arguments they carry.
pub fn bind_rules(
    rules: &[Rule],
    args: &mut Args,
    values_of: impl Fn(&str) -> Vec<String>,
) -> Result<(), String> {
    for rule in rules {
        match rule {
            Rule::Literal { name, value } => {
                let got = values_of(name);
                if !got.contains(value) {
                    return Err(format!("`{name}` should be `{value}`, got {got:?}"));
                }
            }
            Rule::Arg {
                name,
                prefix,
                arg,
                suffix,
            } => {
                let got = values_of(name);
                let Some(bound) = got.iter().find_map(|v| {
                    v.strip_prefix(prefix.as_str())
                        .and_then(|v| v.strip_suffix(suffix.as_str()))
                        .filter(|v| !v.is_empty())
                }) else {
                    return Err(format!(
                        "`{name}` should be `{prefix}{{{arg}}}{suffix}`, got {got:?}"
                    ));
                };
                if let Some((_, earlier)) = args.iter().find(|(k, _)| k == arg)
                    && earlier != bound
                {
                    return Err(format!(
                        "`{arg}` is `{earlier}` in the path but `{bound}` in `{name}`"
                    ));
                }
                args.push((arg.clone(), bound.to_string()));
            }
            Rule::Present { name } => {
                if values_of(name).is_empty() {
                    return Err(format!("`{name}` is missing"));
                }
            }
        }
    }
    Ok(())
}
