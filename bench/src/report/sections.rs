//! The report's tables: a row per scenario, a column per contender.

use std::fmt::Write;

use crate::chart::human;
use crate::suite::{Group, Kind, Scenario};

use super::{BYTES, HANDWRITTEN, Outcome, RESTGEN, Run, n_label, ratio, same, show_ratio};

/// Columns of a scenario row before the entrants' (`N`, `page`, ...).
type Lead<'a> = (&'a [&'a str], &'a dyn Fn(&Scenario) -> Vec<String>);

/// A table with a row per scenario: its `lead` columns, one `cell` per entrant, then `tail`.
fn table(
    md: &mut String,
    run: &Run,
    scenarios: &[&Scenario],
    lead: Lead<'_>,
    cell: &dyn Fn(&Outcome) -> String,
    tail: Lead<'_>,
) {
    let entrants = run.entrants(scenarios);
    let mut header = String::from("|");
    for name in lead.0 {
        let _ = write!(header, " {name} |");
    }
    for e in &entrants {
        let _ = write!(header, " {} |", e.label());
    }
    for name in tail.0 {
        let _ = write!(header, " {name} |");
    }
    let columns = lead.0.len() + entrants.len() + tail.0.len();
    let _ = writeln!(md, "{header}\n|{}", "---|".repeat(columns));
    for s in scenarios {
        let mut row: Vec<String> = lead.1(s);
        row.extend(
            entrants
                .iter()
                .map(|e| run.find(s, e.kind, e.concurrency).map_or("–".into(), cell)),
        );
        row.extend(tail.1(s));
        let _ = writeln!(md, "| {} |", row.join(" | "));
    }
    let _ = writeln!(md);
}

/// `N | page | style` of a scenario.
fn sizes(s: &Scenario) -> Vec<String> {
    vec![
        n_label(s.records),
        s.page_size.to_string(),
        s.style.as_str().to_string(),
    ]
}

const SIZES: &[&str] = &["N", "page", "style"];

fn no_tail(_: &Scenario) -> Vec<String> {
    Vec::new()
}

pub(super) fn throughput_section(run: &Run, md: &mut String, svg_name: &str) {
    let scenarios = run.scenarios(Group::Throughput);
    if scenarios.is_empty() {
        return;
    }
    let _ = writeln!(md, "## Throughput, zero latency\n");
    let _ = writeln!(md, "![records per second]({svg_name})\n");
    let _ = writeln!(
        md,
        "Records per second (median). `×4` is the generated client with `.concurrency(4)`: \
         two pages decoding at once, and for offset and page_number up to four requests in \
         flight. Ratios compare the generated client at its default settings (one page \
         decoding, the next request in flight).\n"
    );
    let ratios = |s: &Scenario| {
        let restgen = run.find(s, RESTGEN, 1);
        let spread = run
            .outcomes
            .iter()
            .filter(|o| same(&o.scenario, s))
            .map(Outcome::spread)
            .fold(0.0, f64::max);
        vec![
            show_ratio(ratio(restgen, run.find(s, HANDWRITTEN, 1))),
            show_ratio(ratio(restgen, run.find(s, Kind::Dlt, 1))),
            ratio(restgen, run.find(s, BYTES, 1))
                .map_or("–".into(), |r| format!("{:.0}%", r * 100.0)),
            format!("{:.0}%", spread * 100.0),
        ]
    };
    table(
        md,
        run,
        &scenarios,
        (SIZES, &sizes),
        &|o| human(o.rate()),
        (
            &["vs hand-written", "vs dlt", "of bytes-only", "spread"],
            &ratios,
        ),
    );
    let _ = writeln!(
        md,
        "CPU seconds per million records (user + system, all threads of the client process):\n"
    );
    table(
        md,
        run,
        &scenarios,
        (SIZES, &sizes),
        &|o| format!("{:.2}", o.cpu_per_million()),
        (&[], &no_tail),
    );
}

pub(super) fn rss_section(run: &Run, md: &mut String) {
    let scenarios = run.scenarios(Group::Throughput);
    if scenarios.is_empty() {
        return;
    }
    let _ = writeln!(md, "## Peak RSS (MiB)\n");
    table(
        md,
        run,
        &scenarios,
        (SIZES, &sizes),
        &|o| format!("{:.1}", o.rss_mib()),
        (&[], &no_tail),
    );
}

pub(super) fn latency_section(run: &Run, md: &mut String) {
    let scenarios = run.scenarios(Group::Latency);
    let Some(first) = scenarios.first() else {
        return;
    };
    let _ = writeln!(
        md,
        "## {} ms latency per response\n\nN = {}, page size {}: {} pages; one request per latency \
         period takes {:.2} s. Wall seconds (median):\n",
        first.latency_ms,
        n_label(first.records),
        first.page_size,
        first.pages(),
        first.pages() as f64 * first.latency_ms as f64 / 1000.0
    );
    let best = |s: &Scenario| {
        let best = run
            .outcomes
            .iter()
            .filter(|o| same(&o.scenario, s) && o.entrant.kind == RESTGEN)
            .min_by(|a, b| a.elapsed().total_cmp(&b.elapsed()));
        let conns = best
            .and_then(|o| o.connections.iter().max().copied())
            .unwrap_or(0);
        vec![
            show_ratio(ratio(best, run.find(s, Kind::Dlt, 1))),
            conns.to_string(),
        ]
    };
    table(
        md,
        run,
        &scenarios,
        (&["style"], &|s| vec![s.style.as_str().to_string()]),
        &|o| format!("{:.2}", o.elapsed()),
        (&["best restgen vs dlt", "connections (restgen)"], &best),
    );
}

pub(super) fn encoding_section(run: &Run, md: &mut String) {
    let scenarios = run.scenarios(Group::Encoding);
    if scenarios.is_empty() {
        return;
    }
    let _ = writeln!(
        md,
        "## Compressed bodies\n\nThe mock serves each page gzip- or brotli-compressed (compressed \
         once, then cached); reqwest decompresses. On loopback, bandwidth is free, so this shows \
         the cost of decompression, not the saving on a real link. Records per second (median):\n"
    );
    let lead = |s: &Scenario| {
        let mut row = vec![s.encoding.clone()];
        row.extend(sizes(s));
        row
    };
    table(
        md,
        run,
        &scenarios,
        (&["encoding", "N", "page", "style"], &lead),
        &|o| human(o.rate()),
        (&[], &no_tail),
    );
    let conns: Vec<String> = run
        .outcomes
        .iter()
        .filter(|o| o.entrant.kind == RESTGEN && o.entrant.concurrency == 1)
        .map(|o| o.connections.iter().max().copied().unwrap_or(0).to_string())
        .collect::<std::collections::BTreeSet<_>>()
        .into_iter()
        .collect();
    let _ = writeln!(
        md,
        "Connection reuse: a sequential run of the generated client opened {} connection(s) \
         per run in every scenario (counted by the mock).\n",
        conns.join(" or ")
    );
}

pub(super) fn generation_section(run: &Run, md: &mut String) {
    let Some(generation) = &run.generation else {
        return;
    };
    let _ = writeln!(
        md,
        "## Generation\n\n`restgen::generate` (what `cargo xtask generate` runs, {} profile) on \
         synthetic specs whose resources are copies of one template (cursor paging, an \
         11-property schema with a nested object, an enum, timestamps and a typed map). \
         Wall seconds count the time other processes held the cores; CPU seconds are what \
         generation itself spent:\n",
        generation.profile
    );
    let _ = writeln!(
        md,
        "| resources | seconds (median) | CPU seconds (median) | rounds | lines generated |\n|---|---|---|---|---|"
    );
    for g in &generation.synthetic {
        let rounds: Vec<String> = g.rounds.iter().map(|r| format!("{r:.2}")).collect();
        let _ = writeln!(
            md,
            "| {} | {:.2} | {:.2} | {} | {} |",
            g.resources,
            g.seconds,
            g.cpu_seconds,
            rounds.join(", "),
            g.lines
        );
    }
    let _ = writeln!(
        md,
        "\nCompile time of each generated crate (`cargo build`, dev profile, the crate alone, its \
         dependencies already built):\n"
    );
    let _ = writeln!(
        md,
        "| crate | resources | lines | seconds |\n|---|---|---|---|"
    );
    for c in &generation.compile {
        let _ = writeln!(
            md,
            "| {} | {} | {} | {:.1} |",
            c.name, c.resources, c.lines, c.seconds
        );
    }
    let _ = writeln!(md);
}
