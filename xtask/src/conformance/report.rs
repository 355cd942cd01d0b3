//! The output: one table row per scenario (requests, records, verdict), then the details of
//! every failure (or of every scenario with `--verbose`). Every secret of a scenario is
//! redacted from everything printed.

use super::Judged;
use super::compare::{Agreement, Outcome, Sequence, Verdict, multiset};

/// What replaces a secret in the output.
const REDACTED: &str = "***";

/// How many requests of each side the details show.
const SHOWN_REQUESTS: usize = 40;

/// How many records of each side a failure shows.
const SHOWN_RECORDS: usize = 5;

/// How long a shown record or error may be.
const SHOWN_CHARS: usize = 240;

/// Prints the table and the details; returns how many scenarios failed.
pub fn print(judged: &[Judged], verbose: bool) -> usize {
    let rows: Vec<[String; 4]> = judged.iter().map(row).collect();
    let header = [
        "scenario".to_string(),
        "requests".to_string(),
        "records".to_string(),
        "verdict".to_string(),
    ];
    let mut widths = [0; 4];
    for cells in std::iter::once(&header).chain(&rows) {
        for (width, cell) in widths.iter_mut().zip(cells) {
            *width = (*width).max(cell.chars().count());
        }
    }
    let line = |cells: &[String; 4]| {
        let padded: Vec<String> = cells
            .iter()
            .zip(widths)
            .map(|(c, w)| format!("{c:<w$}"))
            .collect();
        println!("{}", padded.join("  ").trim_end());
    };
    line(&header);
    line(&widths.map(|w| "-".repeat(w)));
    for cells in &rows {
        line(cells);
    }
    let failed = judged
        .iter()
        .filter(|j| matches!(j.verdict, Verdict::Fail(_)))
        .count();
    let deviations = judged
        .iter()
        .filter(|j| matches!(j.verdict, Verdict::Deviation(_)))
        .count();
    println!(
        "\n{} scenarios: {} agree, {} deviate as documented, {} failed",
        judged.len(),
        judged.len() - failed - deviations,
        deviations,
        failed
    );
    for j in judged {
        if verbose || matches!(j.verdict, Verdict::Fail(_)) {
            details(j);
        }
    }
    failed
}

fn row(j: &Judged) -> [String; 4] {
    let agreement = Agreement::of(&j.dlt, &j.ours);
    let requests = if agreement.sequence == Sequence::Same {
        format!("same ({})", j.dlt.requests.len())
    } else if agreement.requests {
        format!("same, interleaved ({})", j.dlt.requests.len())
    } else {
        format!(
            "dlt {} / restgen {}",
            j.dlt.requests.len(),
            j.ours.requests.len()
        )
    };
    let side = |o: &Outcome| {
        let count: usize = o.results.iter().map(|r| r.records.len()).sum();
        if o.results.iter().any(|r| r.error.is_some()) {
            format!("{count}, fails")
        } else {
            count.to_string()
        }
    };
    let records = if agreement.records && agreement.errors {
        format!("same ({})", side(&j.dlt))
    } else {
        format!("dlt {} / restgen {}", side(&j.dlt), side(&j.ours))
    };
    let verdict = match &j.verdict {
        Verdict::Agree => "ok".to_string(),
        Verdict::Deviation(n) => format!("ok, deviation {n}"),
        Verdict::Fail(_) => "FAIL".to_string(),
    };
    [j.scenario.name.clone(), requests, records, verdict]
}

fn details(j: &Judged) {
    let secrets = j.scenario.secrets();
    let clean = |text: &str| shorten(&redact(text, &secrets));
    println!("\n--- {}: {}", j.scenario.name, j.scenario.about);
    if let Verdict::Fail(reasons) = &j.verdict {
        for reason in reasons {
            println!("    FAIL: {}", clean(reason));
        }
    }
    println!("    requests:");
    let (theirs, mine) = (j.dlt.request_lines(), j.ours.request_lines());
    let longest = theirs.len().max(mine.len());
    if longest > SHOWN_REQUESTS {
        println!("      (the first {SHOWN_REQUESTS} of {longest})");
    }
    for i in 0..longest.min(SHOWN_REQUESTS) {
        match (theirs.get(i), mine.get(i)) {
            (Some(a), Some(b)) if a == b => println!("      = {}", redact(a, &secrets)),
            (a, b) => {
                let show = |l: Option<&String>| l.map_or("(none)".into(), |l| redact(l, &secrets));
                println!("      dlt:     {}", show(a));
                println!("      restgen: {}", show(b));
            }
        }
    }
    for (a, b) in j.dlt.results.iter().zip(&j.ours.results) {
        let (theirs, mine) = (multiset(&a.records), multiset(&b.records));
        let only = |x: &[String], y: &[String]| -> Vec<String> {
            let mut rest = y.to_vec();
            x.iter()
                .filter(|r| match rest.iter().position(|o| o == *r) {
                    Some(at) => {
                        rest.remove(at);
                        false
                    }
                    None => true,
                })
                .cloned()
                .collect()
        };
        println!(
            "    {}: {} records from dlt, {} from restgen",
            a.resource,
            theirs.len(),
            mine.len()
        );
        for (side, records) in [
            ("dlt", only(&theirs, &mine)),
            ("restgen", only(&mine, &theirs)),
        ] {
            for record in records.iter().take(SHOWN_RECORDS) {
                println!("      only {side}: {}", clean(record));
            }
            if records.len() > SHOWN_RECORDS {
                println!(
                    "      only {side}: ... {} more",
                    records.len() - SHOWN_RECORDS
                );
            }
        }
        for (side, error) in [("dlt", &a.error), ("restgen", &b.error)] {
            if let Some(error) = error {
                println!("      {side} fails: {}", clean(error));
            }
        }
    }
}

/// Replaces every secret (longest first, so a secret inside another goes too) by `***`, and
/// its percent-encoded form as a query or form body carries it.
pub fn redact(text: &str, secrets: &[String]) -> String {
    let mut out = text.to_string();
    for secret in secrets {
        out = out.replace(secret.as_str(), REDACTED);
        let encoded: String = url::form_urlencoded::byte_serialize(secret.as_bytes()).collect();
        if encoded != *secret {
            out = out.replace(&encoded, REDACTED);
        }
    }
    out
}

fn shorten(text: &str) -> String {
    if text.chars().count() <= SHOWN_CHARS {
        return text.to_string();
    }
    let cut: String = text.chars().take(SHOWN_CHARS).collect();
    format!("{cut}...")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn secrets_are_redacted_plain_and_percent_encoded() {
        let secrets = vec!["s3cret/key".to_string(), "tok".to_string()];
        assert_eq!(
            redact(
                "GET /x?key=s3cret%2Fkey [authorization: Bearer tok] s3cret/key",
                &secrets
            ),
            "GET /x?key=*** [authorization: Bearer ***] ***"
        );
    }
}
