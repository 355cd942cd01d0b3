//! The five APIs as the demo runs them: for each, the secrets its builder takes, the resources
//! it pages directly and the children it fans out over every parent (`<child>_all()`). A spec
//! resource missing here still gets a row, marked, and a test fails until it is listed.

use std::path::Path;
use std::time::{Duration, Instant};

use restgen_mock::{MockApi, MockOptions};
use restgen_runtime::futures::{StreamExt, TryStreamExt};
use restgen_runtime::{FanOut, ResourceRequest};

/// One resource's run.
#[derive(Debug, Clone)]
pub struct Row {
    /// `api.resource`.
    pub name: String,
    /// Records received.
    pub records: usize,
    /// Pages received (for a fan-out: the child's pages over every parent).
    pub pages: usize,
    /// How long it took.
    pub time: Duration,
    /// What went wrong, if anything did.
    pub problem: Option<String>,
}

/// What the demo does with every API.
#[derive(Debug, Clone, Copy)]
pub struct Settings {
    /// Records per resource (per parent, for a child).
    pub records: usize,
    /// The seed of the records.
    pub seed: u64,
}

/// Pages through `request`, counting records and pages; every record the mock has for
/// `resource` must arrive.
async fn count_pages<T>(
    request: ResourceRequest<T>,
    mock: &MockApi,
    resource: &str,
) -> Result<(usize, usize), String>
where
    T: restgen_runtime::serde::de::DeserializeOwned + Send + 'static,
{
    let mut pages = request.pages();
    let (mut records, mut count) = (0, 0);
    while let Some(page) = pages.next().await {
        let page = page.map_err(|e| e.to_string())?;
        records += page.records.len();
        count += 1;
    }
    let served = mock
        .records(resource, &[])
        .map_err(|e| e.to_string())?
        .len();
    complete(records, served)?;
    Ok((records, count))
}

/// Whether all `served` records arrived.
fn complete(records: usize, served: usize) -> Result<(), String> {
    if records == served {
        Ok(())
    } else {
        Err(format!("{records} records arrived of the {served} served"))
    }
}

/// Walks every parent and pages the child for each; the pages are the ones the mock served
/// to the child, as a fan-out hands out records, not pages.
async fn count_fan_out<T>(
    fan_out: FanOut<T>,
    mock: &MockApi,
    child: &str,
) -> Result<(usize, usize), String>
where
    T: restgen_runtime::serde::de::DeserializeOwned + Send + 'static,
{
    let records = fan_out
        .stream()
        .try_fold(0, |n, _| async move { Ok(n + 1) })
        .await
        .map_err(|e| e.to_string())?;
    let served: Vec<_> = mock
        .requests_for(child)
        .into_iter()
        .filter_map(|r| r.served)
        .collect();
    complete(records, served.iter().map(|page| page.count).sum())?;
    Ok((records, served.len()))
}

/// Starts the mock of `api` (from `specs/<api>`) with a stand-in for every secret.
async fn start(root: &Path, api: &str, settings: Settings) -> anyhow::Result<MockApi> {
    let spec = restgen_mock::load_api(&root.join("specs").join(api))?;
    let mut options = MockOptions::new()
        .records(settings.records)
        .seed(settings.seed);
    for value in spec.client.values.iter() {
        options = options.value(&value.name, &stand_in(&value.name));
    }
    let mock = MockApi::start(&spec, options).await?;
    eprintln!("{api}: mock at {}", mock.base_url());
    Ok(mock)
}

/// The value the demo gives secret `name`, on both sides.
fn stand_in(name: &str) -> String {
    format!("demo-{name}")
}

/// A row from a run, with progress on stderr.
fn row(
    api: &str,
    resource: &str,
    started: Instant,
    outcome: Result<(usize, usize), String>,
) -> Row {
    let name = format!("{api}.{resource}");
    let time = started.elapsed();
    let (records, pages, problem) = match outcome {
        Ok((records, pages)) => (records, pages, None),
        Err(e) => (0, 0, Some(e)),
    };
    match &problem {
        None => eprintln!("  {name}: {records} records, {pages} pages"),
        Some(e) => eprintln!("  {name}: FAILED: {e}"),
    }
    Row {
        name,
        records,
        pages,
        time,
        problem,
    }
}

/// Rows for the spec's resources the listing leaves out, so none goes unnoticed.
fn unlisted(mock: &MockApi, api: &str, listed: &[&str]) -> Vec<Row> {
    mock.routes()
        .into_iter()
        .filter(|route| !listed.contains(&route.resource.as_str()))
        .map(|route| Row {
            name: format!("{api}.{}", route.resource),
            records: 0,
            pages: 0,
            time: Duration::ZERO,
            problem: Some("not in the demo's listing (demo/src/apis.rs)".into()),
        })
        .collect()
}

/// For each API: its secrets, its directly paged resources and its fan-out children.
macro_rules! apis {
    ($(
        $krate:ident {
            secrets: [$($secret:ident),* $(,)?],
            resources: [$($resource:ident),* $(,)?],
            fan_out: [$($child:ident => $all:ident),* $(,)?] $(,)?
        }
    )*) => {
        /// Every API and the resources the demo runs, by name, to compare with `specs/`.
        #[cfg(test)]
        pub const LISTED: &[(&str, &[&str])] = &[
            $((stringify!($krate), &[$(stringify!($resource),)* $(stringify!($child),)*]),)*
        ];

        /// Runs every resource of every API, in order.
        pub async fn run_all(root: &Path, settings: Settings) -> anyhow::Result<Vec<Row>> {
            let mut rows = Vec::new();
            $(
            {
                let api = stringify!($krate);
                let mock = start(root, api, settings).await?;
                let client = ::$krate::Client::builder()
                    $(.$secret(stand_in(stringify!($secret))))*
                    .base_url(mock.base_url())
                    .build()?;
                $(
                mock.clear_requests();
                let started = Instant::now();
                let outcome = count_pages(client.$resource(), &mock, stringify!($resource)).await;
                rows.push(row(api, stringify!($resource), started, outcome));
                )*
                $(
                mock.clear_requests();
                let started = Instant::now();
                let outcome = count_fan_out(client.$all(), &mock, stringify!($child)).await;
                rows.push(row(api, stringify!($child), started, outcome));
                )*
                let listed: &[&str] = &[$(stringify!($resource),)* $(stringify!($child),)*];
                rows.extend(unlisted(&mock, api, listed));
            }
            )*
            Ok(rows)
        }
    };
}

apis! {
    document_signing {
        secrets: [api_key_id, auth_token],
        resources: [user, user_modified_documents, crm_contacts, signing_links],
        fan_out: [],
    }
    esign {
        secrets: [api_key],
        resources: [
            signature_requests,
            contacts,
            users,
            workspaces,
            electronic_seal_images,
            templates,
            labels,
        ],
        fan_out: [signature_requests_followers => signature_requests_followers_all],
    }
    incident_alerts {
        secrets: [api_token],
        resources: [users, teams, services, integrations, incidents, alerts],
        fan_out: [],
    }
    shared_inbox {
        secrets: [api_key],
        resources: [contact_books, users, teams, shared_labels, organizations, conversations],
        fan_out: [contacts => contacts_all, contact_groups => contact_groups_all],
    }
    shipping {
        secrets: [username],
        resources: [
            batches,
            addresses,
            trackers,
            metadata_carriers,
            end_shippers,
            webhooks,
            users_children,
            carrier_accounts,
            api_keys,
        ],
        fan_out: [],
    }
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeSet;

    use super::*;

    #[test]
    fn the_demo_lists_every_spec_and_every_resource() {
        let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
        let mut specs = BTreeSet::new();
        for entry in std::fs::read_dir(root.join("specs")).unwrap() {
            let dir = entry.unwrap().path();
            if dir.join("source.yaml").is_file() {
                let api = restgen_mock::load_api(&dir).unwrap();
                let resources: BTreeSet<String> =
                    api.resources.iter().map(|r| r.name.clone()).collect();
                let listed = LISTED
                    .iter()
                    .find(|(name, _)| *name == api.api)
                    .map(|(_, listed)| listed.iter().map(|r| r.to_string()).collect());
                assert_eq!(listed, Some(resources), "{}", api.api);
                specs.insert(api.api);
            }
        }
        let listed: BTreeSet<String> = LISTED.iter().map(|(name, _)| name.to_string()).collect();
        assert_eq!(listed, specs);
    }
}
