//! What the mock serves and expects: record counts, secrets, page sizes and injected faults.

use std::collections::BTreeMap;

use crate::fault::Fault;

/// What the mock serves and expects.
#[derive(Clone)]
pub struct MockOptions {
    /// Seed of every record.
    pub seed: u64,
    /// Records per resource (per parent, for children) unless set per resource.
    pub records: usize,
    /// Record counts per resource name.
    pub records_per_resource: BTreeMap<String, usize>,
    /// The largest page the server returns where the server picks the page size (cursors
    /// and links, and page numbers without a page size); requests may ask for less.
    pub max_page_size: usize,
    /// Secrets and settings by name, to compute the credentials requests must carry.
    pub values: BTreeMap<String, String>,
    /// Injected faults.
    pub faults: Vec<Fault>,
}

impl std::fmt::Debug for MockOptions {
    // The values are credentials: their names only.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("MockOptions")
            .field("seed", &self.seed)
            .field("records", &self.records)
            .field("records_per_resource", &self.records_per_resource)
            .field("max_page_size", &self.max_page_size)
            .field("values", &self.values.keys().collect::<Vec<_>>())
            .field("faults", &self.faults)
            .finish()
    }
}

impl Default for MockOptions {
    fn default() -> Self {
        MockOptions {
            seed: 7,
            records: 25,
            records_per_resource: BTreeMap::new(),
            max_page_size: 10,
            values: BTreeMap::new(),
            faults: Vec::new(),
        }
    }
}

impl MockOptions {
    /// The defaults: seed 7, 25 records per resource, pages of at most 10.
    pub fn new() -> Self {
        MockOptions::default()
    }

    /// Sets the seed.
    pub fn seed(mut self, seed: u64) -> Self {
        self.seed = seed;
        self
    }

    /// Sets the record count of every resource not set by [`MockOptions::records_for`].
    pub fn records(mut self, n: usize) -> Self {
        self.records = n;
        self
    }

    /// Sets the record count of one resource.
    pub fn records_for(mut self, resource: &str, n: usize) -> Self {
        self.records_per_resource.insert(resource.to_string(), n);
        self
    }

    /// Sets the largest page the server picks.
    pub fn max_page_size(mut self, n: usize) -> Self {
        self.max_page_size = n;
        self
    }

    /// Gives every secret and setting `api` names a stand-in value ([`stand_in`]).
    pub fn stand_ins(self, api: &restgen::ir::ApiIr) -> Self {
        api.client.values.iter().fold(self, |options, value| {
            let text = stand_in(api, &value.name);
            options.value(&value.name, &text)
        })
    }

    /// Gives a secret or setting by name (`api_key`, `username`, ...).
    pub fn value(mut self, name: &str, value: &str) -> Self {
        self.values.insert(name.to_string(), value.to_string());
        self
    }

    /// Adds a fault.
    pub fn fault(mut self, fault: Fault) -> Self {
        self.faults.push(fault);
        self
    }
}

/// A stand-in value for the secret or setting `name` of `api`: `mock-<name>`, but a datetime
/// where a request template reads it, or where a resource reads it as an incremental bound (`initial_value: {config: name}`), in
/// the bound's declared format, so the client can read it: a start long before the records
/// the mock writes, an end long after them.
pub fn stand_in(api: &restgen::ir::ApiIr, name: &str) -> String {
    use restgen_runtime::incremental::windows::format;
    let bound = api.resources.iter().find_map(|r| {
        let config = r.descriptor.incremental.as_ref()?;
        let start = config.initial_value_config.as_deref() == Some(name);
        let end = config.end_value_config.as_deref() == Some(name);
        (start || end).then_some((config, start))
    });
    let Some((config, start)) = bound else {
        // a setting a request template reads (`format_datetime(config['start_date'], '%s')`)
        // gets a datetime, which reads as text too, so the date functions have a date to read
        let read_by_templates = api
            .resources
            .iter()
            .flat_map(|r| r.descriptor.computed.iter())
            .any(|c| c.expr.settings().contains(&name));
        return if read_by_templates {
            "2024-01-01T00:00:00Z".to_string()
        } else {
            format!("mock-{name}")
        };
    };
    let at = if start {
        chrono::DateTime::UNIX_EPOCH + chrono::Duration::days(365 * 30)
    } else {
        chrono::DateTime::UNIX_EPOCH + chrono::Duration::days(365 * 130)
    };
    match config.datetime_formats().first() {
        Some(fmt) => format(at, fmt),
        None => at.to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
    }
}
