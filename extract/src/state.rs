//! The `--state FILE`: where an extract run of one resource stands, as JSON. It is read at
//! the start of a run and replaced atomically (a file beside it, renamed over it) whenever
//! the output has taken more records, so a reader never sees half a state.

use std::io::Write;
use std::path::Path;

use restgen_runtime::{Checkpoint, ParentCheckpoints, ResumePoint};
use serde::{Deserialize, Serialize};

/// What a state file holds.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct State {
    /// The resource it is the state of; a state of another resource is refused.
    pub resource: String,
    /// The `--arg`s of the run, which a resume point is only good for.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub args: Vec<(String, String)>,
    /// Whether the run was a fan-out (`--all`).
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub all: bool,
    /// An incremental resource's checkpoint: the newest cursor value written out.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub checkpoint: Option<Checkpoint>,
    /// An incremental fan-out's checkpoint per parent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub parents: Option<ParentCheckpoints>,
    /// Set while a run is unfinished (it failed, was interrupted or died): the request the
    /// next run starts from, with the records before it all written out. Cleared by a run
    /// that ends.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub resume: Option<ResumePoint>,
}

impl State {
    /// Reads `path`; a missing file is a first run.
    pub fn load(path: &Path) -> Result<Option<State>, String> {
        let text = match std::fs::read_to_string(path) {
            Ok(text) => text,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
            Err(e) => return Err(format!("state {}: {e}", path.display())),
        };
        serde_json::from_str(&text)
            .map(Some)
            .map_err(|e| format!("state {}: not a state file: {e}", path.display()))
    }

    /// Checks that the state is one of this run: same resource, arguments and mode.
    pub fn check(
        &self,
        resource: &str,
        args: &[(String, String)],
        all: bool,
    ) -> Result<(), String> {
        if self.resource != resource || self.args != args || self.all != all {
            return Err(format!(
                "the state is of `{}`{}{}, not of this run; pass another --state file",
                self.resource,
                self.args
                    .iter()
                    .map(|(k, v)| format!(" --arg {k}={v}"))
                    .collect::<String>(),
                if self.all { " --all" } else { "" },
            ));
        }
        Ok(())
    }

    /// Writes the state to `path` atomically: to a file beside it, synced, renamed over it.
    pub fn save(&self, path: &Path) -> Result<(), String> {
        let failed = |e: &dyn std::fmt::Display| format!("state {}: {e}", path.display());
        let dir = match path.parent() {
            Some(dir) if !dir.as_os_str().is_empty() => dir,
            _ => Path::new("."),
        };
        let mut file = tempfile::NamedTempFile::new_in(dir).map_err(|e| failed(&e))?;
        let text = serde_json::to_vec_pretty(self).map_err(|e| failed(&e))?;
        file.write_all(&text).map_err(|e| failed(&e))?;
        file.write_all(b"\n").map_err(|e| failed(&e))?;
        file.as_file().sync_all().map_err(|e| failed(&e))?;
        file.persist(path).map_err(|e| failed(&e.error))?;
        Ok(())
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn a_state_survives_the_round_trip_and_a_missing_file_is_a_first_run() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("s.json");
        assert_eq!(State::load(&path), Ok(None));
        let state = State {
            resource: "contacts".into(),
            args: vec![("book".into(), "b1".into())],
            checkpoint: Some(Checkpoint {
                last_value: 300.into(),
                boundary: vec!["\"b\"".into()],
            }),
            ..State::default()
        };
        state.save(&path).unwrap();
        assert_eq!(State::load(&path), Ok(Some(state.clone())));
        // nothing left beside it
        assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 1);
        assert!(state.check("contacts", &state.args, false).is_ok());
        let other = state.check("users", &[], false).unwrap_err();
        assert!(
            other.contains("the state is of `contacts` --arg book=b1"),
            "{other}"
        );
    }

    #[test]
    fn a_file_that_is_not_a_state_is_an_error_naming_it() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("s.json");
        std::fs::write(&path, "[1, 2]").unwrap();
        let error = State::load(&path).unwrap_err();
        assert!(error.contains("s.json: not a state file"), "{error}");
    }
}
