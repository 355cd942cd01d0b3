//! The Rust contenders, each run in a process of its own so its peak RSS is its own:
//! the generated client (`loopback`, exactly as a user calls it), the hand-written reference
//! (reqwest + serde_json into a plain struct) and the bytes-only limit (fetch, never parse).

use anyhow::{Context, Result, bail};
use futures::{Stream, TryStreamExt};

use crate::mock::Style;

/// Which Rust client runs.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum, serde::Serialize, serde::Deserialize,
)]
#[serde(rename_all = "snake_case")]
pub enum Contender {
    /// The generated `loopback` crate over restgen-runtime.
    Restgen,
    /// reqwest + serde_json into a hand-written struct, one page after the other.
    Handwritten,
    /// reqwest only: every page fetched, nothing parsed (the cursor is found by a byte search).
    BytesOnly,
}

/// What one run is asked to do.
#[derive(Debug, Clone, clap::Args)]
pub struct Job {
    /// The scenario's base URL, `http://127.0.0.1:<port>/<records>/<latency_ms>/<encoding>/`.
    #[arg(long)]
    pub base: String,
    /// The pagination style.
    #[arg(long, value_enum)]
    pub style: Style,
    /// Records per page (the generated client has offset resources for 100 and 1000).
    #[arg(long)]
    pub page_size: usize,
    /// Pages the generated client works on at once (`.concurrency(n)`); 1 is its default.
    #[arg(long, default_value_t = 1)]
    pub concurrency: usize,
}

/// What a run saw: enough to check that every record arrived exactly once.
#[derive(Debug, Default, Clone, Copy)]
pub struct Tally {
    /// Records received.
    pub records: u64,
    /// The sum of their ids (`0 + 1 + ... + n-1` when every record came once).
    pub id_sum: u64,
    /// Body bytes received (after decompression), where the contender sees them.
    pub bytes: u64,
}

impl Tally {
    fn add(&mut self, id: i64) {
        self.records += 1;
        self.id_sum = self.id_sum.wrapping_add(id as u64);
    }
}

/// Runs `contender` once.
pub async fn run(contender: Contender, job: &Job) -> Result<Tally> {
    match contender {
        Contender::Restgen => restgen(job).await,
        Contender::Handwritten => handwritten(job).await,
        Contender::BytesOnly => bytes_only(job).await,
    }
}

/// The id of a generated record, whichever resource's type it is.
trait HasId {
    fn id(&self) -> i64;
}

macro_rules! has_id {
    ($($t:ty),*) => {$(impl HasId for $t { fn id(&self) -> i64 { self.id.unwrap_or(-1) } })*};
}
has_id!(
    loopback::types::CursorItem,
    loopback::types::OffsetItem,
    loopback::types::OffsetItem100,
    loopback::types::PageItem
);

async fn restgen(job: &Job) -> Result<Tally> {
    let client = loopback::Client::builder().base_url(&job.base).build()?;
    let size = job.page_size;
    let n = job.concurrency.max(1);
    match (job.style, size) {
        (Style::Cursor, _) => {
            let request = client.cursor_items().param("page_size", size);
            count(request.concurrency(n).stream()).await
        }
        (Style::Offset, 1000) => count(client.offset_items().concurrency(n).stream()).await,
        (Style::Offset, 100) => count(client.offset_items_100().concurrency(n).stream()).await,
        (Style::Offset, other) => bail!("the offset resources page by 100 or 1000, not {other}"),
        (Style::PageNumber, _) => {
            let request = client.page_items().param("page_size", size);
            count(request.concurrency(n).stream()).await
        }
    }
}

async fn count<T: HasId>(
    records: impl Stream<Item = Result<T, loopback::Error>> + Unpin,
) -> Result<Tally> {
    let mut tally = Tally::default();
    let mut records = records;
    while let Some(record) = records.try_next().await? {
        tally.add(record.id());
    }
    Ok(tally)
}

/// The hand-written reference: what a developer writes against this API without restgen.
pub mod reference {
    use chrono::{DateTime, Utc};
    use serde::Deserialize;

    #[derive(Deserialize)]
    #[allow(dead_code)]
    pub struct Record {
        pub id: i64,
        pub uuid: String,
        pub name: String,
        pub email: String,
        pub status: Status,
        pub created_at: DateTime<Utc>,
        pub updated_at: Option<DateTime<Utc>>,
        pub amount: f64,
        pub currency: String,
        pub active: bool,
        pub score: i64,
        pub tags: Vec<String>,
        pub address: Address,
        pub description: String,
    }

    #[derive(Deserialize)]
    #[serde(rename_all = "lowercase")]
    pub enum Status {
        Active,
        Inactive,
        Pending,
    }

    #[derive(Deserialize)]
    #[allow(dead_code)]
    pub struct Address {
        pub street: String,
        pub city: String,
        pub zip: String,
        pub country: String,
    }

    #[derive(Deserialize)]
    pub struct CursorPage {
        pub data: Vec<Record>,
        pub next_cursor: Option<String>,
    }

    #[derive(Deserialize)]
    pub struct OffsetPage {
        pub data: Vec<Record>,
        pub total: usize,
    }

    #[derive(Deserialize)]
    pub struct NumberedPage {
        pub data: Vec<Record>,
        pub total_pages: usize,
    }
}

async fn get(http: &reqwest::Client, url: &str) -> Result<bytes::Bytes> {
    let response = http.get(url).send().await?.error_for_status()?;
    Ok(response.bytes().await?)
}

async fn handwritten(job: &Job) -> Result<Tally> {
    use reference::{CursorPage, NumberedPage, OffsetPage};
    let http = reqwest::Client::new();
    let base = job.base.trim_end_matches('/');
    let size = job.page_size;
    let mut tally = Tally::default();
    match job.style {
        Style::Cursor => {
            let mut url = format!("{base}/cursor?page_size={size}");
            loop {
                let page: CursorPage = serde_json::from_slice(&get(&http, &url).await?)?;
                page.data.iter().for_each(|r| tally.add(r.id));
                match page.next_cursor {
                    Some(cursor) => url = format!("{base}/cursor?page_size={size}&cursor={cursor}"),
                    None => break,
                }
            }
        }
        Style::Offset => {
            let mut offset = 0;
            loop {
                let url = format!("{base}/offset?offset={offset}&limit={size}");
                let page: OffsetPage = serde_json::from_slice(&get(&http, &url).await?)?;
                page.data.iter().for_each(|r| tally.add(r.id));
                offset += size;
                if offset >= page.total {
                    break;
                }
            }
        }
        Style::PageNumber => {
            let mut number = 1;
            loop {
                let url = format!("{base}/page_number?page={number}&page_size={size}");
                let page: NumberedPage = serde_json::from_slice(&get(&http, &url).await?)?;
                page.data.iter().for_each(|r| tally.add(r.id));
                number += 1;
                if number > page.total_pages {
                    break;
                }
            }
        }
    }
    Ok(tally)
}

/// The wire limit: the same requests, no JSON parsing. Records are counted by their `"id":`
/// keys and the paging values found by a byte search of the page's tail.
async fn bytes_only(job: &Job) -> Result<Tally> {
    let http = reqwest::Client::new();
    let base = job.base.trim_end_matches('/');
    let size = job.page_size;
    let mut tally = Tally::default();
    let mut count_page = |body: &[u8]| {
        tally.bytes += body.len() as u64;
        tally.records += memchr::memmem::find_iter(body, br#"{"id":"#).count() as u64;
    };
    match job.style {
        Style::Cursor => {
            let mut url = format!("{base}/cursor?page_size={size}");
            loop {
                let body = get(&http, &url).await?;
                count_page(&body);
                match tail_value(&body, b"\"next_cursor\":")? {
                    "null" => break,
                    cursor => {
                        let cursor = cursor.trim_matches('"');
                        url = format!("{base}/cursor?page_size={size}&cursor={cursor}");
                    }
                }
            }
        }
        Style::Offset => {
            let mut offset = 0;
            loop {
                let url = format!("{base}/offset?offset={offset}&limit={size}");
                let body = get(&http, &url).await?;
                count_page(&body);
                let total: usize = tail_value(&body, b"\"total\":")?.parse()?;
                offset += size;
                if offset >= total {
                    break;
                }
            }
        }
        Style::PageNumber => {
            let mut number = 1;
            loop {
                let url = format!("{base}/page_number?page={number}&page_size={size}");
                let body = get(&http, &url).await?;
                count_page(&body);
                let pages: usize = tail_value(&body, b"\"total_pages\":")?.parse()?;
                number += 1;
                if number > pages {
                    break;
                }
            }
        }
    }
    Ok(tally)
}

/// The value after the last `key` in `body`, up to the next `,` or `}`.
fn tail_value<'a>(body: &'a [u8], key: &[u8]) -> Result<&'a str> {
    let at = memchr::memmem::rfind(body, key).context("paging key not found")? + key.len();
    let rest = &body[at..];
    let end = rest
        .iter()
        .position(|b| matches!(b, b',' | b'}'))
        .unwrap_or(rest.len());
    Ok(std::str::from_utf8(&rest[..end])?.trim())
}
