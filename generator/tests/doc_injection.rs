//! Spec and schema text never becomes code that runs: a generated crate declares no doctests
//! (`doctest = false`), and the text is made inert where it lands in doc comments, so even a
//! `cargo test --doc` forced on the crate, or a reader's copy of the docs, finds no code in
//! it: fences become ```` ```text ````, indented code blocks lose their indentation, HTML is
//! escaped, and names and paths from the spec sit in single-line code spans.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use restgen::SpecFiles;

/// What a hostile spec writer puts in a schema: a fence, a tilde fence, an indented block,
/// HTML and a bare carriage return (which is not allowed in a `///` comment at all).
const SCHEMA: &str = r#"{
  "type": "object",
  "title": "Ticket\n```\nstd::process::exit(3)\n```",
  "description": "A ticket.\n\n```\nstd::process::exit(1)\n```\n\n~~~rust\nstd::process::exit(4)\n~~~\n\nIndented:\n\n    std::process::exit(2);\n\n> ```\n> std::process::exit(12)\n> ```\n\n- ```\n  std::process::exit(13)\n  ```\n\n<script>alert(1)</script> and a\rcarriage return",
  "properties": {
    "id": {
      "type": "string",
      "description": "```no_run\nfn main() { std::process::exit(5) }\n```"
    },
    "body": {
      "type": "string",
      "description": "\n\n\tstd::process::exit(6);\n   ```should_panic\npanic!()\n   ```"
    }
  }
}"#;

/// Names, parameters, headers and selectors full of markdown: each reaches a doc comment.
const CONFIG: &str = r#"
client:
  base_url: "https://api.example.com/"
resources:
  - name: "tickets\n```\nstd::process::exit(7)\n```\n"
    endpoint:
      path: tickets
      data_selector: "$['da`ta\n```\nstd::process::exit(8)\n```']"
      params:
        "q\n```\nstd::process::exit(9)\n```": "x"
      paginator:
        type: cursor
        cursor_path: "$['next\n```\nexit(10)\n```']"
        cursor_param: "c\n```\nexit(11)\n```"
  - name: "comments <script>alert(2)</script>"
    endpoint:
      path: "tickets/{id}/comments"
      params:
        id:
          type: resolve
          resource: "tickets\n```\nstd::process::exit(7)\n```\n"
          field: id
"#;

fn generated() -> restgen::Generated {
    let files = SpecFiles::in_memory(
        "hostile",
        CONFIG,
        &[
            ("tickets\n```\nstd::process::exit(7)\n```\n", SCHEMA),
            ("comments <script>alert(2)</script>", SCHEMA),
        ],
    );
    restgen::generate_files(&files).unwrap_or_else(|e| panic!("{e}"))
}

/// The Markdown of each doc comment of `code`, as rustdoc reads it: `///` lines, `/** */`
/// blocks and `#[doc]` attributes alike are doc attributes in the token stream; consecutive
/// ones form one comment, unindented by their common indentation.
fn doc_blocks(code: &str) -> Vec<Vec<String>> {
    use proc_macro2::{TokenStream, TokenTree};

    fn walk(tokens: TokenStream, blocks: &mut Vec<Vec<String>>, current: &mut Vec<String>) {
        let mut pending_hash = false;
        for tree in tokens {
            let doc = match &tree {
                TokenTree::Group(group) => {
                    let inner: Vec<TokenTree> = group.stream().into_iter().collect();
                    match inner.as_slice() {
                        [
                            TokenTree::Ident(id),
                            TokenTree::Punct(eq),
                            TokenTree::Literal(lit),
                        ] if pending_hash && id == "doc" && eq.as_char() == '=' => Some(
                            syn::parse_str::<syn::LitStr>(&lit.to_string())
                                .unwrap()
                                .value(),
                        ),
                        _ => None,
                    }
                }
                _ => None,
            };
            match (&tree, doc) {
                (_, Some(text)) => current.push(text),
                (TokenTree::Punct(p), None)
                    if p.as_char() == '#' || (pending_hash && p.as_char() == '!') =>
                {
                    pending_hash = true;
                    continue;
                }
                (other, None) => {
                    if !current.is_empty() {
                        blocks.push(unindent(&std::mem::take(current).join("\n")));
                    }
                    if let TokenTree::Group(group) = other {
                        walk(group.stream(), blocks, current);
                    }
                }
            }
            pending_hash = false;
        }
        if !current.is_empty() {
            blocks.push(unindent(&std::mem::take(current).join("\n")));
        }
    }

    fn unindent(text: &str) -> Vec<String> {
        let common = text
            .lines()
            .filter(|l| !l.trim().is_empty())
            .map(|l| l.len() - l.trim_start().len())
            .min()
            .unwrap_or(0);
        text.lines()
            .map(|l| l.get(common..).unwrap_or("").to_string())
            .collect()
    }

    let tokens: TokenStream = code.parse().unwrap();
    let mut blocks = Vec::new();
    walk(tokens, &mut blocks, &mut Vec::new());
    blocks
}

/// A line without the block-quote and list-item markers it starts with: code blocks nest
/// in those.
fn without_containers(line: &str) -> String {
    let mut rest = line;
    loop {
        let start = rest.trim_start_matches(' ');
        let digits = start.chars().take_while(char::is_ascii_digit).count();
        let next = if let Some(after) = start.strip_prefix('>') {
            after.strip_prefix(' ').unwrap_or(after)
        } else if let Some(after) = ["- ", "* ", "+ "]
            .iter()
            .find_map(|m| start.strip_prefix(m))
        {
            after
        } else if digits > 0
            && (start[digits..].starts_with(". ") || start[digits..].starts_with(") "))
        {
            &start[digits + 2..]
        } else {
            return rest.to_string();
        };
        rest = next;
    }
}

/// The code blocks rustdoc would test in one doc comment: fences whose info string is not
/// another language, and indented blocks; as (info, first line).
fn testable(block: &[String]) -> Vec<(String, String)> {
    let mut found = Vec::new();
    let mut fence: Option<String> = None;
    let mut previous_blank = true;
    for line in block {
        let line = &without_containers(line);
        let stripped = line.trim_start_matches(' ');
        let indent = line.len() - stripped.len();
        let fence_run =
            |c: char| indent <= 3 && stripped.chars().take_while(|x| *x == c).count() >= 3;
        match &fence {
            // a closing fence: at least the opening's run of its character, nothing after
            Some(open)
                if stripped.starts_with(open.as_str())
                    && stripped.trim_end().chars().all(|c| open.starts_with(c)) =>
            {
                fence = None;
            }
            Some(_) => {}
            None if fence_run('`') || fence_run('~') => {
                let marker: String = stripped
                    .chars()
                    .take_while(|c| *c == '`' || *c == '~')
                    .collect();
                let info = stripped[marker.len()..].trim().to_string();
                let lang = info.split([',', ' ']).next().unwrap_or_default();
                let rust = lang.is_empty()
                    || [
                        "rust",
                        "no_run",
                        "should_panic",
                        "ignore",
                        "compile_fail",
                        "edition2015",
                        "edition2018",
                        "edition2021",
                        "edition2024",
                        "standalone_crate",
                    ]
                    .contains(&lang);
                if rust {
                    found.push((info, line.clone()));
                }
                fence = Some(marker);
            }
            None if previous_blank
                && (indent >= 4 || line.starts_with('\t'))
                && !line.trim().is_empty() =>
            {
                found.push(("indented".into(), line.clone()));
            }
            None => {}
        }
        previous_blank = line.trim().is_empty();
    }
    found
}

/// The text of a doc comment that Markdown reads as prose: fenced blocks and the code spans
/// of each line left out.
fn outside_code(block: &[String]) -> String {
    let mut prose = String::new();
    let mut in_fence = false;
    for line in block {
        let start = line.trim_start();
        if start.starts_with("```") || start.starts_with("~~~") {
            in_fence = !in_fence;
            continue;
        }
        if in_fence {
            continue;
        }
        // drop `...` spans, however many backticks delimit them
        let mut rest = line.as_str();
        while let Some(at) = rest.find('`') {
            prose.push_str(&rest[..at]);
            let ticks = rest[at..].chars().take_while(|c| *c == '`').count();
            let fence = "`".repeat(ticks);
            match rest[at + ticks..].find(&fence) {
                Some(end) => rest = &rest[at + ticks + end + ticks..],
                None => {
                    prose.push_str(&rest[at..at + ticks]);
                    rest = &rest[at + ticks..];
                }
            }
        }
        prose.push_str(rest);
        prose.push('\n');
    }
    prose
}

#[test]
fn generated_crates_declare_no_doctests() {
    let generated = generated();
    let manifest = &generated.files["Cargo.toml"];
    assert!(
        manifest.contains("\n[lib]\ndoctest = false\n"),
        "{manifest}"
    );
}

#[test]
fn spec_and_schema_text_is_inert_where_it_lands() {
    let generated = generated();
    let mut checked = 0;
    for (path, code) in &generated.files {
        if !path.ends_with(".rs") {
            continue;
        }
        for block in doc_blocks(code) {
            checked += 1;
            let text = block.join("\n");
            // the crate's own example is the one Rust block, and it is not run
            let allowed = |(info, _): &(String, String)| {
                path == "src/lib.rs" && info == "no_run" && text.contains("Client::from_env()?")
            };
            let runnable: Vec<_> = testable(&block)
                .into_iter()
                .filter(|b| !allowed(b))
                .collect();
            assert!(
                runnable.is_empty(),
                "{path}: code blocks {runnable:?} in\n{text}"
            );
            let prose = outside_code(&block);
            assert!(
                !prose.replace("\\<", "").contains("<script"),
                "{path}: raw HTML in\n{text}"
            );
            assert!(!text.contains('\r'), "{path}: a carriage return in\n{text}");
        }
    }
    assert!(checked > 20, "only {checked} doc comments");
    // the text is still there, readable
    let types = &generated.files["src/types.rs"];
    assert!(types.contains("std::process::exit(1)"), "{types}");
    assert!(types.contains("```text"), "{types}");
}
