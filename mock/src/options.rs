//! What the mock serves and expects: record counts, secrets, page sizes and injected faults.

use std::collections::BTreeMap;

/// How a 429 says how long to wait.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RetryAfter {
    /// `Retry-After: <seconds>`.
    Seconds(u64),
    /// `retry-after-ms: <ms>`, with `Retry-After` rounded up to whole seconds beside it.
    Millis(u64),
}

/// A failure injected into the answers of one resource.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FaultKind {
    /// One `429 Too Many Requests`.
    TooManyRequests {
        /// The wait it asks for.
        retry_after: RetryAfter,
    },
    /// `count` answers in a row with `status` (a 5xx).
    ServerErrors {
        /// The status.
        status: u16,
        /// How many requests in a row get it.
        count: usize,
        /// The wait each of them asks for, if any.
        retry_after: Option<RetryAfter>,
    },
}

/// Where a fault strikes: the `request`-th request (counting from 1) routed to `resource`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Fault {
    /// The resource.
    pub resource: String,
    /// Which of its requests, from 1.
    pub request: usize,
    /// What happens.
    pub kind: FaultKind,
}

/// What the mock serves and expects.
#[derive(Debug, Clone)]
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

    /// Adds a fault.
    pub fn fault(mut self, fault: Fault) -> Self {
        self.faults.push(fault);
        self
    }
}
