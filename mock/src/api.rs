//! [`MockApi`]: starting the server for a spec and asking it what it served.

use std::collections::{BTreeMap, HashMap};
use std::net::SocketAddr;
use std::path::Path;
use std::sync::{Arc, Mutex, MutexGuard};

use restgen::ir::{ApiIr, ResourceIr};
use serde_json::Value;

use crate::error::MockError;
use crate::fault::Fault;
use crate::log::RecordedRequest;
use crate::oauth::TOKEN_PATH;
use crate::options::MockOptions;
use crate::plan::{AuthRule, Plan};
use crate::server::accept;
use crate::state::State;

/// Loads and resolves the spec in `dir` (e.g. `specs/esign`).
pub fn load_api(dir: &Path) -> Result<ApiIr, MockError> {
    let shown = dir.display().to_string();
    let spec = restgen::spec::load_spec(dir, &shown).map_err(|e| MockError::Spec(e.to_string()))?;
    restgen::ir::resolve(&spec).map_err(|e| MockError::Spec(e.to_string()))
}

/// One resource's route, as the mock serves it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Route {
    /// The resource.
    pub resource: String,
    /// `GET` or `POST`.
    pub method: &'static str,
    /// The path, placeholders as `{name}`: `/v3/signature_requests/{sign_req}/followers`.
    pub path: String,
    /// Why the mock cannot serve it (it answers 501), if it cannot.
    pub unsupported: Option<String>,
}

/// A running mock of one API. Dropping it stops the server and closes its connections.
pub struct MockApi {
    addr: SocketAddr,
    base_url: String,
    shared: Arc<Mutex<State>>,
    page_sizes: HashMap<String, Option<usize>>,
    client_values: BTreeMap<String, String>,
    server: tokio::task::JoinHandle<()>,
}

impl std::fmt::Debug for MockApi {
    // The state holds the credentials the mock expects: show where it is, nothing more.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("MockApi")
            .field("base_url", &self.base_url)
            .finish_non_exhaustive()
    }
}

impl Drop for MockApi {
    fn drop(&mut self) {
        self.server.abort();
    }
}

impl MockApi {
    /// Binds `127.0.0.1` on a free port and serves every resource of `api`.
    pub async fn start(api: &ApiIr, options: MockOptions) -> Result<MockApi, MockError> {
        MockApi::start_on(api, options, 0).await
    }

    /// Binds `127.0.0.1:<port>` (any free port for 0) and serves every resource of `api`.
    /// Only loopback: the mock is for this machine alone.
    pub async fn start_on(
        api: &ApiIr,
        options: MockOptions,
        port: u16,
    ) -> Result<MockApi, MockError> {
        let listener = tokio::net::TcpListener::bind(("127.0.0.1", port))
            .await
            .map_err(MockError::Io)?;
        let addr = listener.local_addr().map_err(MockError::Io)?;
        let origin = format!("http://{addr}");
        let base_url = crate::plan::with_values(&api.client.base_url, &options.values);
        let base_path = url::Url::parse(&base_url)
            .map(|u| u.path().to_string())
            .unwrap_or_else(|_| "/".to_string());
        let mut plans = Vec::new();
        let mut page_sizes = HashMap::new();
        for resource in &api.resources {
            let plan = Plan::new(api, resource, &base_path, &options.values)?;
            page_sizes.insert(
                resource.name.clone(),
                plan.page_size(&resource.descriptor.paginator, options.max_page_size),
            );
            plans.push(plan);
        }
        // the client points its token URL setting at the mock's own endpoint
        let mut client_values = options.values.clone();
        for plan in &plans {
            if let AuthRule::OAuth2(endpoint) = &plan.auth
                && let Some(name) = &endpoint.url_value
            {
                client_values.insert(name.clone(), format!("{origin}{TOKEN_PATH}"));
            }
        }
        let shared = Arc::new(Mutex::new(State {
            origin: origin.clone(),
            plans,
            options,
            cache: HashMap::new(),
            log: Vec::new(),
            counts: HashMap::new(),
            issued: Vec::new(),
            preferred: None,
        }));
        let server = tokio::spawn(accept(listener, shared.clone()));
        Ok(MockApi {
            addr,
            base_url: format!("{origin}{base_path}"),
            shared,
            page_sizes,
            client_values,
            server,
        })
    }

    /// Every secret and setting a client of this mock needs, by name: the ones the options
    /// gave, and the OAuth2 token URL (a setting in the spec) pointing at the mock.
    pub fn client_values(&self) -> &BTreeMap<String, String> {
        &self.client_values
    }

    /// Every resource's route, in the spec's order.
    pub fn routes(&self) -> Vec<Route> {
        self.state()
            .plans
            .iter()
            .map(|plan| Route {
                resource: plan.name.clone(),
                method: plan.method_name(),
                path: plan.route_pattern(),
                unsupported: plan.unsupported.clone(),
            })
            .collect()
    }

    /// The URL of the mock's OAuth2 token endpoint, when a resource uses OAuth2: where a
    /// client's token URL must point (`ClientBuilder::token_url`) when the spec's is a
    /// literal URL.
    pub fn token_url(&self) -> Option<String> {
        self.state()
            .plans
            .iter()
            .any(|p| matches!(p.auth, AuthRule::OAuth2(_)))
            .then(|| format!("http://{}{TOKEN_PATH}", self.addr))
    }

    /// The address it listens on.
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// The base URL to give the client: the spec's base path on the mock's origin.
    pub fn base_url(&self) -> &str {
        &self.base_url
    }

    fn state(&self) -> MutexGuard<'_, State> {
        // a panic while holding the lock leaves the state usable: recover it
        self.shared.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Every request received so far, in order.
    pub fn requests(&self) -> Vec<RecordedRequest> {
        self.state().log.clone()
    }

    /// The requests routed to `resource`, in order.
    pub fn requests_for(&self, resource: &str) -> Vec<RecordedRequest> {
        self.state()
            .log
            .iter()
            .filter(|r| r.resource.as_deref() == Some(resource))
            .cloned()
            .collect()
    }

    /// Forgets the requests received so far (and the fault counters).
    pub fn clear_requests(&self) {
        let mut state = self.state();
        state.log.clear();
        state.counts.clear();
    }

    /// Changes the record count of `resource` from now on.
    pub fn set_records(&self, resource: &str, n: usize) -> Result<(), MockError> {
        let mut state = self.state();
        if !state.plans.iter().any(|p| p.name == resource) {
            return Err(MockError::UnknownResource(resource.to_string()));
        }
        state
            .options
            .records_per_resource
            .insert(resource.to_string(), n);
        state.cache.retain(|(name, _), _| name != resource);
        Ok(())
    }

    /// Makes `resource` answer the requests that several resources' routes fit equally well
    /// (the same path and fixed parameters: an API whose one endpoint several resources of a
    /// spec read); by default the first of them in the spec does.
    pub fn prefer(&self, resource: &str) -> Result<(), MockError> {
        let mut state = self.state();
        if !state.plans.iter().any(|p| p.name == resource) {
            return Err(MockError::UnknownResource(resource.to_string()));
        }
        state.preferred = Some(resource.to_string());
        Ok(())
    }

    /// Adds a fault from now on; its request count includes requests already received.
    pub fn add_fault(&self, fault: Fault) {
        self.state().options.faults.push(fault);
    }

    /// Replaces every fault from now on; their request counts include requests already
    /// received (see [`MockApi::clear_requests`]).
    pub fn set_faults(&self, faults: Vec<Fault>) {
        self.state().options.faults = faults;
    }

    /// The records `resource` serves for these arguments (`&[]` for a top-level resource;
    /// `&[("sign_req", "x")]` for a child), in the order it serves them, before any
    /// incremental start or end value filters them.
    pub fn records(&self, resource: &str, args: &[(&str, &str)]) -> Result<Vec<Value>, MockError> {
        let mut state = self.state();
        let index = state
            .plans
            .iter()
            .position(|p| p.name == resource)
            .ok_or_else(|| MockError::UnknownResource(resource.to_string()))?;
        let mut args: Vec<(String, String)> = args
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        args.sort();
        Ok(state.records(index, &args).as_ref().clone())
    }

    /// The value of each argument of `resource` bound to a parent's field, taken from the
    /// parent's first record as the fan-out would bind it (`None` for an argument no parent
    /// binds, or a parent without records), in argument order.
    pub fn parent_values(&self, resource: &ResourceIr) -> Vec<(String, Option<String>)> {
        resource
            .args
            .iter()
            .map(|arg| {
                let value = arg.parent.as_ref().and_then(|link| {
                    let parents = self.records(&link.resource, &[]).ok()?;
                    let raw = serde_json::value::to_raw_value(parents.first()?).ok()?;
                    let found = link.selector.first(&raw).ok()??;
                    Some(match serde_json::from_str(found.get()).ok()? {
                        Value::String(s) => s,
                        other => other.to_string(),
                    })
                });
                (arg.name.clone(), value)
            })
            .collect()
    }

    /// The page size the server uses for `resource` when the client sends the spec's own page
    /// size; `None` when it is served in one response.
    pub fn page_size(&self, resource: &str) -> Result<Option<usize>, MockError> {
        self.page_sizes
            .get(resource)
            .copied()
            .ok_or_else(|| MockError::UnknownResource(resource.to_string()))
    }

    /// Why the mock cannot serve `resource` (it answers 501), if it cannot.
    pub fn unsupported(&self, resource: &str) -> Option<String> {
        self.state()
            .plans
            .iter()
            .find(|p| p.name == resource)
            .and_then(|p| p.unsupported.clone())
    }
}
