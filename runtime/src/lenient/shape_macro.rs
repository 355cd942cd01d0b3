//! `record_shape!`: the compact form in which generated crates write a [`RecordShape`]
//! (`super::RecordShape`), so that a record type's shape takes a few lines rather than one
//! per node and field. It expands to the same static data, checked by the compiler.

/// A [`RecordShape`](crate::lenient::RecordShape) as static data, its nodes in order
/// (node 0 is the record), each one of:
///
/// - a [`Scalar`](crate::lenient::Scalar) variant's name (`String`, `Integer`, ..), or `Any`;
/// - `[n]`: an array of node `n`;
/// - `{"name" => n, "id" => 2 required, ..}`: an object, its fields sorted by name, each with
///   its node and whether the schema requires it; `{.. ; rest => n}` types its other fields;
/// - `node | Null`: the node, also accepting `null`.
///
/// A leading `raw_field = "_restgen_raw";` names the record's field for values kept raw.
///
/// ```
/// use restgen_runtime::lenient::{Kind, RecordShape, Scalar};
/// static USER: RecordShape = restgen_runtime::record_shape! {
///     raw_field = "_restgen_raw";
///     {"id" => 1 required, "tags" => 2}, String, [1] | Null
/// };
/// assert_eq!(USER.nodes.len(), 3);
/// assert_eq!(USER.nodes[1].kind, Kind::Scalar(Scalar::String));
/// assert!(USER.nodes[2].nullable && USER.nodes[2].kind == Kind::Array(1));
/// assert_eq!(USER.raw_field.as_deref(), Some("_restgen_raw"));
/// ```
#[macro_export]
macro_rules! record_shape {
    (raw_field = $raw:literal; $($node:tt $(| $null:ident)?),* $(,)?) => {
        $crate::lenient::RecordShape {
            nodes: ::std::borrow::Cow::Borrowed(&[$($crate::__shape_node!($node $($null)?)),*]),
            raw_field: ::std::option::Option::Some(::std::borrow::Cow::Borrowed($raw)),
        }
    };
    ($($node:tt $(| $null:ident)?),* $(,)?) => {
        $crate::lenient::RecordShape {
            nodes: ::std::borrow::Cow::Borrowed(&[$($crate::__shape_node!($node $($null)?)),*]),
            raw_field: ::std::option::Option::None,
        }
    };
}

/// One node of [`record_shape!`]: a struct expression, so that its field list is `'static`.
#[doc(hidden)]
#[macro_export]
macro_rules! __shape_node {
    ($node:tt Null) => {
        $crate::lenient::Node {
            kind: $crate::__shape_kind!($node),
            nullable: true,
        }
    };
    ($node:tt) => {
        $crate::lenient::Node {
            kind: $crate::__shape_kind!($node),
            nullable: false,
        }
    };
}

/// What one node of [`record_shape!`] wants.
#[doc(hidden)]
#[macro_export]
macro_rules! __shape_kind {
    (Any) => {
        $crate::lenient::Kind::Any
    };
    ($scalar:ident) => {
        $crate::lenient::Kind::Scalar($crate::lenient::Scalar::$scalar)
    };
    ([$item:literal]) => {
        $crate::lenient::Kind::Array($item)
    };
    ({ $($name:literal => $node:literal $($required:ident)?),* $(,)? }) => {
        $crate::__shape_object!([$($name => $node $($required)?),*] ::std::option::Option::None)
    };
    ({ $($name:literal => $node:literal $($required:ident)?),* ; rest => $rest:literal }) => {
        $crate::__shape_object!(
            [$($name => $node $($required)?),*] ::std::option::Option::Some($rest)
        )
    };
}

/// The kind of an object node of [`record_shape!`].
#[doc(hidden)]
#[macro_export]
macro_rules! __shape_object {
    ([$($name:literal => $node:literal $($required:ident)?),*] $rest:expr) => {
        $crate::lenient::Kind::Object {
            fields: ::std::borrow::Cow::Borrowed(&[$(
                $crate::lenient::Field {
                    name: ::std::borrow::Cow::Borrowed($name),
                    node: $node,
                    required: $crate::__shape_required!($($required)?),
                }
            ),*]),
            rest: $rest,
        }
    };
}

/// Whether a field of [`record_shape!`] is required: `required` or nothing.
#[doc(hidden)]
#[macro_export]
macro_rules! __shape_required {
    () => {
        false
    };
    (required) => {
        true
    };
}
