//! The template language: the seeds' forms, the bare forms of converted configs, membership,
//! tests, filters and settings, and the located errors.
#![allow(clippy::unwrap_used)]

use super::*;

#[test]
fn seed_templates_compile() {
    for t in [
        r#"{{ response.get("paging", {}).get("next", {}) }}"#,
        r#"{{ not response.get("paging", {}).get("next", {}) }}"#,
        r#"{{ not response.get("has_more", {}) }}"#,
        r#"{{ last_record["id"] }}"#,
        r#"{{ headers.link.next }}"#,
        r#"{{ last_page_size < 50 or not response.has_more }}"#,
    ] {
        assert!(compile(t).is_ok(), "{t}: {:?}", compile(t));
    }
}

#[test]
fn shape_of_not_get() {
    let e = compile(r#"{{ not response.get("has_more", {}) }}"#).unwrap();
    let expected = Expr::Not(Cow::Owned(vec![Expr::Get(Cow::Owned(vec![
        Expr::Var(Var::Response),
        Expr::Lit(Literal::Str("has_more".into())),
        Expr::Lit(Literal::EmptyObject),
    ]))]));
    assert_eq!(e, expected);
}

fn field(name: &str) -> Expr {
    Expr::Get(ops(vec![Expr::Var(Var::Response), lit_str(name)]))
}

#[test]
fn bare_forms_and_response_fields_by_name() {
    // the bare expression means what the braced one does
    assert_eq!(
        compile("not response.get('has_more', False)").unwrap(),
        compile("{{ not response.get('has_more', False) }}").unwrap()
    );
    // a name that is no variable is a field of the response
    assert_eq!(compile("has_more").unwrap(), field("has_more"));
    assert_eq!(
        compile("_links.next is none").unwrap(),
        Expr::Cmp(
            CmpOp::Eq,
            ops(vec![
                Expr::Get(ops(vec![field("_links"), lit_str("next")])),
                Expr::Lit(Literal::None)
            ])
        )
    );
    // single braces around the whole
    assert_eq!(
        compile("{response['comic_id']+1}").unwrap(),
        Expr::Call(
            Func::Add,
            ops(vec![field("comic_id"), Expr::Lit(Literal::Int(1))])
        )
    );
    assert_eq!(compile("none").unwrap(), Expr::Lit(Literal::None));
}

#[test]
fn names_read_as_response_fields_are_noted() {
    assert_eq!(
        response_fields("{{ not respnse.has_more and 'é' == x }}"),
        vec![(7, "respnse".to_string()), (35, "x".to_string())]
    );
    // a variable, a key after `.` or a string is not one
    assert!(response_fields("{{ response.respnse or last_record['x'] }}").is_empty());
    assert!(response_fields("{{ broken").is_empty());
}

#[test]
fn membership_tests_filters_and_settings() {
    let not_in = compile("{{ 'next' not in headers['link'] }}").unwrap();
    assert_eq!(
        not_in,
        Expr::Not(ops(vec![Expr::In(ops(vec![
            lit_str("next"),
            Expr::Get(ops(vec![Expr::Var(Var::Headers), lit_str("link")]))
        ]))]))
    );
    assert!(matches!(
        compile("pagination.cursor is not defined").unwrap(),
        Expr::Not(_)
    ));
    assert!(matches!(
        compile("response.has_more is false").unwrap(),
        Expr::Cmp(CmpOp::Eq, _)
    ));
    // filters bind tighter than comparisons
    assert_eq!(
        compile("response.get('data')|length == 0").unwrap(),
        Expr::Cmp(
            CmpOp::Eq,
            ops(vec![
                Expr::Call(
                    Func::Length,
                    ops(vec![Expr::Get(ops(vec![
                        Expr::Var(Var::Response),
                        lit_str("data")
                    ]))])
                ),
                Expr::Lit(Literal::Int(0))
            ])
        )
    );
    assert!(compile("{{ response.get('next_offset')|tojson() }}").is_ok());
    let pages = compile("response.page > config['pages_to_fetch'] - 1").unwrap();
    assert_eq!(pages.settings(), vec!["pages_to_fetch"]);
}

#[test]
fn errors_are_located() {
    assert_eq!(
        compile("{{ response.items | sort }}")
            .unwrap_err()
            .to_string(),
        format!(
            "unsupported template `{{{{ response.items | sort }}}}` at column 21: filter `sort` \
             is not supported; use `length`, `tojson`, `string`, `int`, `float`, `lower`, \
             `upper` or `trim` (supported: {SUPPORTED})"
        )
    );
    let what = |t: &str| compile(t).unwrap_err().what;
    assert!(what("{{ config }}").contains("`config` is read as"));
    assert!(what("{{ response.keys() }}").contains("method `keys` is not supported"));
    assert!(what("x is odd").contains("`is odd`"));
    assert!(what("a ; b").contains("unexpected character `;`"));
    // the second template is where it goes wrong
    let e = compile("{{ a }} and {{ b }}").unwrap_err();
    assert!(e.what.contains("a single"), "{e:?}");
    assert_eq!(e.at, 5);
    let e = compile("{{ 'é' | x }}").unwrap_err();
    assert_eq!(e.at, 9, "a character offset, not a byte offset");
}

#[test]
fn record_expressions_read_the_record_and_python_forms() {
    let record = |name: &str| Expr::Get(ops(vec![Expr::Var(Var::Record), lit_str(name)]));
    // a bare name is a field of the record; `record` is the record
    assert_eq!(
        compile_record("status == 'active'").unwrap(),
        compile_record("{{ record['status'] == 'active' }}").unwrap()
    );
    assert_eq!(
        compile_record("record.tier in ['gold', 'silver']").unwrap(),
        Expr::In(ops(vec![
            record("tier"),
            Expr::List(ops(vec![lit_str("gold"), lit_str("silver")]))
        ]))
    );
    assert_eq!(
        compile_record("record['price'] * 2 + 1 > 9.5").unwrap(),
        Expr::Cmp(
            CmpOp::Gt,
            ops(vec![
                Expr::Call(
                    Func::Add,
                    ops(vec![
                        Expr::Call(
                            Func::Mul,
                            ops(vec![record("price"), Expr::Lit(Literal::Int(2))])
                        ),
                        Expr::Lit(Literal::Int(1))
                    ])
                ),
                Expr::Lit(Literal::Float(9.5))
            ])
        )
    );
    assert_eq!(
        compile_record("record['name'].lower().startswith('a')").unwrap(),
        Expr::Call(
            Func::StartsWith,
            ops(vec![
                Expr::Call(Func::Lower, ops(vec![record("name")])),
                lit_str("a")
            ])
        )
    );
    assert_eq!(
        compile_record("len(record['tags']) >= 2").unwrap(),
        Expr::Cmp(
            CmpOp::Ge,
            ops(vec![
                Expr::Call(Func::Length, ops(vec![record("tags")])),
                Expr::Lit(Literal::Int(2))
            ])
        )
    );
    // in a paging template, `record` stays a field of the response
    assert_eq!(
        compile("record").unwrap(),
        Expr::Get(ops(vec![Expr::Var(Var::Response), lit_str("record")]))
    );
    assert!(compile_record("[1, 2,]").is_ok());
    assert!(compile_record("[1, 2").is_err());
}

#[test]
fn date_macros_compile_with_airbytes_arguments() {
    let now = || Expr::Var(Var::Now);
    assert_eq!(compile("{{ now_utc() }}").unwrap(), now());
    assert_eq!(
        compile("day_delta(-30, format='%Y-%m-%d')").unwrap(),
        Expr::Call(
            Func::DayDelta,
            ops(vec![
                now(),
                Expr::Lit(Literal::Int(-30)),
                lit_str("%Y-%m-%d")
            ])
        )
    );
    // keywords in any order land in Airbyte's positions
    assert_eq!(
        compile("format_datetime(format='%s', dt=config['start'])").unwrap(),
        compile("format_datetime(config['start'], '%s')").unwrap()
    );
    for t in [
        "now_utc().strftime('%Y-%m-%dT%H:%M:%SZ')",
        "(now_utc() - duration('P1D')).isoformat()",
        "today_utc()",
        "now_utc().date()",
        "timestamp(str_to_datetime(config['start']))",
        "max(1, 2, 3) + min([4, 5])",
        "format_datetime(config['start'], '%Y', input_format='%d/%m/%Y')",
    ] {
        assert!(compile(t).is_ok(), "{t}: {:?}", compile(t));
    }
}

#[test]
fn date_macro_mistakes_are_located() {
    for (t, what, column) in [
        (
            "day_delta()",
            "`day_delta()` takes the arguments (num_days, format)",
            1,
        ),
        ("now_utc(1)", "`now_utc()` takes no arguments", 9),
        ("day_delta(1, fromat='%Y')", "has no argument `fromat`", 14),
        (
            "day_delta(num_days=1, num_days=2)",
            "is given `num_days` twice",
            23,
        ),
        (
            "day_delta(format='%Y', 1)",
            "a positional argument follows a keyword",
            24,
        ),
        ("now_local()", "function `now_local` is not supported", 1),
        (
            "today_with_timezone('Europe/Paris')",
            "no time zone database",
            1,
        ),
        (
            "now_utc().strftime()",
            "`.strftime()` takes one argument",
            11,
        ),
        (
            "now_utc().replace(day=1)",
            "method `replace` is not supported",
            11,
        ),
        ("max()", "`max()` takes a list or two values or more", 1),
    ] {
        let e = compile(t).unwrap_err();
        assert!(e.what.contains(what), "{t}: {}", e.what);
        assert_eq!(e.at + 1, column, "{t}: {e}");
    }
}
