//! Inputs the importer must refuse: each gets one located error (file:line:column in the
//! file the user has, for a document its own lines), and nothing is written.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use restgen_import::Options;

fn error(rel: &str) -> String {
    let scratch = tempfile::tempdir().unwrap();
    match common::import(rel, &Options::default(), scratch.path()) {
        Ok(_) => panic!("{rel} imported"),
        Err(failure) => failure.to_string(),
    }
}

macro_rules! broken {
    ($($test:ident: $file:literal => $needle:literal,)*) => {$(
        #[test]
        fn $test() {
            let message = error(concat!("broken/", $file));
            // `<file>:<line>:<column>: <message>` is shown as the message, then ` --> <place>`
            let (place, what) = $needle.split_once(": ").unwrap_or(("", $needle));
            let place = if place.starts_with("broken/") { place } else { "" };
            let what = if place.is_empty() { $needle } else { what };
            assert!(message.contains(&format!("--> {place}")), "{message}");
            assert!(message.contains(what), "{message}");
            insta::assert_snapshot!(message);
        }
    )*};
}

broken! {
    lambda: "lambda.py" => "broken/lambda.py:11:37: a lambda",
    variable: "variable.py" => "broken/variable.py:6:28: the variable `BASE_URL`",
    f_string: "fstring.py" => "broken/fstring.py:6:59: an f-string",
    call: "call.py" => "broken/call.py:13:38: a call to `isoformat`",
    syntax: "syntax.py" => "broken/syntax.py:5:5: this is not valid Python",
    syntax_in_document: "syntax_doc.md" => "broken/syntax_doc.md:13:9: this is not valid Python",
    no_config: "no_config.py" => "no dlt config found",
    no_code_block: "no_block.md" => "no ```python code block",
    unresolved_variable: "unresolved.py" => "broken/unresolved.py:5:28: the config passed to rest_api_source(...) is the variable `config`",
    unpacking: "unpacking.py" => "broken/unpacking.py:4:29: unpacking (`**CLIENT`)",
    secret_name: "secret_name.py" => "broken/secret_name.py:6:85: the name of a `dlt.secrets[...]` value must be a string literal",
    not_a_dict: "not_dict.py" => "is not a dict",
    operation: "binop.py" => "broken/binop.py:5:59: the `+` operation",
    conditional: "conditional.py" => "broken/conditional.py:5:28: a conditional expression",
    json_syntax: "trailing_comma.json" => "broken/trailing_comma.json:4:1: this is not valid JSON",
    json_without_config: "no_config.json" => "no config in this JSON",
    too_deep: "deep.py" => "nested more than 100 levels deep",
    missing_dlt_attribute: "missing_attribute.py" => "broken/missing_attribute.py:7:45: this code fails when it runs: `dlt.helpers_of_dates`",
}
