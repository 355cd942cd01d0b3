//! Inputs the property tests found that broke the generator, each kept as a named test
//! with the property that found it. The corpus (`tests/corpus/broken`) pins their messages.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use restgen::SpecFiles;
use restgen::ir::{jsonpath, template};

const SCHEMA: &str = r#"{"type": "object", "properties": {"id": {"type": "string"}}}"#;

fn generate(config: &str) -> Result<restgen::Generated, restgen::Diagnostics> {
    restgen::generate_files(&SpecFiles::in_memory("p", config, &[("items", SCHEMA)]))
}

/// `valid_specs_with_edge_values_generate_or_fail_cleanly`: `backoff_factor: .inf` (or
/// `.nan`) reached code emission, where proc-macro2 panics on a non-finite float literal.
#[test]
fn non_finite_backoff_factor_is_an_error_not_a_panic() {
    for factor in [".inf", "-.inf", ".nan", "-1"] {
        let config = format!(
            "client: {{base_url: 'https://x.example.com'}}\nresources:\n  - name: items\n    \
             endpoint: {{path: /items, paginator: single_page, error_handler: {{backoff_factor: {factor}}}}}\n"
        );
        let error = generate(&config).unwrap_err().to_string();
        assert!(
            error.contains("`backoff_factor` must be a finite number"),
            "{error}"
        );
    }
}

/// The same finding, at the emitter: a float that cannot be a literal still emits.
#[test]
fn floats_that_are_not_literals_still_emit() {
    use restgen::emit::ToLiteral;
    assert_eq!(f64::INFINITY.literal().to_string(), "f64 :: INFINITY");
    assert_eq!(
        f64::NEG_INFINITY.literal().to_string(),
        "f64 :: NEG_INFINITY"
    );
    assert_eq!(f64::NAN.literal().to_string(), "f64 :: NAN");
    assert_eq!(2.0f64.literal().to_string(), "2.0");
}

/// `near_valid_specs_never_panic_and_errors_are_located`: a resource named with no letter
/// or digit became the method `_`, and the emitted code did not parse (an unlocated error).
#[test]
fn a_resource_name_without_letters_is_a_located_error() {
    let diagnostics =
        generate("client: {base_url: 'https://x.example.com'}\nresources:\n  - '  : ÷𝒮  '\n")
            .unwrap_err();
    let error = &diagnostics.0[0];
    assert_eq!((error.line, error.column), (3, 5), "{error}");
    assert!(
        error.message.contains("no ASCII letter or digit"),
        "{error}"
    );
}

/// Found next to the previous one: two spellings of one name generate one method twice,
/// and the crate would not compile.
#[test]
fn resource_names_that_become_one_method_are_an_error() {
    let error = generate("client: {base_url: 'https://x.example.com'}\nresources: [a-b, a_b]\n")
        .unwrap_err()
        .to_string();
    assert!(error.contains("the client method `a_b`"), "{error}");
}

/// `jsonpaths_compile_or_fail_cleanly`: `*..*` compiled to a field named `*`, and a
/// selector's display (`$['*']..['*']`) did not compile back; names with quotes or `]`
/// did not either.
#[test]
fn jsonpath_display_reads_back() {
    for path in [
        "*..*",
        "$..['a b']",
        r"['it\'s']",
        "['a]b']",
        r#"["x\\y"]"#,
        "a.*",
    ] {
        match jsonpath::compile(path) {
            Ok(selector) => {
                let shown = selector.to_string();
                assert_eq!(
                    jsonpath::compile(&shown).ok(),
                    Some(selector),
                    "{path} -> {shown}"
                );
            }
            Err(e) => assert!(path.contains("..*"), "{path}: {e}"),
        }
    }
    assert!(jsonpath::compile("*").is_ok_and(|s| s.to_string() == "$[*]"));
}

/// Found by reading the output of `valid_specs_with_edge_values_generate_or_fail_cleanly`
/// (the property cannot compile what it generates): a resource named `self` got the record
/// type `Self`, which typify renamed `Self_`, so the client named a type that did not exist.
#[test]
fn a_resource_named_self_gets_a_record_type_the_client_can_name() {
    let files = SpecFiles::in_memory(
        "p",
        "client: {base_url: 'https://x.example.com'}\nresources:\n  - name: self\n    endpoint: {path: /x, paginator: single_page}\n",
        &[("self", SCHEMA)],
    );
    let generated = restgen::generate_files(&files).unwrap();
    assert!(generated.files["src/types.rs"].contains("pub struct XSelf {"));
    assert!(generated.files["src/client.rs"].contains("types::XSelf"));
}

/// `valid_specs_with_edge_values_generate_or_fail_cleanly`, after the typed parameter
/// setters came in: a resource named `7$=v/D` with a declared parameter named its setter
/// trait `7VDParams`, and `format_ident!` panicked. Names that differ only in punctuation
/// (`ab1`, `ab_1`) would also have named two traits `Ab1Params`.
#[test]
fn setter_traits_have_valid_distinct_names() {
    let config = "client: {base_url: 'https://x.example.com'}\nresources:\n  - name: '7$=v/D'\n    \
                  endpoint: {path: /a, params: {a: 1}}\n  - name: ab1\n    endpoint: {path: /b, \
                  params: {b: x}}\n  - name: ab_1\n    endpoint: {path: /c, params: {c: true}}\n";
    let schemas = [("7$=v/D", SCHEMA), ("ab1", SCHEMA), ("ab_1", SCHEMA)];
    let generated = restgen::generate_files(&SpecFiles::in_memory("p", config, &schemas)).unwrap();
    let params = &generated.files["src/params.rs"];
    for name in ["R7VDParams", "Ab1Params", "Ab12Params"] {
        assert!(
            params.contains(&format!("pub trait {name}: ParamRequest<")),
            "{name} in\n{params}"
        );
    }
    let client = &generated.files["src/client.rs"];
    assert!(client.contains("[`crate::params::Ab12Params`]"), "{client}");
}

/// Found by the `template` fuzz target under AddressSanitizer: a 3,900-byte template of
/// chained signs and subtractions compiled, and its evaluation overflowed the stack.
#[test]
fn deeply_nested_templates_are_a_located_error_not_a_stack_overflow() {
    let deep = [
        format!("{{{{ {}1 }}}}", "-".repeat(10_000)),
        format!("{{{{ {}x{} }}}}", "(".repeat(10_000), ")".repeat(10_000)),
        format!("{{{{ {}x }}}}", "not ".repeat(10_000)),
        format!("{{{{ x{} }}}}", " - x".repeat(10_000)),
        format!("{{{{ x{} }}}}", " | length".repeat(10_000)),
        format!("{{{{ x{} }}}}", ".a".repeat(10_000)),
    ];
    for template in &deep {
        let error = template::compile(template).err();
        let error = error.map(|e| e.what).unwrap_or_default();
        assert!(
            error.contains("nested more than 64 levels"),
            "{}...: {error:?}",
            &template[..40]
        );
    }
    // what real templates do stays well inside the limit
    let nested = format!(
        "{{{{ {}response.has_more{} }}}}",
        "(".repeat(30),
        ")".repeat(30)
    );
    assert!(template::compile(&nested).is_ok());
    let chain = format!("{{{{ last_page_size{} }}}}", " - 1".repeat(30));
    assert!(template::compile(&chain).is_ok());
}
