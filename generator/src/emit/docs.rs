//! Doc comments and layout for emitted code: one `#[doc]` attribute per line, so prettyplease
//! prints `///` lines, and a blank line between items so generated files read like written ones.

use proc_macro2::TokenStream;
use quote::quote;

/// Outer doc attributes for `text`, one per line.
pub fn outer(text: &str) -> TokenStream {
    let lines = doc_lines(text);
    // #[doc = " first line"] #[doc = " second line"]
    quote!(#(#[doc = #lines])*)
}

/// Inner (module) doc attributes for `text`, one per line.
pub fn inner(text: &str) -> TokenStream {
    let lines = doc_lines(text);
    // #![doc = " first line"] #![doc = " second line"]
    quote!(#(#![doc = #lines])*)
}

/// Each line with the leading space `///` comments carry; blank lines stay blank.
fn doc_lines(text: &str) -> Vec<String> {
    text.lines()
        .map(|l| {
            if l.is_empty() {
                String::new()
            } else {
                format!(" {l}")
            }
        })
        .collect()
}

/// Adds a blank line after each line that closes a block or ends an item, when another item
/// follows. Deterministic: it looks only at the text.
pub fn space_items(text: &str) -> String {
    let lines: Vec<&str> = text.lines().collect();
    let mut out = String::with_capacity(text.len() + lines.len());
    for (i, line) in lines.iter().enumerate() {
        push_doc_spaced(&mut out, line);
        out.push('\n');
        let Some(next) = lines.get(i + 1) else {
            continue;
        };
        let trimmed = line.trim();
        let next_trimmed = next.trim_start();
        let ends_item = trimmed == "}"
            || trimmed == "};"
            || (trimmed.ends_with(';') && trimmed.starts_with("pub static"));
        let next_starts_item = !next_trimmed.is_empty()
            && !next_trimmed.starts_with('}')
            && !next_trimmed.starts_with(')')
            && !next_trimmed.starts_with(']')
            && !next_trimmed.starts_with('.')
            && !next_trimmed.starts_with("else")
            && indent(next) == indent(line);
        if ends_item && next_starts_item {
            out.push('\n');
        }
    }
    out
}

fn indent(line: &str) -> usize {
    line.len() - line.trim_start().len()
}

/// typify writes `#[doc = "Text"]`, which prints as `///Text`; give it the usual space.
fn push_doc_spaced(out: &mut String, line: &str) {
    let trimmed = line.trim_start();
    let indent = &line[..line.len() - trimmed.len()];
    match trimmed.strip_prefix("///") {
        Some(rest) if !rest.is_empty() && !rest.starts_with([' ', '/']) => {
            out.push_str(indent);
            out.push_str("/// ");
            out.push_str(rest);
        }
        _ => out.push_str(line),
    }
}
