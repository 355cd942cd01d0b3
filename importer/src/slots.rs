//! Where a value sits in the config decides what code there means: plain data (code is an
//! error), an auth credential (a variable is read as a secret), or a place where dlt takes an
//! object built in code (left for the user to fill in). Also the words for each kind of
//! code, and the keys dropped because they only hold code.

use ruff_python_ast::Expr;

/// One step of the path from the config's root to a value.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Seg {
    /// A dict key.
    Key(String),
    /// A list index.
    Index(usize),
}

/// What a position in the config may hold besides plain data, which decides what happens to
/// a value that needs the code to run.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Slot {
    /// Data only: code there is an error.
    Plain,
    /// A credential of an auth block: a bare variable is read as the secret of that name.
    Credential,
    /// dlt takes an object built in code here: it is left for the user to fill in. The
    /// object in words, and what to write instead.
    Object(&'static str, &'static str),
}

const CREDENTIALS: &[&str] = &[
    "token",
    "api_key",
    "username",
    "password",
    "client_id",
    "client_secret",
];

/// Keys under which dlt takes an object built in code: the key (or, for `[..]`, the list
/// whose items are such objects), what the object is, and what to write instead.
const OBJECT_SLOTS: &[(&str, &str, &str)] = &[
    (
        "auth",
        "an auth object",
        "an auth block (type bearer, api_key, http_basic or oauth2_client_credentials; see docs/dialect.md)",
    ),
    (
        "paginator",
        "a paginator object",
        "a paginator block with a `type` (see docs/dialect.md)",
    ),
    (
        "incremental",
        "an incremental object",
        "an incremental block (`cursor_path`, `initial_value`, ...)",
    ),
    (
        "action",
        "a response action function",
        "`action: ignore`, the action restgen runs",
    ),
    (
        "convert",
        "a function",
        "a literal value, or remove the key",
    ),
    (
        "transform",
        "a function",
        "a literal value, or remove the key",
    ),
    (
        "last_value_func",
        "a function",
        "a literal value, or remove the key",
    ),
    (
        "table_name",
        "a function",
        "a literal value, or remove the key",
    ),
    (
        "columns",
        "column hints built in code",
        "a dict of column hints",
    ),
    (
        "response_actions[..]",
        "a response action function",
        "`{status_code: .., action: ignore}`",
    ),
    (
        "resources[..]",
        "a resource built in code",
        "a resource dict (`name`, `endpoint`)",
    ),
];

/// The slot of the value at `path`.
pub fn slot_of(path: &[Seg]) -> Slot {
    let slot = match path {
        [.., Seg::Key(list), Seg::Index(_)] => format!("{list}[..]"),
        [.., Seg::Key(key)] => key.clone(),
        _ => return Slot::Plain,
    };
    if let Some((_, what, replace)) = OBJECT_SLOTS.iter().find(|(key, ..)| *key == slot) {
        return Slot::Object(what, replace);
    }
    let in_auth = path.iter().any(|s| *s == Seg::Key("auth".into()));
    if in_auth && CREDENTIALS.contains(&slot.as_str()) {
        Slot::Credential
    } else {
        Slot::Plain
    }
}

/// The last name of a callee or attribute chain: `dlt.sources.incremental` -> `incremental`.
pub fn last_name(expr: &Expr) -> Option<&str> {
    match expr {
        Expr::Name(n) => Some(n.id.as_str()),
        Expr::Attribute(a) => Some(a.attr.as_str()),
        _ => None,
    }
}

/// Why the key `key` of the dict at `path` is left out of the spec, when it is: it holds
/// code restgen has no counterpart for.
pub fn dropped(path: &[Seg], key: &str) -> Option<&'static str> {
    let in_resource = matches!(
        path,
        [Seg::Key(k)] if k == "resource_defaults"
    ) || matches!(path, [Seg::Key(k), Seg::Index(_)] if k == "resources");
    match key {
        "session" if path == [Seg::Key("client".into())] => Some(
            "a requests session is built in code; the generated client has its own HTTP stack, with timeouts and retries",
        ),
        "processing_steps" if in_resource => Some(
            "none of its steps is an expression restgen reads (a filter lambda over the record); write them as `filter` / `map` steps (docs/dialect.md), or filter and map the records where you read them",
        ),
        _ => None,
    }
}

/// What a non-static expression is, and what to write instead.
pub fn describe(expr: &Expr) -> (String, &'static str) {
    let data = "write the value it stands for as a literal";
    match expr {
        Expr::Name(n) => (
            format!("the variable `{}`", n.id),
            "write its value here, or `dlt.secrets[\"name\"]` / `dlt.config[\"name\"]` if it comes from dlt's configuration",
        ),
        Expr::Call(c) => (
            format!("a call to `{}`", last_name(&c.func).unwrap_or("a function")),
            "only `dlt.secrets[...]` and `dlt.config[...]` are read without running the code; write the value the call returns",
        ),
        Expr::Lambda(_) => (
            "a lambda".into(),
            "a spec holds data, not code; remove it, or say what it does with restgen's dialect (docs/dialect.md)",
        ),
        Expr::FString(_) | Expr::TString(_) => (
            "an f-string".into(),
            "write the finished string; dlt's own placeholders such as `{resources.<parent>.<field>}` belong in a plain string",
        ),
        Expr::BinOp(b) => (format!("the `{}` operation", b.op.as_str()), data),
        Expr::If(_) => (
            "a conditional expression".into(),
            "keep the branch you mean and write it as a literal",
        ),
        Expr::Attribute(_) => ("an attribute".into(), data),
        Expr::Subscript(_) => ("a subscript".into(), data),
        Expr::ListComp(_) | Expr::SetComp(_) | Expr::DictComp(_) | Expr::Generator(_) => {
            ("a comprehension".into(), "write the items out")
        }
        Expr::Starred(_) => ("unpacking".into(), "write the items out"),
        Expr::BoolOp(_) | Expr::Compare(_) | Expr::UnaryOp(_) => ("an operation".into(), data),
        Expr::Set(_) => ("a set".into(), "write a list instead"),
        Expr::BytesLiteral(_) => ("a bytes literal".into(), "write a string instead"),
        _ => ("this expression".into(), data),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn path(keys: &[&str]) -> Vec<Seg> {
        keys.iter().map(|k| Seg::Key(k.to_string())).collect()
    }

    #[test]
    fn slots() {
        assert!(matches!(
            slot_of(&path(&["client", "auth"])),
            Slot::Object(..)
        ));
        assert_eq!(
            slot_of(&path(&["client", "auth", "token"])),
            Slot::Credential
        );
        assert_eq!(slot_of(&path(&["client", "base_url"])), Slot::Plain);
        let mut action = path(&["resources"]);
        action.push(Seg::Index(0));
        assert!(matches!(slot_of(&action), Slot::Object(..)));
        action.extend(path(&["endpoint", "params", "token"]));
        assert_eq!(slot_of(&action), Slot::Plain);
    }
}
