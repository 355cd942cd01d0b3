//! The command line, once for every generated crate's `<crate>_extract` example and for
//! `cargo xtask run` (which flattens [`Options`] into its own flags).

use std::path::PathBuf;

use clap::error::ErrorKind;
use restgen_writers::Format;

/// What the command line asked for.
#[derive(Debug, Clone, PartialEq, Eq, clap::Args)]
pub struct Options {
    /// The resource to extract.
    pub resource: String,
    /// Overrides the spec's base URL (e.g. a local mock).
    #[arg(long, value_name = "URL")]
    pub base_url: Option<String>,
    /// A path argument of a child resource, NAME=VALUE (repeatable).
    #[arg(long = "arg", value_name = "NAME=VALUE", value_parser = name_value)]
    pub args: Vec<(String, String)>,
    /// Runs a child resource for every record of its parent, a partitioned resource for every
    /// value of its list, a windowed resource for every date window (the fan-out).
    #[arg(long)]
    pub all: bool,
    /// How many parents a fan-out walks at once, or pages a resource fetches ahead.
    #[arg(long, value_name = "N", value_parser = at_least_one)]
    pub concurrency: Option<usize>,
    /// Stops after this many records.
    #[arg(long, value_name = "N")]
    pub max_records: Option<usize>,
    /// The incremental state: read at start (the run goes on from it), written atomically
    /// as the run goes and at its end.
    #[arg(long, value_name = "FILE")]
    pub state: Option<PathBuf>,
    /// The output format: jsonl, csv or parquet.
    #[arg(long, value_name = "FORMAT", default_value = "jsonl", value_parser = format)]
    pub format: Format,
    /// Where the records go (default: stdout). The file appears when the run ends.
    #[arg(long, value_name = "PATH")]
    pub out: Option<PathBuf>,
}

/// The command of a generated crate's example: [`Options`] alone.
#[derive(Debug, clap::Parser)]
struct Command {
    #[command(flatten)]
    options: Options,
}

impl Options {
    /// Parses the arguments after the program name `program`; `resources` (the names a
    /// crate offers) goes under the help. A bad command line is a clap error whose
    /// `exit()` prints what was expected and exits with 2.
    pub fn parse_from<I, S>(
        program: &'static str,
        resources: &str,
        args: I,
    ) -> Result<Options, clap::Error>
    where
        I: IntoIterator<Item = S>,
        S: Into<std::ffi::OsString> + Clone,
    {
        use clap::{CommandFactory, FromArgMatches};
        let mut command = Command::command()
            .name(program)
            .after_help(resources.to_string());
        let args = std::iter::once(std::ffi::OsString::from(program))
            .chain(args.into_iter().map(Into::into));
        let matches = command.try_get_matches_from_mut(args)?;
        let options = Command::from_arg_matches(&matches)
            .map_err(|e| e.format(&mut command))?
            .options;
        options.check().map_err(|e| e.format(&mut command))?;
        Ok(options)
    }

    /// Checks what one flag cannot say alone: CSV and Parquet need a file.
    pub fn check(&self) -> Result<(), clap::Error> {
        if self.out.is_none() && self.format != Format::Jsonl {
            return Err(clap::Error::raw(
                ErrorKind::MissingRequiredArgument,
                format!(
                    "--format {} writes a file: pass --out PATH",
                    format_name(self.format)
                ),
            ));
        }
        Ok(())
    }

    /// The value of `--arg name=...`, which the resource needs.
    pub fn arg(&self, name: &str) -> Result<String, String> {
        self.args
            .iter()
            .rev()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.clone())
            .ok_or_else(|| {
                format!(
                    "resource `{}` needs --arg {name}=VALUE (or --all, for every parent, value or window)",
                    self.resource
                )
            })
    }
}

/// The format's name on the command line.
pub(crate) fn format_name(format: Format) -> &'static str {
    match format {
        Format::Jsonl => "jsonl",
        Format::Csv => "csv",
        Format::Parquet => "parquet",
    }
}

fn name_value(text: &str) -> Result<(String, String), String> {
    let (name, value) = text
        .split_once('=')
        .ok_or_else(|| format!("`{text}` is not NAME=VALUE"))?;
    if name.is_empty() {
        return Err(format!("`{text}` has no NAME before `=`"));
    }
    Ok((name.to_string(), value.to_string()))
}

fn at_least_one(text: &str) -> Result<usize, String> {
    match text.parse::<usize>() {
        Ok(n) if n >= 1 => Ok(n),
        _ => Err(format!("`{text}` is not a number of at least 1")),
    }
}

fn format(text: &str) -> Result<Format, String> {
    text.parse()
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    fn parse(args: &[&str]) -> Result<Options, clap::Error> {
        Options::parse_from("x_extract", "resources: users", args)
    }

    #[test]
    fn parses_every_flag_and_the_resource_in_any_order() {
        let options = parse(&[
            "--base-url",
            "http://x/",
            "users",
            "--max-records",
            "3",
            "--arg",
            "id=a=b",
            "--all",
            "--concurrency",
            "4",
            "--state",
            "s.json",
            "--format",
            "parquet",
            "--out",
            "u.parquet",
        ])
        .unwrap();
        assert_eq!(
            options,
            Options {
                resource: "users".into(),
                base_url: Some("http://x/".into()),
                args: vec![("id".into(), "a=b".into())],
                all: true,
                concurrency: Some(4),
                max_records: Some(3),
                state: Some("s.json".into()),
                format: Format::Parquet,
                out: Some("u.parquet".into()),
            }
        );
        assert_eq!(options.arg("id"), Ok("a=b".into()));
        assert_eq!(
            options.arg("other"),
            Err("resource `users` needs --arg other=VALUE (or --all, for every parent, value or window)".into())
        );
    }

    #[test]
    fn defaults_are_jsonl_to_stdout_without_state() {
        let options = parse(&["users"]).unwrap();
        assert_eq!(options.format, Format::Jsonl);
        assert_eq!(
            (options.out, options.state, options.all),
            (None, None, false)
        );
    }

    #[test]
    fn bad_command_lines_exit_2_saying_what_was_expected() {
        for (args, expected) in [
            (&[][..], "<RESOURCE>"),
            (&["users", "--max-records", "x"][..], "--max-records <N>"),
            (&["users", "--arg", "id"][..], "`id` is not NAME=VALUE"),
            (&["users", "--arg", "=v"][..], "has no NAME"),
            (&["users", "--base-url"][..], "--base-url <URL>"),
            (&["users", "contacts"][..], "unexpected argument 'contacts'"),
            (
                &["users", "--verbose"][..],
                "unexpected argument '--verbose'",
            ),
            (&["users", "--concurrency", "0"][..], "at least 1"),
            (
                &["users", "--format", "xml"][..],
                "expected jsonl, csv or parquet",
            ),
            (&["users", "--format", "parquet"][..], "pass --out PATH"),
            (&["users", "--format", "csv"][..], "pass --out PATH"),
        ] {
            let error = parse(args).unwrap_err();
            assert_eq!(error.exit_code(), 2, "{args:?}");
            let text = error.to_string();
            assert!(text.contains(expected), "{args:?}: {text}");
        }
    }

    #[test]
    fn the_benchmarked_command_line_parses() {
        let options = parse(&[
            "users",
            "--format",
            "parquet",
            "--out",
            "F",
            "--base-url",
            "U",
        ])
        .unwrap();
        assert_eq!(options.format, Format::Parquet);
        assert_eq!(options.out, Some("F".into()));
        assert_eq!(options.base_url, Some("U".into()));
    }
}
