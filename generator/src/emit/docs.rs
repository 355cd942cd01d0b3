//! Doc comments and layout for emitted code: one `#[doc]` attribute per line, so prettyplease
//! prints `///` lines, and a blank line between items so generated files read like written ones.
//!
//! Text from a spec or schema never becomes code that runs, in a doctest or in a browser
//! showing the docs (generated crates also declare `doctest = false`): a name, path or
//! selector goes into a single-line code span ([`code`]); prose is made inert ([`inert`]):
//! a fence in a language rustdoc would test becomes ```` ```text ````, an indented code block
//! loses its indentation, an HTML tag is escaped, and control characters are shown escaped.

use proc_macro2::{Delimiter, Group, Literal, TokenStream, TokenTree};
use quote::quote;

/// The fences generator-written docs use: the usage block of the example.
const TEXT: &[&str] = &["text"];

/// Outer doc attributes for `text`, one per line, made inert.
pub fn outer(text: &str) -> TokenStream {
    let lines = doc_lines(&inert(text, TEXT));
    // #[doc = " first line"] #[doc = " second line"]
    quote!(#(#[doc = #lines])*)
}

/// Inner (module) doc attributes for `text`, one per line, made inert.
pub fn inner(text: &str) -> TokenStream {
    inner_with(text, TEXT)
}

/// [`inner`], keeping fences in the `fences` languages: the crate's own example is
/// ```` ```no_run ````; no spec text can open one, as it only ever lands on one line.
pub fn inner_with(text: &str, fences: &[&str]) -> TokenStream {
    let lines = doc_lines(&inert(text, fences));
    // #![doc = " first line"] #![doc = " second line"]
    quote!(#(#![doc = #lines])*)
}

/// Spec text for one line of a doc comment: control characters (a line break, a carriage
/// return, a tab) shown escaped, so it can neither start a line of its own, where it could
/// open a code block, nor break the comment (a bare carriage return does not compile).
pub fn inline(text: &str) -> String {
    text.chars()
        .map(|c| {
            if c.is_control() {
                c.escape_default().to_string()
            } else {
                c.to_string()
            }
        })
        .collect()
}

/// Spec text as inline code: one line ([`inline`]), between backtick runs longer than any
/// inside it, so Markdown and HTML in it are shown as written, never interpreted.
pub fn code(text: &str) -> String {
    let text = inline(text);
    let longest = text.split(|c| c != '`').map(str::len).max().unwrap_or(0);
    let ticks = "`".repeat(longest + 1);
    // a span's own backticks next to the text's would merge with them
    let pad = if text.starts_with('`') || text.ends_with('`') {
        " "
    } else {
        ""
    };
    format!("{ticks}{pad}{text}{pad}{ticks}")
}

/// The languages rustdoc does not test, of those [`inert`] may keep.
const NOT_RUST: &[&str] = &["text", "json"];

/// Markdown made inert: a fenced code block whose language is not one of `fences` becomes
/// ```` ```text ```` (rustdoc tests a fence without a language, `rust`, `no_run`,
/// `should_panic` ...), an indented line that could be an indented code block (which rustdoc
/// tests too) loses its indentation, an HTML tag outside code is escaped, and control
/// characters are shown escaped. Text inside fences is kept as it is.
pub fn inert(markdown: &str, fences: &[&str]) -> String {
    let mut out = Vec::new();
    // the open fence: its character and length
    let mut open: Option<(char, usize)> = None;
    for line in markdown.lines() {
        let line = inline_keeping_tabs(line);
        // a block quote or list item holds blocks too: a fence or an indented block after its
        // markers is one
        let (prefix, body) = line.split_at(container_prefix(&line));
        let indent = body.len() - body.trim_start_matches(' ').len();
        let rest = &body[indent..];
        let run = |c: char| rest.chars().take_while(|x| *x == c).count();
        if let Some((c, len)) = open {
            if indent <= 3 && run(c) >= len && rest.trim_end().chars().all(|x| x == c) {
                open = None;
            }
            out.push(line);
            continue;
        }
        let fence = ['`', '~']
            .into_iter()
            .map(|c| (c, run(c)))
            .find(|(_, n)| *n >= 3)
            .filter(|(c, n)| indent <= 3 && !(*c == '`' && rest[*n..].contains('`')));
        if let Some((c, n)) = fence {
            open = Some((c, n));
            let language = rest[n..].split([',', ' ', '\t']).next().unwrap_or_default();
            let keep = !language.is_empty()
                && (fences.contains(&language) || NOT_RUST.contains(&language));
            if keep {
                out.push(line);
            } else {
                out.push(format!("{prefix}{}text", &rest[..n]));
            }
            continue;
        }
        let trimmed = body.trim_start_matches([' ', '\t']);
        let lead = &body[..body.len() - trimmed.len()];
        let columns: usize = lead.chars().map(|c| if c == '\t' { 4 } else { 1 }).sum();
        let body = if columns >= 4 { trimmed } else { body };
        out.push(escape_html(&format!("{prefix}{body}")));
    }
    out.join("\n")
}

/// How many bytes of `line` are block-quote (`>`) and list-item (`-`, `*`, `+`, `1.`, `1)`)
/// markers, each after up to three spaces.
fn container_prefix(line: &str) -> usize {
    let bytes = line.as_bytes();
    let mut at = 0;
    loop {
        let spaces = bytes[at..]
            .iter()
            .take(3)
            .take_while(|b| **b == b' ')
            .count();
        let i = at + spaces;
        let marker = match bytes.get(i) {
            Some(b'>') => 1 + usize::from(bytes.get(i + 1) == Some(&b' ')),
            Some(b'-' | b'*' | b'+') if bytes.get(i + 1) == Some(&b' ') => 2,
            Some(b'0'..=b'9') => {
                let digits = bytes[i..].iter().take_while(|b| b.is_ascii_digit()).count();
                let closes = matches!(bytes.get(i + digits), Some(b'.' | b')'));
                if closes && bytes.get(i + digits + 1) == Some(&b' ') {
                    digits + 2
                } else {
                    return at;
                }
            }
            _ => return at,
        };
        at = i + marker;
    }
}

/// [`inline`] for a whole line, but tabs kept: they are indentation there.
fn inline_keeping_tabs(line: &str) -> String {
    line.split('\t').map(inline).collect::<Vec<_>>().join("\t")
}

/// `<` escaped where it could open an HTML tag or comment, outside code spans on the line.
fn escape_html(line: &str) -> String {
    let mut out = String::with_capacity(line.len());
    let mut rest = line;
    while let Some(at) = rest.find(['`', '<']) {
        out.push_str(&rest[..at]);
        rest = &rest[at..];
        if rest.starts_with('`') {
            // a code span: the same number of backticks closes it, on this line
            let ticks = rest.chars().take_while(|c| *c == '`').count();
            let fence = &rest[..ticks];
            let close = rest[ticks..]
                .match_indices(fence)
                .find(|(i, _)| !rest[ticks + i + ticks..].starts_with('`'))
                .map(|(i, _)| ticks + i + ticks);
            let end = close.unwrap_or(ticks);
            out.push_str(&rest[..end]);
            rest = &rest[end..];
        } else {
            let tag = rest[1..]
                .chars()
                .next()
                .is_some_and(|c| c.is_ascii_alphabetic() || matches!(c, '/' | '!' | '?'));
            let autolink = rest.starts_with("<http://") || rest.starts_with("<https://");
            if tag && !autolink {
                out.push('\\');
            }
            out.push('<');
            rest = &rest[1..];
        }
    }
    out.push_str(rest);
    out
}

/// Every `#[doc = "..."]` in `tokens` made [`inert`], keeping fences in `fences`: for code
/// another tool wrote (typify writes a schema's `title` and `description` verbatim).
pub fn inert_doc_attributes(tokens: TokenStream, fences: &[&str]) -> TokenStream {
    let mut out = Vec::new();
    for tree in tokens {
        out.push(match tree {
            TokenTree::Group(group) => {
                let inner = group.stream();
                let doc = (group.delimiter() == Delimiter::Bracket)
                    .then(|| doc_text(&inner))
                    .flatten();
                let stream = match doc {
                    Some(text) => {
                        let text = Literal::string(&inert(&text, fences));
                        // doc = "..."
                        quote!(doc = #text)
                    }
                    None => inert_doc_attributes(inner, fences),
                };
                let mut rebuilt = Group::new(group.delimiter(), stream);
                rebuilt.set_span(group.span());
                TokenTree::Group(rebuilt)
            }
            other => other,
        });
    }
    out.into_iter().collect()
}

/// The text of `doc = "..."`, the inside of a doc attribute.
fn doc_text(inner: &TokenStream) -> Option<String> {
    let trees: Vec<TokenTree> = inner.clone().into_iter().collect();
    match trees.as_slice() {
        [
            TokenTree::Ident(ident),
            TokenTree::Punct(eq),
            TokenTree::Literal(literal),
        ] if ident == "doc" && eq.as_char() == '=' => {
            syn::parse_str::<syn::LitStr>(&literal.to_string())
                .ok()
                .map(|s| s.value())
        }
        _ => None,
    }
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn code_spans_hold_any_text_on_one_line() {
        assert_eq!(code("users"), "`users`");
        assert_eq!(code("a`b"), "``a`b``");
        assert_eq!(code("`x"), "`` `x ``");
        assert_eq!(code("a\n```\nb"), "````a\\n```\\nb````");
        assert_eq!(code("cr\rtab\t"), "`cr\\rtab\\t`");
    }

    #[test]
    fn fences_in_other_languages_become_text_and_the_rest_stays() {
        let text = "x\n```\nrun()\n```\n~~~~ rust,no_run\nrun()\n~~~~\n```json\n{}\n```";
        assert_eq!(
            inert(text, TEXT),
            "x\n```text\nrun()\n```\n~~~~text\nrun()\n~~~~\n```json\n{}\n```"
        );
        // the crate's own example, where the caller allows it
        assert_eq!(inert("```no_run\nx\n```", &["no_run"]), "```no_run\nx\n```");
        // a backtick in the info string: not a fence at all, but inline code
        assert_eq!(inert("```a`b```", TEXT), "```a`b```");
    }

    #[test]
    fn fences_and_indented_blocks_in_quotes_and_lists_are_made_inert_too() {
        assert_eq!(
            inert(
                "> ```\n> run()\n> ```\n\n- ```rust\n  run()\n  ```\n\n1. x\n\n   >     run()",
                TEXT
            ),
            "> ```text\n> run()\n> ```\n\n- ```text\n  run()\n  ```\n\n1. x\n\n   > run()"
        );
        assert_eq!(inert("- a\n- b", TEXT), "- a\n- b");
    }

    #[test]
    fn indented_blocks_lose_their_indentation_outside_fences_only() {
        assert_eq!(
            inert("a\n\n    run();\n\trun();\n   ok", TEXT),
            "a\n\nrun();\nrun();\n   ok"
        );
        assert_eq!(
            inert("```text\n    kept\n```", TEXT),
            "```text\n    kept\n```"
        );
    }

    #[test]
    fn html_is_escaped_outside_code_spans() {
        assert_eq!(
            inert(
                "<script>x</script> `<b>` <https://a.example> a < b <!-- c",
                TEXT
            ),
            "\\<script>x\\</script> `<b>` <https://a.example> a < b \\<!-- c"
        );
    }
}
