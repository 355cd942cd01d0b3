//! `cargo xtask generate [API...] [--check]`: every spec is generated in memory first; only
//! when all succeed is anything written, each crate swapped in as a whole, so a failed run
//! leaves the old files untouched.

use std::collections::BTreeMap;
use std::io::IsTerminal;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::{Context, Result, bail};
use restgen::emit::CrateFiles;

use restgen::SPEC_FOLDERS;

/// The folder of spec `api`, shown relative to `root` (`specs/esign`), and its path. A path
/// to a spec folder anywhere (`target/catalog/specs/box`) is taken as it is.
pub fn find_spec(root: &Path, api: &str) -> Result<(String, PathBuf)> {
    if api.contains(['/', '\\']) && Path::new(api).join("source.yaml").is_file() {
        return Ok((api.trim_end_matches('/').to_string(), PathBuf::from(api)));
    }
    SPEC_FOLDERS
        .iter()
        .map(|folder| (format!("{folder}/{api}"), root.join(folder).join(api)))
        .find(|(_, dir)| dir.join("source.yaml").is_file())
        .with_context(|| format!("no spec `{api}` under {}/", SPEC_FOLDERS.join("/ or ")))
}

/// Runs the task from the workspace `root`.
pub fn run(root: &Path, only: &[String], check: bool) -> Result<ExitCode> {
    let mut folders = BTreeMap::new();
    for folder in SPEC_FOLDERS {
        for api in list_apis(&root.join(folder))? {
            if let Some(previous) = folders.insert(api.clone(), *folder) {
                bail!("spec `{api}` is in both {previous}/ and {folder}/");
            }
        }
    }
    let mut apis: Vec<String> = folders.keys().cloned().collect();
    if !only.is_empty() {
        for api in only {
            if !apis.contains(api) {
                bail!(
                    "no spec `{api}` under {}/ (known: {})",
                    SPEC_FOLDERS.join("/, "),
                    apis.join(", ")
                );
            }
        }
        apis.retain(|a| only.contains(a));
    }
    let styled = std::io::stderr().is_terminal() && std::env::var_os("NO_COLOR").is_none();
    let mut generated = BTreeMap::new();
    let mut failed = Vec::new();
    for api in &apis {
        let folder = folders.get(api).copied().unwrap_or("specs");
        let shown = format!("{folder}/{api}");
        match restgen::generate(&root.join(&shown), &shown) {
            Ok(out) => {
                for warning in &out.warnings {
                    eprintln!("{}\n", warning.render(styled));
                }
                generated.insert(api.clone(), out.files);
            }
            Err(diagnostics) => {
                // every spec is checked, so one run shows every error of every spec
                eprintln!("{}\n", diagnostics.render(styled));
                let errors = diagnostics.error_count();
                eprintln!(
                    "{shown}: {errors} error{}\n",
                    if errors == 1 { "" } else { "s" }
                );
                failed.push(shown);
            }
        }
    }
    if !failed.is_empty() {
        eprintln!(
            "generation failed ({} of {} specs: {}); nothing was written",
            failed.len(),
            apis.len(),
            failed.join(", ")
        );
        return Ok(ExitCode::FAILURE);
    }
    let out_dir = root.join("generated");
    if check {
        let stale = stale_files(&out_dir, &generated, only.is_empty())?;
        if stale.is_empty() {
            println!("generated/ is up to date ({} crates)", generated.len());
            return Ok(ExitCode::SUCCESS);
        }
        eprintln!("generated/ is stale; run `cargo xtask generate` and commit the result:");
        for file in stale {
            eprintln!("  {file}");
        }
        return Ok(ExitCode::FAILURE);
    }
    std::fs::create_dir_all(&out_dir)?;
    for (api, files) in &generated {
        let changed = write_crate(&out_dir, api, files)?;
        println!(
            "generated/{api}: {} files{}",
            files.len(),
            if changed { " (updated)" } else { ", unchanged" }
        );
    }
    Ok(ExitCode::SUCCESS)
}

fn list_apis(specs_dir: &Path) -> Result<Vec<String>> {
    let mut apis = Vec::new();
    if !specs_dir.is_dir() {
        return Ok(apis);
    }
    for entry in
        std::fs::read_dir(specs_dir).with_context(|| format!("reading {}", specs_dir.display()))?
    {
        let entry = entry?;
        if entry.path().join("source.yaml").is_file()
            && let Some(name) = entry.file_name().to_str()
        {
            apis.push(name.to_string());
        }
    }
    apis.sort();
    Ok(apis)
}

/// Every file that differs, is missing, or should not be there.
fn stale_files(
    out_dir: &Path,
    generated: &BTreeMap<String, CrateFiles>,
    all: bool,
) -> Result<Vec<String>> {
    let mut stale = Vec::new();
    for (api, files) in generated {
        let dir = out_dir.join(api);
        for (path, content) in files {
            let on_disk = std::fs::read_to_string(dir.join(path)).unwrap_or_default();
            if on_disk.replace("\r\n", "\n") != *content {
                stale.push(format!("generated/{api}/{path}"));
            }
        }
        for extra in list_files(&dir)? {
            if !files.contains_key(&extra) {
                stale.push(format!("generated/{api}/{extra} (not generated any more)"));
            }
        }
    }
    if all && out_dir.is_dir() {
        for entry in std::fs::read_dir(out_dir)? {
            let name = entry?.file_name().to_string_lossy().to_string();
            if !generated.contains_key(&name) {
                stale.push(format!("generated/{name} (no spec any more)"));
            }
        }
    }
    stale.sort();
    Ok(stale)
}

fn list_files(dir: &Path) -> Result<Vec<String>> {
    let mut out = Vec::new();
    if !dir.is_dir() {
        return Ok(out);
    }
    let mut stack = vec![dir.to_path_buf()];
    while let Some(current) = stack.pop() {
        for entry in std::fs::read_dir(&current)? {
            let path = entry?.path();
            if path.is_dir() {
                stack.push(path);
            } else if let Ok(rel) = path.strip_prefix(dir) {
                out.push(rel.to_string_lossy().replace('\\', "/"));
            }
        }
    }
    out.sort();
    Ok(out)
}

/// Writes a crate into a sibling temp folder, then swaps it in. Returns whether it changed.
fn write_crate(out_dir: &Path, api: &str, files: &CrateFiles) -> Result<bool> {
    let target = out_dir.join(api);
    let unchanged = list_files(&target)? == files.keys().cloned().collect::<Vec<_>>()
        && files.iter().all(|(path, content)| {
            std::fs::read_to_string(target.join(path)).is_ok_and(|c| c == *content)
        });
    if unchanged {
        return Ok(false);
    }
    let staging: PathBuf = out_dir.join(format!(".{api}.new"));
    let old: PathBuf = out_dir.join(format!(".{api}.old"));
    for leftover in [&staging, &old] {
        if leftover.exists() {
            std::fs::remove_dir_all(leftover)?;
        }
    }
    for (path, content) in files {
        let file = staging.join(path);
        if let Some(parent) = file.parent() {
            std::fs::create_dir_all(parent)?;
        }
        std::fs::write(&file, content).with_context(|| format!("writing {}", file.display()))?;
    }
    if target.exists() {
        std::fs::rename(&target, &old)?;
    }
    std::fs::rename(&staging, &target)
        .with_context(|| format!("moving the new generated/{api} into place"))?;
    if old.exists() {
        std::fs::remove_dir_all(&old)?;
    }
    Ok(true)
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    const GOOD: &str = "client:\n  base_url: https://api.example.com\nresources:\n  - name: items\n    endpoint: {path: /items, paginator: single_page}\n";
    const SCHEMA: &str = r#"{"type": "object", "properties": {"id": {"type": "string"}}}"#;

    /// A workspace root with the specs `(api, source)`, each with a schema for `items`.
    fn root(specs: &[(&str, &str)]) -> tempfile::TempDir {
        let tmp = tempfile::tempdir().unwrap();
        for (api, source) in specs {
            let dir = tmp.path().join("specs").join(api);
            std::fs::create_dir_all(dir.join("schemas")).unwrap();
            std::fs::write(dir.join("source.yaml"), source).unwrap();
            std::fs::write(dir.join("schemas/items.json"), SCHEMA).unwrap();
        }
        tmp
    }

    /// Every file under `dir` with its contents.
    fn snapshot(dir: &Path) -> BTreeMap<String, String> {
        list_files(dir)
            .unwrap()
            .into_iter()
            .map(|f| {
                let text = std::fs::read_to_string(dir.join(&f)).unwrap();
                (f, text)
            })
            .collect()
    }

    #[test]
    fn a_broken_spec_writes_nothing_for_any_api() {
        let tmp = root(&[("good", GOOD), ("also_good", GOOD)]);
        assert_eq!(run(tmp.path(), &[], false).unwrap(), ExitCode::SUCCESS);
        let before = snapshot(&tmp.path().join("generated"));
        assert!(before.keys().any(|f| f.starts_with("good/src/")));

        // change a good spec (its crate would change) and break another one
        let changed = GOOD.replace("/items", "/v2/items");
        std::fs::write(tmp.path().join("specs/good/source.yaml"), changed).unwrap();
        let broken = tmp.path().join("specs/broken");
        std::fs::create_dir_all(&broken).unwrap();
        std::fs::write(
            broken.join("source.yaml"),
            "client: {}\nresources: [items]\n",
        )
        .unwrap();

        assert_eq!(run(tmp.path(), &[], false).unwrap(), ExitCode::FAILURE);
        assert_eq!(
            snapshot(&tmp.path().join("generated")),
            before,
            "a failed run leaves every generated file as it was"
        );
        let leftovers: Vec<_> = std::fs::read_dir(tmp.path().join("generated"))
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().to_string())
            .filter(|n| n.starts_with('.'))
            .collect();
        assert!(
            leftovers.is_empty(),
            "no staging folders left: {leftovers:?}"
        );
    }

    #[test]
    fn generating_twice_changes_nothing() {
        let tmp = root(&[("good", GOOD)]);
        assert_eq!(run(tmp.path(), &[], false).unwrap(), ExitCode::SUCCESS);
        let first = snapshot(&tmp.path().join("generated"));
        assert_eq!(run(tmp.path(), &[], false).unwrap(), ExitCode::SUCCESS);
        assert_eq!(snapshot(&tmp.path().join("generated")), first);
        assert_eq!(run(tmp.path(), &[], true).unwrap(), ExitCode::SUCCESS);
    }
}
