//! What a catalog run shows: one line per connector, the summary table (documents through
//! each step, failures grouped by cause, notes grouped by construct, times), and the full
//! Markdown report with every failure's message and every note.

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::time::Duration;

use super::{Connector, Step};

/// How long each part of the run took.
pub struct Timing {
    /// The whole run.
    pub total: Duration,
    /// Import and generation of every document.
    pub import: Duration,
    /// Paging every resource.
    pub paging: Duration,
    /// The build, when there was one (it overlaps the paging).
    pub compile: Option<Duration>,
}

/// The counts of the summary table.
pub struct Summary {
    /// The table, as printed.
    pub table: String,
}

/// Prints one line per connector and the summary; returns the summary for the report.
pub fn print(connectors: &[Connector], timing: &Timing) -> Summary {
    for connector in connectors {
        println!("{}", line(connector));
    }
    let table = summary(connectors, timing);
    println!("\n{table}");
    Summary { table }
}

/// One connector's line: its verdict, how far it got and, on failure, the first cause.
fn line(c: &Connector) -> String {
    let name = c
        .file
        .rsplit('/')
        .next()
        .unwrap_or(&c.file)
        .trim_end_matches(".md");
    if let Some(reason) = &c.invalid {
        let first = c
            .failures
            .first()
            .and_then(|f| f.detail.lines().next())
            .unwrap_or_default();
        return format!("rejected {name:<36} {reason}: {first}");
    }
    let verdict = if c.failures.is_empty() { "ok" } else { "FAIL" };
    let paged = c.runs.iter().filter(|r| r.error.is_none()).count();
    let records: usize = c.runs.iter().map(|r| r.records).sum();
    let compiled = match c.compiled {
        Some(true) => "compiled",
        Some(false) => "NOT compiled",
        None if c.generated => "(not built)",
        None => "-",
    };
    let mut text = format!(
        "{verdict:<8} {name:<36} {} {} {compiled:<12} paged {paged}/{} resources, {records} records",
        if c.imported {
            "imported"
        } else {
            "NOT imported"
        },
        if c.generated {
            "generated"
        } else {
            "NOT generated"
        },
        c.runs.len(),
    );
    if let Some(first) = c.failures.first() {
        let _ = write!(text, "  [{}: {}]", first.step.name(), first.cause);
    }
    text
}

/// The summary table: documents through each step, failures by cause, notes, times.
fn summary(connectors: &[Connector], timing: &Timing) -> String {
    let valid: Vec<&Connector> = connectors.iter().filter(|c| c.invalid.is_none()).collect();
    let rejected = connectors.len() - valid.len();
    let located = connectors
        .iter()
        .filter(|c| c.invalid.is_some() && c.located)
        .count();
    let count = |f: &dyn Fn(&Connector) -> bool| valid.iter().filter(|c| f(c)).count();
    let resources: usize = valid.iter().map(|c| c.runs.len()).sum();
    let resources_paged: usize = valid
        .iter()
        .flat_map(|c| &c.runs)
        .filter(|r| r.error.is_none())
        .count();
    let records: usize = valid.iter().flat_map(|c| &c.runs).map(|r| r.records).sum();
    let mut out = String::new();
    let _ = writeln!(out, "| documents | {} |", connectors.len());
    let _ = writeln!(out, "|---|---|");
    let _ = writeln!(
        out,
        "| rejected: not a config that runs (nothing written) | {rejected} ({located} with file:line:column) |"
    );
    let _ = writeln!(out, "| valid configs | {} |", valid.len());
    let _ = writeln!(out, "| imported | {} |", count(&|c| c.imported));
    let _ = writeln!(out, "| generated | {} |", count(&|c| c.generated));
    let _ = writeln!(
        out,
        "| compiled | {} |",
        count(&|c| c.compiled == Some(true))
    );
    let _ = writeln!(
        out,
        "| paged (every resource) | {} |",
        count(&|c| c.paged())
    );
    let _ = writeln!(
        out,
        "| resources paged | {resources_paged} of {resources} ({records} records) |"
    );
    let _ = writeln!(
        out,
        "| valid configs that failed a step | {} |",
        count(&|c| !c.failures.is_empty())
    );

    let mut causes: BTreeMap<(Step, String), Vec<&str>> = BTreeMap::new();
    for c in &valid {
        let mut seen = Vec::new();
        for f in &c.failures {
            let key = (f.step, f.cause.clone());
            if !seen.contains(&key) {
                causes.entry(key.clone()).or_default().push(&c.api);
                seen.push(key);
            }
        }
    }
    if !causes.is_empty() {
        let _ = writeln!(out, "\nfailures of valid configs, by cause:\n");
        let _ = writeln!(out, "| step | cause | connectors | e.g. |");
        let _ = writeln!(out, "|---|---|---|---|");
        let mut rows: Vec<_> = causes.into_iter().collect();
        rows.sort_by(|a, b| a.0.0.cmp(&b.0.0).then(b.1.len().cmp(&a.1.len())));
        for ((step, cause), apis) in rows {
            let examples: Vec<&str> = apis.iter().take(3).copied().collect();
            let _ = writeln!(
                out,
                "| {} | {} | {} | {} |",
                step.name(),
                cell(&cause),
                apis.len(),
                examples.join(", ")
            );
        }
    }

    let mut reasons: BTreeMap<&str, usize> = BTreeMap::new();
    for c in connectors {
        if let Some(reason) = &c.invalid {
            *reasons.entry(reason.as_str()).or_default() += 1;
        }
    }
    if !reasons.is_empty() {
        let _ = writeln!(out, "\nrejected inputs, by reason:\n");
        let _ = writeln!(out, "| reason | documents |");
        let _ = writeln!(out, "|---|---|");
        for (reason, n) in reasons {
            let _ = writeln!(out, "| {} | {n} |", cell(reason));
        }
    }

    let mut notes: BTreeMap<&str, (usize, usize)> = BTreeMap::new();
    for c in &valid {
        let mut seen = Vec::new();
        for note in &c.notes {
            let entry = notes.entry(note.code).or_default();
            entry.0 += 1;
            if !seen.contains(&note.code) {
                entry.1 += 1;
                seen.push(note.code);
            }
        }
    }
    if !notes.is_empty() {
        let _ = writeln!(out, "\nimporter notes, by construct:\n");
        let _ = writeln!(out, "| construct | notes | connectors |");
        let _ = writeln!(out, "|---|---|---|");
        for (code, (n, in_connectors)) in notes {
            let _ = writeln!(out, "| {code} | {n} | {in_connectors} |");
        }
    }

    let mut slowest: Vec<(&str, &super::ResourceRun)> = valid
        .iter()
        .flat_map(|c| c.runs.iter().map(move |r| (c.api.as_str(), r)))
        .collect();
    slowest.sort_by_key(|r| std::cmp::Reverse(r.1.elapsed));
    let slow: Vec<String> = slowest
        .iter()
        .take(5)
        .map(|(api, r)| {
            format!(
                "{api}.{} {:.1} s ({} records)",
                r.resource,
                r.elapsed.as_secs_f64(),
                r.records
            )
        })
        .collect();
    if !slow.is_empty() {
        let _ = writeln!(out, "\nslowest resources: {}", slow.join(", "));
    }
    let _ = writeln!(
        out,
        "\nwall time {:.1} s: import and generate {:.1} s, paging {:.1} s{}",
        timing.total.as_secs_f64(),
        timing.import.as_secs_f64(),
        timing.paging.as_secs_f64(),
        timing
            .compile
            .map(|d| format!(", cargo build {:.1} s (while paging)", d.as_secs_f64()))
            .unwrap_or_else(|| ", no build".into()),
    );
    out
}

/// Text fit for a Markdown table cell.
fn cell(text: &str) -> String {
    text.replace('|', "\\|").replace('\n', " ")
}

/// The full report: the summary, then every connector with its failures and notes.
pub fn markdown(connectors: &[Connector], timing: &Timing, summary: &Summary) -> String {
    let _ = timing;
    let mut out = String::new();
    let _ = writeln!(out, "# Catalog run\n");
    let _ = writeln!(
        out,
        "Written by `cargo xtask catalog`: every document imported, generated into a scratch \
         workspace, compiled in one build, and every resource paged through the spec-driven mock.\n"
    );
    out.push_str(&summary.table);
    let _ = writeln!(out, "\n## Connectors\n");
    for c in connectors {
        let _ = writeln!(out, "### {}\n", c.api);
        let _ = writeln!(out, "`{}`\n", line(c).trim_end());
        for f in &c.failures {
            let _ = writeln!(out, "- {} failed: {}\n", f.step.name(), f.cause);
            let _ = writeln!(out, "```text\n{}\n```\n", f.detail.trim_end());
        }
        if !c.runs.is_empty() {
            let runs: Vec<String> = c
                .runs
                .iter()
                .map(|r| {
                    format!(
                        "{} ({} records, {} requests{})",
                        r.resource,
                        r.records,
                        r.requests,
                        if r.error.is_some() { ", FAILED" } else { "" }
                    )
                })
                .collect();
            let _ = writeln!(out, "Resources: {}\n", runs.join(", "));
        }
        if !c.notes.is_empty() {
            let _ = writeln!(out, "Notes:\n");
            for note in &c.notes {
                let _ = writeln!(out, "- `{}` {}", note.code, note);
            }
            out.push('\n');
        }
    }
    out
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    /// A rejected document counts as located when its diagnostic names a line and column,
    /// whatever its rendered text starts with (it starts with `error: <message>`).
    #[test]
    fn located_rejections_are_counted_from_the_diagnostic() {
        let dir = tempfile::tempdir().unwrap();
        let broken = dir.path().join("broken.md");
        std::fs::write(
            &broken,
            "# Broken\n\n```python\nsource = rest_api_source({\n    \"client\": {,\n})\n```\n",
        )
        .unwrap();
        let no_code = dir.path().join("prose.md");
        std::fs::write(&no_code, "# Only prose\n\nNo code block here.\n").unwrap();
        let out = dir.path().join("out");
        let connectors: Vec<Connector> = [&broken, &no_code]
            .iter()
            .map(|p| super::super::import_and_generate(p, &out).unwrap().0)
            .collect();
        assert!(
            connectors.iter().all(|c| c.invalid.is_some()),
            "{connectors:?}"
        );
        let timing = Timing {
            total: Duration::ZERO,
            import: Duration::ZERO,
            paging: Duration::ZERO,
            compile: None,
        };
        let table = summary(&connectors, &timing);
        assert!(table.contains("| 2 (1 with file:line:column) |"), "{table}");
    }
}
