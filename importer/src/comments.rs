//! Python comments, taken from the parser's tokens, and the rule that gives each one to the
//! value it belongs to: a comment on a value's line trails it, a comment on a line of its own
//! goes before the next key, and one after the last item stays at the end of its dict.

use ruff_python_ast::token::Tokens;
use ruff_text_size::Ranged;

use crate::source::Block;
use crate::tree::{Comments, Node};

/// One `# ...` comment of a block.
#[derive(Debug, Clone)]
struct Comment {
    /// Byte offset of the `#`.
    start: usize,
    /// The text after `#`, trimmed.
    text: String,
}

/// The comments of one block, in order, with the block to tell their lines.
#[derive(Debug, Clone)]
pub struct CommentMap<'a> {
    block: &'a Block,
    comments: Vec<Comment>,
}

/// The items of a dict or list, as byte ranges, for [`CommentMap::attach`].
#[derive(Debug, Clone, Copy)]
pub struct Span {
    /// Where the item starts (a dict entry: its key).
    pub start: usize,
    /// Where the item ends.
    pub end: usize,
}

impl<'a> CommentMap<'a> {
    /// The comments among `tokens` of `block`.
    pub fn new(block: &'a Block, tokens: &Tokens) -> CommentMap<'a> {
        let comments = tokens
            .iter()
            .filter(|t| t.kind().is_comment())
            .filter_map(|t| {
                let range = t.range();
                let raw = block
                    .code
                    .get(range.start().to_usize()..range.end().to_usize())?;
                Some(Comment {
                    start: range.start().to_usize(),
                    text: raw.trim_start_matches('#').trim().to_string(),
                })
            })
            .collect();
        CommentMap { block, comments }
    }

    /// A map without comments (for code that has none, such as a JSON placeholder).
    pub fn none(block: &'a Block) -> CommentMap<'a> {
        CommentMap {
            block,
            comments: Vec::new(),
        }
    }

    fn line(&self, offset: usize) -> usize {
        self.block.loc(offset).line
    }

    /// The comments starting in `from..to`.
    fn between(&self, from: usize, to: usize) -> impl Iterator<Item = &Comment> {
        let first = self.comments.partition_point(|c| c.start < from);
        self.comments[first..]
            .iter()
            .take_while(move |c| c.start < to)
    }

    /// Gives the comments inside a container spanning `open..close` to its items
    /// (`nodes[i]` spans `spans[i]`) and to the container's own `comments`.
    pub fn attach(
        &self,
        open: usize,
        close: usize,
        spans: &[Span],
        nodes: &mut [&mut Node],
        own: &mut Comments,
    ) {
        let open_line = self.line(open);
        let mut previous_end = open;
        for (i, span) in spans.iter().enumerate() {
            let previous_line = self.line(previous_end);
            let item_line = self.line(span.start);
            for c in self.between(previous_end, span.start) {
                let line = self.line(c.start);
                if i == 0 && line == open_line {
                    own.trailing.push(c.text.clone());
                } else if i > 0 && line == previous_line {
                    nodes[i - 1].comments.trailing.push(c.text.clone());
                } else if line >= item_line {
                    nodes[i].comments.trailing.push(c.text.clone());
                } else {
                    nodes[i].comments.before.push(c.text.clone());
                }
            }
            previous_end = span.end;
        }
        let previous_line = self.line(previous_end);
        for c in self.between(previous_end, close) {
            let line = self.line(c.start);
            match nodes.last_mut() {
                Some(last) if line == previous_line => last.comments.trailing.push(c.text.clone()),
                _ if spans.is_empty() && line == open_line => own.trailing.push(c.text.clone()),
                _ => own.inner_end.push(c.text.clone()),
            }
        }
    }
}
