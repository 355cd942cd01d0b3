//! Inputs written for the importer, in the shapes real dlt configs take: a template-style
//! source with a `RESTAPIConfig` assignment, `rest_api_resources` and comments; dlt's own
//! classes, secrets and config values; JSON alone or wrapped, with `<expr: ...>` values; a
//! document with indented and broken blocks. Each output is pinned by a snapshot.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use restgen_import::{Imported, Options};

fn import(rel: &str, options: &Options) -> Imported {
    let scratch = tempfile::tempdir().unwrap();
    let imported = common::import(rel, options, scratch.path())
        .unwrap_or_else(|failure| panic!("{rel}: {failure}"));
    let dir = scratch.path().join(&imported.shown_out);
    for (name, stub) in &imported.stubs {
        let on_disk = std::fs::read_to_string(dir.join(format!("schemas/{name}.json"))).unwrap();
        assert_eq!(&on_disk, stub);
    }
    assert_eq!(
        std::fs::read_to_string(dir.join("source.yaml")).unwrap(),
        imported.source_yaml
    );
    imported
}

/// The snapshot of an import: the YAML, then the notes, then restgen's verdict.
fn report(imported: &Imported) -> String {
    let check: Vec<String> = imported.check.iter().map(ToString::to_string).collect();
    format!(
        "{}\n--- notes\n{}\n--- restgen\n{}",
        imported.source_yaml,
        common::notes(imported),
        if check.is_empty() {
            "generates".into()
        } else {
            check.join("\n")
        }
    )
}

#[test]
fn template_with_restapiconfig_and_comments() {
    let imported = import("inputs/github_template.py", &Options::default());
    // rest_api_resources has no name=, the enclosing @dlt.source(name="github") has
    assert_eq!(imported.api, "github");
    assert!(imported.check.is_empty());
    assert_eq!(
        imported.stubs.len(),
        3,
        "issues, issue_comments and the bare `labels`"
    );
    let yaml = &imported.source_yaml;
    assert!(
        yaml.contains("token: {secret: access_token} # from secrets.toml"),
        "{yaml}"
    );
    assert!(
        yaml.contains("  # GitHub takes a personal access token\n  auth:"),
        "{yaml}"
    );
    assert!(
        yaml.contains(
            "  # Comments of each issue: one request per issue\n  - name: issue_comments"
        )
    );
    insta::assert_snapshot!(report(&imported));
}

#[test]
fn classes_secrets_and_literals() {
    let imported = import("inputs/classes.py", &Options::default());
    assert_eq!(
        imported.api, "shop",
        "from rest_api_source(..., name=\"shop\")"
    );
    assert_eq!(
        imported.fill_ins, 0,
        "the custom auth class is a `type: custom` marker, not a fill-in"
    );
    assert!(
        imported.source_yaml.contains("type: custom")
            && imported.source_yaml.contains("name: SignedRequestAuth"),
        "{}",
        imported.source_yaml
    );
    insta::assert_snapshot!(report(&imported));
}

#[test]
fn wrapped_json_with_code_placeholders() {
    let imported = import("inputs/wrapped.json", &Options::default());
    assert_eq!(imported.fill_ins, 1);
    insta::assert_snapshot!(report(&imported));
}

#[test]
fn plain_json() {
    let imported = import("inputs/plain.json", &Options::default());
    assert!(imported.check.is_empty(), "{:?}", imported.check);
    assert!(imported.notes.is_empty());
    insta::assert_snapshot!(report(&imported));
}

#[test]
fn document_with_indented_and_broken_blocks() {
    let imported = import("inputs/document.md", &Options::default());
    assert!(imported.check.is_empty());
    // locations are the document's own: the data_selector is on line 28, column 37
    let selector = imported
        .notes
        .iter()
        .find(|n| n.message.contains("data_selector"))
        .unwrap();
    assert_eq!((selector.at.line, selector.at.column), (28, 37));
    insta::assert_snapshot!(report(&imported));
}

#[test]
fn one_of_several_configs() {
    let options = Options {
        pick: Some(2),
        ..Default::default()
    };
    let imported = import("inputs/two_sources.py", &options);
    assert_eq!(imported.api, "berries");
    assert!(imported.source_yaml.contains("  - berry\n"));
}

#[test]
fn an_existing_spec_is_kept_without_force() {
    let scratch = tempfile::tempdir().unwrap();
    let options = Options {
        name: Some("pokeapi".into()),
        ..Default::default()
    };
    let path = common::fixtures().join("inputs/plain.json");
    let import =
        |force| restgen_import::import_into(&path, "plain.json", &options, scratch.path(), force);
    import(false).unwrap();
    let dir = scratch.path().join("specs/pokeapi");
    std::fs::write(dir.join("source.yaml"), "edited").unwrap();
    std::fs::write(dir.join("schemas/berry.json"), "{\"type\": \"object\"}").unwrap();

    let failure = import(false).unwrap_err().to_string();
    assert!(
        failure.contains("already holds a spec; pass --force"),
        "{failure}"
    );
    assert_eq!(
        std::fs::read_to_string(dir.join("source.yaml")).unwrap(),
        "edited"
    );

    let (_, written) = import(true).unwrap();
    assert!(
        !written.iter().any(|f| f.ends_with("berry.json")),
        "{written:?}"
    );
    assert_eq!(
        std::fs::read_to_string(dir.join("schemas/berry.json")).unwrap(),
        "{\"type\": \"object\"}"
    );
    assert_ne!(
        std::fs::read_to_string(dir.join("source.yaml")).unwrap(),
        "edited"
    );
    let leftovers: Vec<_> = std::fs::read_dir(&dir)
        .unwrap()
        .filter_map(Result::ok)
        .filter(|e| e.file_name().to_string_lossy().contains("import-new"))
        .collect();
    assert!(leftovers.is_empty());
}

#[test]
fn airbyte_constructs_are_rewritten_and_noted() {
    let imported = import("inputs/airbyte.md", &Options::default());
    assert!(imported.check.is_empty(), "{:?}", imported.check);
    insta::assert_snapshot!(report(&imported));
}

#[test]
fn datetime_cursors_become_windows_and_time_comparisons() {
    let imported = import("inputs/datetime_cursors.md", &Options::default());
    // the spec generates: every window written reaches a request, every format is valid
    assert!(imported.check.is_empty(), "{:?}", imported.check);
    let yaml = &imported.source_yaml;
    // an end of now in any strftime is no end value; the bounds are placeholders
    assert!(!yaml.contains("end_value: \""), "{yaml}");
    assert!(yaml.contains("from: \"{start_time}\""), "{yaml}");
    assert!(yaml.contains("X-Until: \"{end_time}\""), "{yaml}");
    assert!(yaml.contains("after: \"{start_time}\""), "{yaml}");
    assert!(yaml.contains("lookback: P1M"), "{yaml}");
    // bounds from settings, dlt's or Airbyte's Jinja, are settings; a secret start is not read
    assert!(
        yaml.contains("initial_value: {config: start_date}"),
        "{yaml}"
    );
    assert!(yaml.contains("end_value: {config: end_date}"), "{yaml}");
    assert!(yaml.contains("end_value: {config: comets_until}"), "{yaml}");
    assert!(
        yaml.contains("initial_value: {config: tides_since}"),
        "{yaml}"
    );
    assert!(yaml.contains("end_value: {config: tides_until}"), "{yaml}");
    assert!(!yaml.contains("initial_value: {secret"), "{yaml}");
    insta::assert_snapshot!(report(&imported));
}

#[test]
fn date_macros_and_partitions_from_a_setting_are_imported() {
    let imported = import("inputs/dates.md", &Options::default());
    assert!(imported.check.is_empty(), "{:?}", imported.check);
    let yaml = &imported.source_yaml;
    // the date macros are templates the runtime computes, not literal text
    assert!(
        yaml.contains(r#"expr: "now_utc().strftime('%Y-%m-%dT%H:%M:%SZ')""#),
        "{yaml}"
    );
    assert!(
        yaml.contains(r#"expr: "day_delta(-7, format='%Y-%m-%d')""#),
        "{yaml}"
    );
    assert!(yaml.contains("str(today_utc())"), "{yaml}");
    // the sync state's fallback is kept; a value of the state alone stays literal
    assert!(
        yaml.contains(r#"expr: "format_datetime(config['start_date'], '%s')""#),
        "{yaml}"
    );
    assert!(
        yaml.contains("{{{{ stream_interval['end_time'] }}}}"),
        "{yaml}"
    );
    // the partition values are the setting's
    assert!(yaml.contains("values: {config: years}"), "{yaml}");
    insta::assert_snapshot!(report(&imported));
}

#[test]
fn processing_steps_and_response_rules_are_imported() {
    let imported = import("inputs/steps_and_rules.md", &Options::default());
    assert!(imported.check.is_empty(), "{:?}", imported.check);
    let yaml = &imported.source_yaml;
    // the lambdas restgen reads are filters; the map that builds a dict is left out
    assert!(yaml.contains("record[\"status\"] == \"docked\""), "{yaml}");
    assert!(yaml.contains("record[\"name\"].startswith"), "{yaml}");
    assert!(!yaml.contains("port: quay"), "{yaml}");
    // Airbyte's record_filter, transformations and response_filters
    assert!(yaml.contains("record['weight'] > 10"), "{yaml}");
    assert!(yaml.contains("rate_limited"), "{yaml}");
    assert!(!yaml.contains("path: [window]"), "{yaml}");
    insta::assert_snapshot!(report(&imported));
}

#[test]
fn auth_kinds_without_a_spec_form() {
    for pick in [1, 2] {
        let options = Options {
            pick: Some(pick),
            ..Options::default()
        };
        let imported = import("inputs/auth_kinds.py", &options);
        assert!(imported.check.is_empty(), "{:?}", imported.check);
        insta::assert_snapshot!(format!("auth_kinds_{pick}"), report(&imported));
    }
}
