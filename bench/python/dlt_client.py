"""The dlt contender of `cargo xtask bench`: dlt's RESTClient (the pinned dlt of
target/dlt-venv) paging through one loopback scenario, records parsed into dicts as dlt
yields them. Prints one JSON line in the same shape as the Rust contenders."""

import argparse
import json
import time

from dlt.sources.helpers.rest_client import RESTClient
from dlt.sources.helpers.rest_client.paginators import (
    JSONResponseCursorPaginator,
    OffsetPaginator,
    PageNumberPaginator,
)

from measure import cpu_seconds, peak_rss_kib


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--base", required=True)
    parser.add_argument("--style", required=True, choices=["cursor", "offset", "page-number"])
    parser.add_argument("--page-size", type=int, required=True)
    args = parser.parse_args()

    started = time.perf_counter()
    cpu_started = cpu_seconds()
    client = RESTClient(base_url=args.base)
    size = args.page_size
    if args.style == "cursor":
        pages = client.paginate(
            "cursor",
            params={"page_size": size},
            paginator=JSONResponseCursorPaginator(cursor_path="next_cursor", cursor_param="cursor"),
            data_selector="data",
        )
    elif args.style == "offset":
        pages = client.paginate(
            "offset",
            paginator=OffsetPaginator(limit=size, total_path="total"),
            data_selector="data",
        )
    else:
        pages = client.paginate(
            "page_number",
            params={"page_size": size},
            paginator=PageNumberPaginator(base_page=1, page=1, total_path="total_pages"),
            data_selector="data",
        )
    records = 0
    id_sum = 0
    for page in pages:
        for record in page:
            records += 1
            id_sum += record["id"]
    elapsed = time.perf_counter() - started
    print(
        json.dumps(
            {
                "records": records,
                "id_sum": id_sum,
                "bytes": 0,
                "elapsed_s": elapsed,
                "cpu_s": cpu_seconds() - cpu_started,
                "peak_rss_kib": peak_rss_kib(),
            }
        )
    )


if __name__ == "__main__":
    main()
