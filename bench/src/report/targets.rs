//! The targets, each checked against the figure that decides it.

use crate::mock::Style;
use crate::suite::{Group, Kind, Scenario};

use super::{BYTES, HANDWRITTEN, Outcome, RESTGEN, Run, n_label, ratio};

/// The targets, each with the figure that decides it.
pub(super) fn targets(run: &Run) -> Vec<(String, String, bool)> {
    let mut rows = Vec::new();
    let throughput = run.scenarios(Group::Throughput);
    let at_1000: Vec<&Scenario> = throughput
        .iter()
        .copied()
        .filter(|s| s.page_size == 1000)
        .collect();
    let min_of = |f: &dyn Fn(&Scenario) -> Option<f64>| {
        at_1000
            .iter()
            .filter_map(|s| f(s).map(|r| (r, *s)))
            .min_by(|a, b| a.0.total_cmp(&b.0))
    };
    // restgen at its defaults (concurrency 1) or with `.concurrency(4)`, against `other`.
    let vs = |other: Kind, concurrency: usize| {
        move |s: &Scenario| ratio(run.find(s, RESTGEN, concurrency), run.find(s, other, 1))
    };
    // the same on CPU time per record, which waiting for a busy core does not inflate
    let cpu_vs = |other: Kind| {
        move |s: &Scenario| {
            Some(
                run.find(s, other, 1)?.cpu_per_million()
                    / run.find(s, RESTGEN, 1)?.cpu_per_million(),
            )
        }
    };
    let lowest = |f: &dyn Fn(&Scenario) -> Option<f64>| {
        min_of(f).map_or("–".to_string(), |(r, s)| {
            format!("{r:.2}× ({} {})", n_label(s.records), s.style.as_str())
        })
    };
    for (other, name, goal) in [
        (HANDWRITTEN, "the hand-written client", 1.5),
        (Kind::Dlt, "dlt RESTClient", 15.0),
    ] {
        let Some((worst, _)) = min_of(&vs(other, 1)) else {
            continue;
        };
        let best = min_of(&vs(other, 4)).map_or(0.0, |(r, _)| r);
        rows.push((
            format!("page size 1000, zero latency: ≥ {goal}× {name}"),
            format!(
                "lowest over styles and N: {} by default, {} with `.concurrency(4)`; \
                 on CPU per record {}",
                lowest(&vs(other, 1)),
                lowest(&vs(other, 4)),
                lowest(&cpu_vs(other))
            ),
            worst.max(best) >= goal,
        ));
    }
    if let Some((lowest_share, _)) = min_of(&vs(BYTES, 1)) {
        let highest = at_1000
            .iter()
            .filter_map(|s| vs(BYTES, 1)(s))
            .fold(0.0, f64::max);
        rows.push((
            "page size 1000: fraction of the bytes-only limit (reported, no target)".into(),
            format!(
                "{:.0}% to {:.0}% by default",
                lowest_share * 100.0,
                highest * 100.0
            ),
            true,
        ));
    }
    for s in run.scenarios(Group::Latency) {
        if s.style == Style::Cursor {
            let (Some(restgen), Some(bytes)) = (run.find(s, RESTGEN, 1), run.find(s, BYTES, 1))
            else {
                continue;
            };
            let period = |o: &Outcome| o.elapsed() * 1000.0 / s.pages() as f64;
            let handwritten = run.find(s, HANDWRITTEN, 1).map_or(String::new(), |h| {
                format!(", hand-written {:.1} ms", period(h))
            });
            rows.push((
                format!(
                    "{} ms latency, cursor: one request per latency period, decoding hidden",
                    s.latency_ms
                ),
                format!(
                    "{:.1} ms per page; the wire (bytes only) {:.1} ms{handwritten}",
                    period(restgen),
                    period(bytes)
                ),
                // decoding hidden: as fast as fetching the bytes, within 5%
                restgen.elapsed() <= bytes.elapsed() * 1.05,
            ));
        } else {
            let r = ratio(run.find(s, RESTGEN, 8), run.find(s, Kind::Dlt, 1));
            if let Some(r) = r {
                rows.push((
                    format!(
                        "{} ms latency, {}, `.concurrency(8)`: ≥ 6× dlt",
                        s.latency_ms,
                        s.style.as_str()
                    ),
                    format!("{r:.1}×"),
                    r >= 6.0,
                ));
            }
        }
    }
    let largest = throughput.iter().map(|s| s.records).max().unwrap_or(0);
    let smallest = throughput.iter().map(|s| s.records).min().unwrap_or(0);
    let rss: Vec<(f64, &Scenario)> = throughput
        .iter()
        .filter(|s| s.records == largest)
        .filter_map(|s| run.find(s, RESTGEN, 1).map(|o| (o.rss_mib(), *s)))
        .collect();
    if let Some((peak, s)) = rss.iter().copied().max_by(|a, b| a.0.total_cmp(&b.0)) {
        rows.push((
            format!("peak RSS ≤ 16 MB at {} records", n_label(largest)),
            format!(
                "at most {peak:.1} MiB ({} page size {})",
                s.style.as_str(),
                s.page_size
            ),
            peak <= 16.0,
        ));
    }
    if largest > smallest {
        let growth = throughput
            .iter()
            .filter(|s| s.records == largest)
            .filter_map(|big| {
                let small = throughput.iter().find(|s| {
                    s.records == smallest && s.page_size == big.page_size && s.style == big.style
                })?;
                Some(run.find(big, RESTGEN, 1)?.rss_mib() / run.find(small, RESTGEN, 1)?.rss_mib())
            })
            .fold(0.0, f64::max);
        rows.push((
            format!(
                "peak RSS flat in N ({} vs {})",
                n_label(largest),
                n_label(smallest)
            ),
            format!("grows by at most {:.0}%", (growth - 1.0) * 100.0),
            growth <= 1.10,
        ));
    }
    if let Some(generation) = &run.generation {
        let at = |n: usize| generation.synthetic.iter().find(|g| g.resources == n);
        if let Some(big) = at(1000) {
            rows.push((
                "generating 1000 resources: under 3 s".into(),
                format!(
                    "{:.2} s wall, {:.2} s CPU ({} profile)",
                    big.seconds, big.cpu_seconds, generation.profile
                ),
                big.seconds < 3.0,
            ));
            if let Some(small) = at(100) {
                let (wall, cpu) = (
                    big.seconds / small.seconds,
                    big.cpu_seconds / small.cpu_seconds,
                );
                rows.push((
                    "generation linear: 1000 resources ≤ 12× 100".into(),
                    format!(
                        "{wall:.1}× wall ({:.2} s for 100), {cpu:.1}× CPU",
                        small.seconds
                    ),
                    wall <= 12.0,
                ));
            }
        }
    }
    rows
}
