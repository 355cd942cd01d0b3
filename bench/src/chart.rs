//! A grouped horizontal bar chart as plain SVG: one panel per page size, one group per
//! pagination style, one bar per contender, on a logarithmic records/s axis (dlt and the
//! bytes-only limit are two orders of magnitude apart). Written by hand rather than with a
//! plotting crate: it is a few rectangles and labels, and the output stays byte-stable.

use std::fmt::Write;

/// One panel: a title and its groups of labelled values.
pub struct Panel {
    /// Shown above the panel.
    pub title: String,
    /// `(group label, [(bar label, value)])`.
    pub groups: Vec<(String, Vec<(String, f64)>)>,
}

/// Colours per bar label, in the order bars appear; unknown labels cycle through the rest.
const PALETTE: &[(&str, &str)] = &[
    ("restgen", "#d9480f"),
    ("restgen ×4", "#f08c00"),
    ("restgen ×8", "#f08c00"),
    ("hand-written", "#1c7ed6"),
    ("dlt", "#5f3dc4"),
    ("bytes only", "#adb5bd"),
];

const WIDTH: f64 = 860.0;
const LABEL_W: f64 = 190.0;
const BAR_H: f64 = 14.0;
const GROUP_GAP: f64 = 12.0;
const TOP: f64 = 50.0;

fn colour(label: &str) -> &'static str {
    PALETTE
        .iter()
        .find(|(l, _)| *l == label)
        .map_or("#495057", |(_, c)| c)
}

/// Renders the panels under one title; `unit` names the axis.
pub fn render(title: &str, unit: &str, panels: &[Panel]) -> String {
    let values: Vec<f64> = panels
        .iter()
        .flat_map(|p| {
            p.groups
                .iter()
                .flat_map(|(_, bars)| bars.iter().map(|b| b.1))
        })
        .filter(|v| *v > 0.0)
        .collect();
    let lo = values.iter().copied().fold(f64::INFINITY, f64::min);
    let hi = values.iter().copied().fold(0.0, f64::max);
    let (lo_exp, hi_exp) = if values.is_empty() {
        (0, 1)
    } else {
        (
            lo.log10().floor() as i32,
            hi.log10().ceil().max(lo.log10().floor() + 1.0) as i32,
        )
    };
    let plot_w = WIDTH - LABEL_W - 90.0;
    let x = |v: f64| {
        let span = f64::from(hi_exp - lo_exp);
        LABEL_W + plot_w * ((v.max(10f64.powi(lo_exp)).log10() - f64::from(lo_exp)) / span)
    };
    let mut body = String::new();
    let mut y = TOP;
    for panel in panels {
        let _ = writeln!(
            body,
            r#"<text x="10" y="{:.0}" font-weight="bold">{}</text>"#,
            y + 4.0,
            escape(&panel.title)
        );
        y += 16.0;
        let panel_top = y;
        for (group, bars) in &panel.groups {
            let group_h = BAR_H * bars.len() as f64;
            let _ = writeln!(
                body,
                r#"<text x="{:.0}" y="{:.1}" text-anchor="end">{}</text>"#,
                LABEL_W - 8.0,
                y + group_h / 2.0 + 4.0,
                escape(group)
            );
            for (label, value) in bars {
                let w = (x(*value) - LABEL_W).max(1.0);
                let _ = writeln!(
                    body,
                    r#"<rect x="{LABEL_W:.0}" y="{y:.1}" width="{w:.1}" height="{:.1}" fill="{}"><title>{}: {}</title></rect>"#,
                    BAR_H - 2.0,
                    colour(label),
                    escape(label),
                    human(*value)
                );
                let _ = writeln!(
                    body,
                    r#"<text x="{:.1}" y="{:.1}" font-size="10">{}</text>"#,
                    LABEL_W + w + 4.0,
                    y + BAR_H - 4.0,
                    human(*value)
                );
                y += BAR_H;
            }
            y += GROUP_GAP;
        }
        // decade grid lines of this panel
        for exp in lo_exp..=hi_exp {
            let gx = x(10f64.powi(exp));
            let _ = writeln!(
                body,
                r##"<line x1="{gx:.1}" y1="{panel_top:.1}" x2="{gx:.1}" y2="{:.1}" stroke="#dee2e6"/>"##,
                y - GROUP_GAP
            );
            let _ = writeln!(
                body,
                r##"<text x="{gx:.1}" y="{:.1}" text-anchor="middle" font-size="10" fill="#495057">{}</text>"##,
                y,
                human(10f64.powi(exp))
            );
        }
        y += 20.0;
    }
    // legend: every label once, in first-seen order
    let mut legend: Vec<&str> = Vec::new();
    for (_, bars) in panels.iter().flat_map(|p| p.groups.iter()) {
        for (label, _) in bars {
            if !legend.contains(&label.as_str()) {
                legend.push(label);
            }
        }
    }
    let mut lx = LABEL_W;
    for label in legend {
        let _ = writeln!(
            body,
            r#"<rect x="{lx:.0}" y="{:.0}" width="10" height="10" fill="{}"/><text x="{:.0}" y="{:.0}">{}</text>"#,
            y,
            colour(label),
            lx + 14.0,
            y + 9.0,
            escape(label)
        );
        lx += 24.0 + 7.0 * label.chars().count() as f64;
    }
    y += 24.0;
    format!(
        r##"<svg xmlns="http://www.w3.org/2000/svg" width="{WIDTH:.0}" height="{y:.0}" viewBox="0 0 {WIDTH:.0} {y:.0}" font-family="sans-serif" font-size="12">
<rect width="100%" height="100%" fill="white"/>
<text x="10" y="22" font-size="15" font-weight="bold">{}</text>
<text x="10" y="38" font-size="11" fill="#495057">{} (log scale)</text>
{body}</svg>
"##,
        escape(title),
        escape(unit)
    )
}

/// 1234567 as `1.23M`, 45600 as `45.6k`.
pub fn human(value: f64) -> String {
    if value >= 1e6 {
        format!("{:.2}M", value / 1e6)
    } else if value >= 1e3 {
        format!("{:.1}k", value / 1e3)
    } else {
        format!("{value:.0}")
    }
}

fn escape(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn renders_every_bar_and_label() {
        let panel = Panel {
            title: "page size 1000".into(),
            groups: vec![(
                "cursor".into(),
                vec![("restgen".into(), 500_000.0), ("dlt".into(), 30_000.0)],
            )],
        };
        let svg = render("Throughput", "records/s", &[panel]);
        assert_eq!(svg.matches("<rect x=\"190\"").count(), 3); // two bars and a legend swatch
        assert!(svg.contains("500.0k") && svg.contains("30.0k"));
        assert!(svg.starts_with("<svg") && svg.trim_end().ends_with("</svg>"));
    }
}
