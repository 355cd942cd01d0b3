//! RFC 8288 `Link` header values: the link of a relation, and the links of a header.

/// The URL of the link with relation `rel` in an RFC 8288 `Link` header value.
pub fn find_link(header: &str, rel: &str) -> Option<String> {
    split_links(header).into_iter().find_map(|link| {
        let link = link.trim();
        let end = link.find('>')?;
        let url = link.strip_prefix('<')?.get(..end - 1)?;
        let has_rel = link[end + 1..].split(';').any(|param| {
            let Some((key, value)) = param.split_once('=') else {
                return false;
            };
            key.trim().eq_ignore_ascii_case("rel")
                && value
                    .trim()
                    .trim_matches('"')
                    .split_ascii_whitespace()
                    .any(|r| r == rel)
        });
        has_rel.then(|| url.to_string())
    })
}

/// The comma-separated links of a `Link` header, commas inside `<...>` and quotes kept.
pub(crate) fn split_links(header: &str) -> Vec<&str> {
    let mut parts = Vec::new();
    let (mut start, mut in_url, mut in_quotes) = (0, false, false);
    for (i, ch) in header.char_indices() {
        match ch {
            '<' if !in_quotes => in_url = true,
            '>' if !in_quotes => in_url = false,
            '"' if !in_url => in_quotes = !in_quotes,
            ',' if !in_url && !in_quotes => {
                parts.push(&header[start..i]);
                start = i + 1;
            }
            _ => {}
        }
    }
    parts.push(&header[start..]);
    parts
}
