//! Incremental bounds read from the client's settings (`initial_value: {config: start_date}`,
//! dlt's `initial_value=dlt.config["start_date"]`): bound into the config when a run starts,
//! cast as dlt casts a setting, checked against the declared datetime formats.

use std::borrow::Cow;

use serde_json::Value;

use super::IncrementalConfig;
use super::windows::read_instant;
use crate::client::ClientCore;
use crate::error::Error;

/// An incremental bound that could not be read from its setting: the key (`initial_value`
/// or `end_value`), the setting's name, and why.
pub type SettingError = (&'static str, String, SettingProblem);

/// Why an incremental bound could not be read from its setting.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SettingProblem {
    /// The client was given no value for the setting.
    Missing,
    /// The value is no datetime in the block's declared formats.
    NotADatetime {
        /// The value as given.
        value: String,
        /// The declared formats, for the message.
        formats: Vec<String>,
    },
}

impl std::fmt::Display for SettingProblem {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            SettingProblem::Missing => write!(
                f,
                "the client was not given (set it on the builder, or in the environment with \
                 `from_env`)"
            ),
            SettingProblem::NotADatetime { value, formats } => write!(
                f,
                "is `{value}`, not a datetime in the declared formats ({})",
                formats.join(", ")
            ),
        }
    }
}

impl IncrementalConfig {
    /// The settings the block's bounds are read from.
    pub fn settings(&self) -> impl Iterator<Item = &str> {
        self.initial_value_config
            .iter()
            .chain(self.end_value_config.iter())
            .map(AsRef::as_ref)
    }

    /// The formats a cursor value or a bound is read in: `cursor_datetime_formats`, then
    /// `datetime_format`. Empty when the cursor does not compare as time.
    pub fn datetime_formats(&self) -> Vec<&str> {
        let mut formats: Vec<&str> = self
            .cursor_datetime_formats
            .iter()
            .map(AsRef::as_ref)
            .collect();
        formats.extend(self.datetime_format.as_deref());
        formats
    }

    /// Whether `value` can be a start or end value: anything when the cursor does not
    /// compare as time, else a datetime in the declared formats (or RFC 3339, an ISO date).
    pub fn is_bound(&self, value: &Value) -> bool {
        let formats = self.datetime_formats();
        formats.is_empty() || read_instant(value, &formats).is_some()
    }

    /// The block with its bounds read from the client's settings (`setting(name)`): each
    /// value cast as dlt's `dlt.config[..]` casts one (`true`/`false`, an integer, a float,
    /// else the text) and, with datetime formats, read as a datetime in them. Borrowed when
    /// no bound comes from a setting.
    pub fn with_settings(
        &self,
        setting: &dyn Fn(&str) -> Option<String>,
    ) -> Result<Cow<'_, IncrementalConfig>, SettingError> {
        if self.initial_value_config.is_none() && self.end_value_config.is_none() {
            return Ok(Cow::Borrowed(self));
        }
        let read = |key: &'static str, name: &str| {
            let fail = |problem| (key, name.to_string(), problem);
            let text = setting(name).ok_or_else(|| fail(SettingProblem::Missing))?;
            let value = auto_cast(&text);
            if !self.is_bound(&value) {
                return Err(fail(SettingProblem::NotADatetime {
                    value: text,
                    formats: self
                        .datetime_formats()
                        .iter()
                        .map(|f| f.to_string())
                        .collect(),
                }));
            }
            Ok(Cow::Owned(value.to_string()))
        };
        let mut bound = self.clone();
        if let Some(name) = &self.initial_value_config {
            bound.initial_value = Some(read("initial_value", name)?);
        }
        if let Some(name) = &self.end_value_config {
            bound.end_value = Some(read("end_value", name)?);
        }
        Ok(Cow::Owned(bound))
    }
}

/// `config` with its bounds read from `core`'s settings when a run of `resource` starts: a
/// setting it lacks or cannot read is [`Error::IncrementalSetting`].
pub(crate) fn bind<'a>(
    config: &'a IncrementalConfig,
    core: &ClientCore,
    resource: &str,
) -> Result<Cow<'a, IncrementalConfig>, Error> {
    config
        .with_settings(&|name| core.setting(name))
        .map_err(|(key, setting, problem)| Error::IncrementalSetting {
            resource: resource.to_string(),
            key,
            setting,
            problem,
        })
}

/// A setting's text as dlt's `dlt.config[..]` returns it (`auto_cast`): `true`/`false` in
/// any case a boolean, an integer or a float a number, a JSON list or object that, anything
/// else the text itself.
pub fn auto_cast(text: &str) -> Value {
    match text.to_ascii_lowercase().as_str() {
        "true" => return Value::Bool(true),
        "false" => return Value::Bool(false),
        _ => {}
    }
    if let Ok(n) = text.trim().parse::<i64>() {
        return Value::from(n);
    }
    if let Some(n) = text
        .trim()
        .parse::<f64>()
        .ok()
        .and_then(serde_json::Number::from_f64)
    {
        return Value::Number(n);
    }
    match serde_json::from_str::<Value>(text) {
        Ok(v @ (Value::Array(_) | Value::Object(_))) => v,
        _ => Value::String(text.to_string()),
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    fn config() -> IncrementalConfig {
        IncrementalConfig {
            initial_value_config: Some(Cow::Borrowed("start_date")),
            ..IncrementalConfig::DEFAULT
        }
    }

    #[test]
    fn settings_are_cast_as_dlt_casts_them() {
        assert_eq!(auto_cast("2024-01-01"), Value::from("2024-01-01"));
        assert_eq!(auto_cast("1700000000"), Value::from(1_700_000_000_i64));
        assert_eq!(auto_cast("TRUE"), Value::Bool(true));
        assert_eq!(auto_cast("1.5"), serde_json::json!(1.5));
        assert_eq!(auto_cast("[1]"), serde_json::json!([1]));
        assert_eq!(auto_cast("\"quoted\""), Value::from("\"quoted\""));
        // not finite: no JSON number, kept as text
        assert_eq!(auto_cast("nan"), Value::from("nan"));
    }

    #[test]
    fn the_setting_becomes_the_initial_value() {
        let config = config();
        let bound = config
            .with_settings(&|n| (n == "start_date").then(|| "2024-03-01".to_string()))
            .unwrap();
        assert_eq!(bound.initial_value.as_deref(), Some("\"2024-03-01\""));
        let numeric = config.with_settings(&|_| Some("42".into())).unwrap();
        assert_eq!(numeric.initial_value.as_deref(), Some("42"));
    }

    #[test]
    fn a_missing_setting_names_it() {
        let (key, name, problem) = config().with_settings(&|_| None).unwrap_err();
        assert_eq!((key, name.as_str()), ("initial_value", "start_date"));
        assert_eq!(problem, SettingProblem::Missing);
    }

    #[test]
    fn a_value_not_in_the_format_is_refused() {
        let config = IncrementalConfig {
            end_value_config: Some(Cow::Borrowed("until")),
            datetime_format: Some(Cow::Borrowed("%Y-%m-%dT%H:%M:%SZ")),
            ..config()
        };
        let setting = |n: &str| {
            Some(match n {
                "start_date" => "2024-01-01T00:00:00Z".to_string(),
                _ => "next tuesday".to_string(),
            })
        };
        let (key, name, problem) = config.with_settings(&setting).unwrap_err();
        assert_eq!((key, name.as_str()), ("end_value", "until"));
        assert!(
            problem
                .to_string()
                .contains("is `next tuesday`, not a datetime"),
            "{problem}"
        );
    }
}
