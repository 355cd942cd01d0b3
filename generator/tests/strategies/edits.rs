//! Random edits of the repository's specs: characters deleted or inserted, lines
//! duplicated, swapped or re-indented.

use proptest::prelude::*;

/// The repository's specs (read once).
fn real_specs() -> Vec<String> {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../specs");
    let mut specs: Vec<String> = std::fs::read_dir(root)
        .map(|entries| {
            entries
                .filter_map(Result::ok)
                .filter_map(|e| std::fs::read_to_string(e.path().join("source.yaml")).ok())
                .collect()
        })
        .unwrap_or_default();
    specs.sort();
    specs
}

/// One edit of a text.
#[derive(Debug, Clone)]
enum Edit {
    Delete(usize, usize),
    Insert(usize, String),
    DuplicateLine(usize),
    SwapLines(usize, usize),
    Indent(usize, usize),
}

fn apply(text: &str, edit: &Edit) -> String {
    let at = |n: usize| {
        let mut i = if text.is_empty() {
            0
        } else {
            n % (text.len() + 1)
        };
        while !text.is_char_boundary(i) {
            i -= 1;
        }
        i
    };
    let mut lines: Vec<&str> = text.lines().collect();
    match edit {
        Edit::Delete(start, len) => {
            let a = at(*start);
            let b = at(a + len % 12);
            format!("{}{}", &text[..a], &text[b.max(a)..])
        }
        Edit::Insert(pos, s) => {
            let a = at(*pos);
            format!("{}{s}{}", &text[..a], &text[a..])
        }
        Edit::DuplicateLine(i) if !lines.is_empty() => {
            let i = i % lines.len();
            lines.insert(i, lines[i]);
            lines.join("\n")
        }
        Edit::SwapLines(i, j) if !lines.is_empty() => {
            let (i, j) = (i % lines.len(), j % lines.len());
            lines.swap(i, j);
            lines.join("\n")
        }
        Edit::Indent(i, by) if !lines.is_empty() => {
            let i = i % lines.len();
            let indented = format!("{}{}", " ".repeat(by % 5), lines[i].trim_start());
            lines[i] = &indented;
            lines.join("\n")
        }
        _ => text.to_string(),
    }
}

fn edit() -> impl Strategy<Value = Edit> {
    let inserted = proptest::sample::select(
        &[
            ":", "-", " ", "\n", "{", "}", "[", "]", "#", "'", "\"", "&a", "*a", "!", "|", ">",
            "\t", "{{", "?", ",", "x", "é", "- ", ": ", "null", "~",
        ][..],
    );
    prop_oneof![
        (any::<usize>(), any::<usize>()).prop_map(|(a, b)| Edit::Delete(a, b)),
        (any::<usize>(), inserted).prop_map(|(a, s)| Edit::Insert(a, s.to_string())),
        any::<usize>().prop_map(Edit::DuplicateLine),
        (any::<usize>(), any::<usize>()).prop_map(|(a, b)| Edit::SwapLines(a, b)),
        (any::<usize>(), any::<usize>()).prop_map(|(a, b)| Edit::Indent(a, b)),
    ]
}

/// One of the repository's specs with one to three random edits.
pub fn edited_real_spec() -> impl Strategy<Value = String> {
    let specs = real_specs();
    let count = specs.len().max(1);
    (0..count, proptest::collection::vec(edit(), 1..4)).prop_map(move |(i, edits)| {
        let mut text = specs.get(i).cloned().unwrap_or_default();
        for e in &edits {
            text = apply(&text, e);
        }
        text
    })
}
