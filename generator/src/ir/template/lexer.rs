//! The templates' tokens: names, strings in either quote (a backslash takes the next character
//! as it is), integers and floats, and punctuation, each with the byte offset an error points at.

#[derive(Debug, Clone, PartialEq)]
pub(super) enum Kind {
    Ident,
    Str(String),
    Int(i64),
    Float(f64),
    Punct,
}

#[derive(Debug, Clone)]
pub(super) struct Token {
    pub(super) kind: Kind,
    pub(super) text: String,
    pub(super) at: usize,
}

pub(super) fn tokenize(src: &str) -> Result<Vec<Token>, (usize, String)> {
    let chars: Vec<(usize, char)> = src.char_indices().collect();
    let mut tokens = Vec::new();
    let mut i = 0;
    while i < chars.len() {
        let (at, c) = chars[i];
        if c.is_whitespace() {
            i += 1;
        } else if c.is_alphabetic() || c == '_' {
            let start = i;
            i += 1;
            while i < chars.len() && (chars[i].1.is_alphanumeric() || chars[i].1 == '_') {
                i += 1;
            }
            let text: String = chars[start..i].iter().map(|(_, c)| c).collect();
            tokens.push(Token {
                kind: Kind::Ident,
                text,
                at,
            });
        } else if c.is_ascii_digit() {
            let start = i;
            while i < chars.len() && chars[i].1.is_ascii_digit() {
                i += 1;
            }
            // `9.5`: a fraction, but not `x.0.get`-like chains, which have no digit after
            if chars.get(i).is_some_and(|&(_, c)| c == '.')
                && chars.get(i + 1).is_some_and(|&(_, c)| c.is_ascii_digit())
            {
                i += 1;
                while i < chars.len() && chars[i].1.is_ascii_digit() {
                    i += 1;
                }
                let text: String = chars[start..i].iter().map(|(_, c)| c).collect();
                let value: f64 = text
                    .parse()
                    .map_err(|_| (at, format!("number `{text}` does not read")))?;
                tokens.push(Token {
                    kind: Kind::Float(value),
                    text,
                    at,
                });
                continue;
            }
            let text: String = chars[start..i].iter().map(|(_, c)| c).collect();
            let value = text
                .parse()
                .map_err(|_| (at, format!("number `{text}` is out of range")))?;
            tokens.push(Token {
                kind: Kind::Int(value),
                text,
                at,
            });
        } else if c == '"' || c == '\'' {
            let mut value = String::new();
            i += 1;
            loop {
                let Some(&(_, ch)) = chars.get(i) else {
                    return Err((at, "string is never closed".into()));
                };
                i += 1;
                match ch {
                    '\\' => {
                        let Some(&(_, escaped)) = chars.get(i) else {
                            return Err((at, "string is never closed".into()));
                        };
                        value.push(escaped);
                        i += 1;
                    }
                    ch if ch == c => break,
                    ch => value.push(ch),
                }
            }
            tokens.push(Token {
                kind: Kind::Str(value.clone()),
                text: format!("{c}{value}{c}"),
                at,
            });
        } else {
            let two: String = chars[i..chars.len().min(i + 2)]
                .iter()
                .map(|(_, c)| c)
                .collect();
            let text = if ["==", "!=", "<=", ">="].contains(&two.as_str()) {
                two
            } else if "()[]{}.,<>|+-:*/=".contains(c) {
                c.to_string()
            } else {
                return Err((at, format!("unexpected character `{c}`")));
            };
            i += text.len();
            tokens.push(Token {
                kind: Kind::Punct,
                text,
                at,
            });
        }
    }
    Ok(tokens)
}
