//! Record shapes (`restgen_runtime::lenient`) as literals. They are written with short names
//! (`Node`, `Kind`, `Cow`), which the `shapes` module of `descriptors.rs` imports, and the
//! runtime's `const fn` constructors, so a field is one line of the generated file.

use proc_macro2::TokenStream;
use quote::quote;
use restgen_runtime::lenient::{Field, Kind, Node, RecordShape, Scalar};

use super::{ToLiteral, full_literal};

/// The imports the literals below need, for the module that holds them.
pub fn shape_imports() -> TokenStream {
    // use ::restgen_runtime::lenient::{Field, Kind, Node, RecordShape, Scalar}; use ::std::borrow::Cow;
    quote! {
        use ::restgen_runtime::lenient::{Field, Kind, Node, RecordShape, Scalar};
        use ::std::borrow::Cow;
    }
}

impl ToLiteral for RecordShape {
    fn literal(&self) -> TokenStream {
        // RecordShape { nodes: Cow::Borrowed(&[Node::new(..), ..]), raw_field: Some(Cow::Borrowed("_restgen_raw")) }
        full_literal!(self => RecordShape { nodes, raw_field })
    }
}

impl ToLiteral for Node {
    fn literal(&self) -> TokenStream {
        // Node { kind: Kind::Scalar(Scalar::Bool), nullable: true }: a struct expression, not a
        // `const fn` call, so the field lists inside it are promoted to `'static`
        full_literal!(self => Node { kind, nullable })
    }
}

impl ToLiteral for Kind {
    fn literal(&self) -> TokenStream {
        match self {
            // Kind::Any
            Kind::Any => quote!(Kind::Any),
            // Kind::Scalar(Scalar::Integer)
            Kind::Scalar(scalar) => {
                let scalar = scalar.literal();
                quote!(Kind::Scalar(#scalar))
            }
            // Kind::Array(3)
            Kind::Array(item) => {
                let item = item.literal();
                quote!(Kind::Array(#item))
            }
            // Kind::Object { fields: Cow::Borrowed(&[Field { .. }]), rest: None }
            Kind::Object { fields, rest } => {
                let fields = fields.iter().map(ToLiteral::literal);
                let rest = match rest {
                    // Some(4)
                    Some(node) => {
                        let node = node.literal();
                        quote!(Some(#node))
                    }
                    // None
                    None => quote!(None),
                };
                quote!(Kind::Object { fields: Cow::Borrowed(&[#(#fields),*]), rest: #rest })
            }
        }
    }
}

impl ToLiteral for Scalar {
    fn literal(&self) -> TokenStream {
        // Scalar::Bool / Scalar::Integer / Scalar::Number / Scalar::String / Scalar::Timestamp /
        // Scalar::Date
        match self {
            Scalar::Bool => quote!(Scalar::Bool),
            Scalar::Integer => quote!(Scalar::Integer),
            Scalar::Number => quote!(Scalar::Number),
            Scalar::String => quote!(Scalar::String),
            Scalar::Timestamp => quote!(Scalar::Timestamp),
            Scalar::Date => quote!(Scalar::Date),
        }
    }
}

impl ToLiteral for Field {
    fn literal(&self) -> TokenStream {
        // every field named: a new one fails to compile until it is emitted
        let Field {
            name,
            node,
            required,
        } = self;
        let name = name.as_ref();
        let (node, required) = (node.literal(), required.literal());
        // Field::new("verified", 2, false)
        quote!(Field::new(#name, #node, #required))
    }
}
