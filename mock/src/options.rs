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

    /// Gives a secret or setting by name (`api_key`, `username`, ...).
    pub fn value(mut self, name: &str, value: &str) -> Self {
        self.values.insert(name.to_string(), value.to_string());
        self
    }

    /// Gives a stand-in for every secret and setting of `api`: `mock-<name>`, or, for a
    /// setting a request template reads (`format_datetime(config['start_date'], '%s')`),
    /// a datetime, which reads as text too, so the date functions have a date to read.
    pub fn stand_ins(mut self, api: &restgen::ir::ApiIr) -> Self {
        let read_by_templates: Vec<&str> = api
            .resources
            .iter()
            .flat_map(|r| r.descriptor.computed.iter())
            .flat_map(|c| c.expr.settings())
            .collect();
        for value in api.client.values.iter() {
            let stand_in = if read_by_templates.contains(&value.name.as_ref()) {
                "2024-01-01T00:00:00Z".to_string()
            } else {
                format!("mock-{}", value.name)
            };
            self.values.insert(value.name.to_string(), stand_in);
        }
        self
    }

    /// Adds a fault.
    pub fn fault(mut self, fault: Fault) -> Self {
        self.faults.push(fault);
        self
    }
}
