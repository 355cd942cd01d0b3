//! `cargo xtask demo`: on a machine with no credentials, starts the spec-driven mock of each
//! of the five specs and pages every resource through its generated client (children through
//! `<child>_all()`, over every parent), printing progress, then a table of records, pages and
//! time per resource. Exits non-zero if any resource failed.

mod apis;

use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Duration;

use clap::Parser;

use apis::{Row, Settings};

/// Every resource of the five specs, through the generated clients, against the mock.
#[derive(Parser)]
#[command(name = "cargo xtask demo")]
struct Cli {
    /// Records per resource (per parent, for a child).
    #[arg(long, default_value_t = 25)]
    records: usize,
    /// The seed of the records.
    #[arg(long, default_value_t = 7)]
    seed: u64,
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    // the specs live next to this crate
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("..");
    let settings = Settings {
        records: cli.records,
        seed: cli.seed,
    };
    let rows = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .map_err(anyhow::Error::from)
        .and_then(|runtime| runtime.block_on(apis::run_all(&root, settings)));
    match rows {
        Ok(rows) => {
            print!("{}", table(&rows));
            if rows.iter().any(|r| r.problem.is_some()) {
                ExitCode::FAILURE
            } else {
                ExitCode::SUCCESS
            }
        }
        Err(e) => {
            eprintln!("error: {e:#}");
            ExitCode::FAILURE
        }
    }
}

/// The rows as a table with a total, problems after it.
fn table(rows: &[Row]) -> String {
    let width = rows
        .iter()
        .map(|r| r.name.len())
        .chain([8])
        .max()
        .unwrap_or(8);
    let mut out = format!(
        "\n{:<width$}  {:>8}  {:>6}  {:>9}\n",
        "resource", "records", "pages", "time"
    );
    out.push_str(&format!("{}\n", "-".repeat(width + 29)));
    for row in rows {
        let mark = if row.problem.is_some() {
            "  FAILED"
        } else {
            ""
        };
        out.push_str(&format!(
            "{:<width$}  {:>8}  {:>6}  {:>9}{mark}\n",
            row.name,
            row.records,
            row.pages,
            millis(row.time)
        ));
    }
    out.push_str(&format!("{}\n", "-".repeat(width + 29)));
    out.push_str(&format!(
        "{:<width$}  {:>8}  {:>6}  {:>9}\n",
        format!("{} resources", rows.len()),
        rows.iter().map(|r| r.records).sum::<usize>(),
        rows.iter().map(|r| r.pages).sum::<usize>(),
        millis(rows.iter().map(|r| r.time).sum())
    ));
    for row in rows {
        if let Some(problem) = &row.problem {
            out.push_str(&format!("\n{}: {problem}\n", row.name));
        }
    }
    out
}

/// A duration in milliseconds, one decimal.
fn millis(time: Duration) -> String {
    format!("{:.1} ms", time.as_secs_f64() * 1000.0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_table_totals_and_names_the_failures() {
        let rows = [
            Row {
                name: "esign.contacts".into(),
                records: 25,
                pages: 3,
                time: Duration::from_micros(1500),
                problem: None,
            },
            Row {
                name: "esign.labels".into(),
                records: 0,
                pages: 0,
                time: Duration::ZERO,
                problem: Some("HTTP 500".into()),
            },
        ];
        let shown = table(&rows);
        assert!(
            shown.contains("esign.contacts        25       3     1.5 ms\n"),
            "{shown}"
        );
        assert!(
            shown.contains("esign.labels           0       0     0.0 ms  FAILED\n"),
            "{shown}"
        );
        assert!(
            shown.contains("2 resources           25       3     1.5 ms\n"),
            "{shown}"
        );
        assert!(shown.ends_with("\nesign.labels: HTTP 500\n"), "{shown}");
    }
}
