//! Bounds on what a spec file may make the loader build, checked on the parser's events
//! before anything is built from them: how deep the document nests, and how much its aliases
//! stand for. A spec is untrusted text; a file nested tens of thousands of levels deep, or a
//! "billion laughs" of aliases that refer to aliases, must be refused with a located
//! diagnostic, not expanded until memory, time or the stack runs out.

use std::collections::HashMap;
use std::ops::Range;
use std::sync::Arc;

use super::diagnostic::Diagnostic;

/// How many levels of mappings and sequences a spec may nest. Real specs nest a handful
/// (`resources[0].endpoint.paginator`, a JSON body a few levels more); serde_yaml stops at
/// 128, with a message that says neither where nor why; this limit is met first.
pub const MAX_NESTING: usize = 64;

/// How many nodes a spec's aliases may stand for, in all: what the document would grow by
/// if each `*alias` were written out. Sharing a block among resources stands for a few
/// hundred; nine aliases of nine aliases of ... stand for billions.
pub const MAX_ALIASED_NODES: usize = 100_000;

/// Why the loader refused a spec before building it, and where.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Refusal {
    /// A mapping or sequence opens past [`MAX_NESTING`] levels.
    TooDeep {
        /// Where it opens.
        at: Range<usize>,
        /// Its level, counting the root's as 1.
        level: usize,
    },
    /// An alias takes what the aliases stand for past [`MAX_ALIASED_NODES`].
    TooManyAliased {
        /// The alias.
        at: Range<usize>,
        /// How many nodes the aliases stood for, counting this one.
        nodes: usize,
    },
}

/// The refusal for the parser's own error `message` at byte `at`, when it is about depth:
/// saphyr's scanner counts flow levels (`[[[...`) in a byte and fails at the 256th, which it
/// reads ahead to, before the events that [`Budget`] counts.
pub fn parser_refusal(message: &str, at: usize) -> Option<Refusal> {
    (message == "recursion limit exceeded").then_some(Refusal::TooDeep {
        at: at..at + 1,
        level: usize::from(u8::MAX) + 1,
    })
}

/// Counts nesting and aliased nodes as events arrive.
#[derive(Debug, Default)]
pub struct Budget {
    /// For each open collection: its anchor id (0 for none) and its nodes so far.
    open: Vec<(usize, usize)>,
    /// How many nodes each anchor stands for, once its node is complete.
    anchored: HashMap<usize, usize>,
    /// Nodes the aliases met so far stand for.
    aliased: usize,
}

impl Budget {
    /// A mapping or sequence opens at `at`, with `anchor` (0 for none).
    pub fn open(&mut self, anchor: usize, at: &Range<usize>) -> Result<(), Refusal> {
        if self.open.len() >= MAX_NESTING {
            return Err(Refusal::TooDeep {
                at: at.clone(),
                level: self.open.len() + 1,
            });
        }
        self.open.push((anchor, 1));
        Ok(())
    }

    /// The innermost open collection closes.
    pub fn close(&mut self) {
        if let Some((anchor, nodes)) = self.open.pop() {
            self.complete(anchor, nodes);
        }
    }

    /// A scalar, with `anchor` (0 for none).
    pub fn scalar(&mut self, anchor: usize) {
        self.complete(anchor, 1);
    }

    /// An alias of anchor `id` at `at`: it stands for the whole anchored node.
    pub fn alias(&mut self, id: usize, at: &Range<usize>) -> Result<(), Refusal> {
        let nodes = self.anchored.get(&id).copied().unwrap_or(1);
        self.aliased = self.aliased.saturating_add(nodes);
        if self.aliased > MAX_ALIASED_NODES {
            return Err(Refusal::TooManyAliased {
                at: at.clone(),
                nodes: self.aliased,
            });
        }
        self.complete(0, nodes);
        Ok(())
    }

    /// A node of `nodes` nodes is complete: its anchor stands for them, its parent holds them.
    fn complete(&mut self, anchor: usize, nodes: usize) {
        if anchor != 0 {
            self.anchored.insert(anchor, nodes);
        }
        if let Some((_, parent)) = self.open.last_mut() {
            *parent = parent.saturating_add(nodes);
        }
    }
}

/// The located error for a refused spec `file` with text `source`.
pub fn diagnostic(refusal: &Refusal, file: &str, source: &Arc<str>) -> Diagnostic {
    let located = |at: &Range<usize>, title: String, label: &str| {
        Diagnostic::unlocated(file, title)
            .in_source(source.clone())
            .at(at.clone(), label)
    };
    match refusal {
        Refusal::TooDeep { at, level } => located(
            at,
            format!("the spec nests more than {MAX_NESTING} levels deep"),
            &format!("level {level} opens here"),
        )
        .note(
            "expected at most a few levels: `resources`, an endpoint, its paginator, a JSON \
             body; a deeper file is refused before it is read",
        ),
        Refusal::TooManyAliased { at, nodes } => {
            let alias = source.get(at.clone()).unwrap_or("this alias");
            located(
                at,
                format!(
                    "the spec's aliases stand for more than {MAX_ALIASED_NODES} nodes ({nodes} \
                     so far)"
                ),
                &format!("`{alias}` takes them past the limit"),
            )
            .note(
                "expected aliases to share a block a few times; aliases of aliases that \
                 multiply (a \"billion laughs\") are refused before they are expanded",
            )
        }
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn nesting_past_the_limit_is_refused_where_it_opens() {
        let mut budget = Budget::default();
        for level in 0..MAX_NESTING {
            budget.open(0, &(level..level + 1)).unwrap();
        }
        let refused = budget.open(0, &(99..100)).unwrap_err();
        assert_eq!(
            refused,
            Refusal::TooDeep {
                at: 99..100,
                level: MAX_NESTING + 1
            }
        );
    }

    #[test]
    fn aliases_count_what_they_stand_for() {
        // a: &a [x, y]  (3 nodes);  b: &b [*a, *a]  (1 + 3 + 3 = 7);  *b stands for 7
        let mut budget = Budget::default();
        budget.open(1, &(0..1)).unwrap();
        budget.scalar(0);
        budget.scalar(0);
        budget.close();
        budget.open(2, &(0..1)).unwrap();
        budget.alias(1, &(0..1)).unwrap();
        budget.alias(1, &(0..1)).unwrap();
        budget.close();
        budget.alias(2, &(5..7)).unwrap();
        assert_eq!(budget.aliased, 3 + 3 + 7);
    }
}
