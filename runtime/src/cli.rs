//! The command line of every generated crate's `<crate>_extract` example, written once:
//! `<resource> [--base-url URL] [--max-records N] [--arg NAME=VALUE]...`, records printed as
//! JSON lines on stdout, the count on stderr. A generated example only lists its resources
//! (one match arm each) and how to build its blocking client. Standard library only.
//!
//! `cargo xtask run` parses more flags (`--token-url`, a spec folder) with clap, so it keeps
//! its own parser.

use std::io::Write;
use std::process::ExitCode;

use serde::Serialize;
use serde::de::DeserializeOwned;

use crate::blocking::BlockingRequest;

/// What the command line asked for.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Options {
    /// The resource to stream.
    pub resource: String,
    /// `--base-url`: overrides the spec's base URL.
    pub base_url: Option<String>,
    /// `--max-records`: stop after this many records.
    pub max_records: Option<usize>,
    /// `--arg NAME=VALUE`, in order: the resource's path arguments.
    pub args: Vec<(String, String)>,
}

impl Options {
    /// Parses the arguments after the program name.
    pub fn parse(args: impl IntoIterator<Item = String>) -> Result<Self, String> {
        let mut args = args.into_iter();
        let mut options = Options::default();
        while let Some(arg) = args.next() {
            match arg.as_str() {
                "--base-url" => {
                    options.base_url = Some(args.next().ok_or("--base-url needs a URL")?);
                }
                "--max-records" => {
                    let n = args.next().ok_or("--max-records needs a number")?;
                    let n = n
                        .parse()
                        .map_err(|_| format!("--max-records: `{n}` is not a number"))?;
                    options.max_records = Some(n);
                }
                "--arg" => {
                    let pair = args.next().ok_or("--arg needs NAME=VALUE")?;
                    let (name, value) = pair
                        .split_once('=')
                        .ok_or(format!("--arg: `{pair}` is not NAME=VALUE"))?;
                    options.args.push((name.to_string(), value.to_string()));
                }
                other if options.resource.is_empty() && !other.starts_with('-') => {
                    options.resource = other.to_string();
                }
                other => return Err(format!("unexpected argument `{other}`")),
            }
        }
        if options.resource.is_empty() {
            return Err("which resource?".to_string());
        }
        Ok(options)
    }

    /// The value of `--arg name=...`, which the resource needs.
    pub fn arg(&self, name: &str) -> Result<String, String> {
        self.args
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.clone())
            .ok_or_else(|| format!("resource `{}` needs --arg {name}=VALUE", self.resource))
    }
}

/// Streams `request` to stdout as JSON lines, honouring `--max-records`; the record count.
pub fn print<T: Serialize + DeserializeOwned + Send + 'static>(
    request: BlockingRequest<T>,
    options: &Options,
) -> Result<usize, String> {
    let request = match options.max_records {
        Some(n) => request.max_records(n),
        None => request,
    };
    let stdout = std::io::stdout();
    let mut out = stdout.lock();
    let mut count = 0;
    for record in request.iter() {
        let record = record.map_err(|e| e.to_string())?;
        let line = serde_json::to_string(&record).map_err(|e| e.to_string())?;
        writeln!(out, "{line}").map_err(|e| e.to_string())?;
        count += 1;
    }
    Ok(count)
}

/// The error for a resource name no arm matched.
pub fn unknown_resource(name: &str, usage: &str) -> String {
    format!("unknown resource `{name}`\n{usage}")
}

/// Runs the command line: parses `std::env::args`, builds the client with `build` (given
/// `--base-url`), streams the resource with `run`. Exit code 2 on a bad command line, 1 on
/// an error, which is printed.
pub fn main<C>(
    usage: &str,
    build: impl FnOnce(Option<String>) -> Result<C, crate::Error>,
    run: impl FnOnce(&C, &Options) -> Result<usize, String>,
) -> ExitCode {
    let options = match Options::parse(std::env::args().skip(1)) {
        Ok(options) => options,
        Err(e) => {
            eprintln!("{e}\n{usage}");
            return ExitCode::from(2);
        }
    };
    let client = match build(options.base_url.clone()) {
        Ok(client) => client,
        Err(e) => {
            eprintln!("error: {e}");
            return ExitCode::FAILURE;
        }
    };
    match run(&client, &options) {
        Ok(count) => {
            eprintln!("{count} records");
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("error: {e}");
            ExitCode::FAILURE
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(args: &[&str]) -> Result<Options, String> {
        Options::parse(args.iter().map(ToString::to_string))
    }

    #[test]
    fn parses_the_flags_and_the_resource_in_any_order() {
        let options = parse(&[
            "--base-url",
            "http://x/",
            "users",
            "--max-records",
            "3",
            "--arg",
            "id=a=b",
        ]);
        assert_eq!(
            options,
            Ok(Options {
                resource: "users".into(),
                base_url: Some("http://x/".into()),
                max_records: Some(3),
                args: vec![("id".into(), "a=b".into())],
            })
        );
        let Ok(options) = options else { return };
        assert_eq!(options.arg("id"), Ok("a=b".into()));
        assert_eq!(
            options.arg("other"),
            Err("resource `users` needs --arg other=VALUE".into())
        );
    }

    #[test]
    fn bad_command_lines_say_what_is_wrong() {
        for (args, error) in [
            (&[][..], "which resource?"),
            (
                &["users", "--max-records", "x"][..],
                "--max-records: `x` is not a number",
            ),
            (
                &["users", "--arg", "id"][..],
                "--arg: `id` is not NAME=VALUE",
            ),
            (&["users", "--base-url"][..], "--base-url needs a URL"),
            (&["users", "contacts"][..], "unexpected argument `contacts`"),
            (&["--verbose"][..], "unexpected argument `--verbose`"),
        ] {
            assert_eq!(parse(args), Err(error.to_string()), "{args:?}");
        }
    }
}
