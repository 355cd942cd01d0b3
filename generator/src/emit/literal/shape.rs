//! Record shapes (`restgen_runtime::lenient`) as literals, in the compact form of the
//! runtime's `record_shape!` macro: a node is a word (`String`, `[3]`, `Integer | Null`)
//! and an object's fields are `"name" => node`, so the formatter flows a shape over a few
//! lines instead of one line per node and field. The macro expands to the same static data.

use proc_macro2::{Ident, Literal, Span, TokenStream};
use quote::quote;
use restgen_runtime::lenient::{Field, Kind, Node, RecordShape};

use super::ToLiteral;

impl ToLiteral for RecordShape {
    fn literal(&self) -> TokenStream {
        // every field named: a new one fails to compile until it is emitted
        let RecordShape { nodes, raw_field } = self;
        let nodes = nodes.iter().map(node);
        match raw_field {
            // ::restgen_runtime::record_shape! { raw_field = "_restgen_raw"; {"id" => 1 required}, String }
            Some(raw) => {
                let raw = raw.as_ref();
                quote!(::restgen_runtime::record_shape! { raw_field = #raw; #(#nodes),* })
            }
            // ::restgen_runtime::record_shape! { {"id" => 1 required}, String }
            None => quote!(::restgen_runtime::record_shape! { #(#nodes),* }),
        }
    }
}

/// One node: its kind, with `| Null` when it accepts `null`.
fn node(node: &Node) -> TokenStream {
    let Node { kind, nullable } = node;
    let kind = self::kind(kind);
    if *nullable {
        // String | Null
        quote!(#kind | Null)
    } else {
        kind
    }
}

fn kind(kind: &Kind) -> TokenStream {
    match kind {
        // Any
        Kind::Any => quote!(Any),
        // String: the `Scalar` variant's own name, so a new variant needs nothing here
        Kind::Scalar(scalar) => {
            let name = Ident::new(&format!("{scalar:?}"), Span::call_site());
            quote!(#name)
        }
        // [3]
        Kind::Array(item) => {
            let item = Literal::u32_unsuffixed(*item);
            quote!([#item])
        }
        // {"id" => 2 required, "name" => 1} or {"id" => 2; rest => 3}
        Kind::Object { fields, rest } => {
            let fields = fields.iter().map(field);
            match rest {
                Some(rest) => {
                    let rest = Literal::u32_unsuffixed(*rest);
                    quote!({ #(#fields),*; rest => #rest })
                }
                None => quote!({ #(#fields),* }),
            }
        }
    }
}

fn field(field: &Field) -> TokenStream {
    let Field {
        name,
        node,
        required,
    } = field;
    let name = name.as_ref();
    let node = Literal::u32_unsuffixed(*node);
    let required = required.then(|| quote!(required));
    // "verified" => 2 required
    quote!(#name => #node #required)
}
