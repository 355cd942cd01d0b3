"""The dlt contender of `restgen-bench slow` (benchmarks (2) and (3) of issue #18), run with
the pinned dlt of target/dlt-venv against the bench's slow mock. Prints one JSON line:
records, id sum, wall time.

- open: RESTClient paging by offset (limit 100) with no total, until the empty page;
- fanout: rest_api_source with parents (page_number, no total) and a child resource per
  parent with `parallelized: True`, iterated as a pipeline's extract step would."""

import argparse
import json
import time

from dlt.sources.helpers.rest_client import RESTClient
from dlt.sources.helpers.rest_client.paginators import OffsetPaginator
from dlt.sources.rest_api import rest_api_source


def open_feed(base):
    client = RESTClient(base_url=base)
    pages = client.paginate(
        "open",
        paginator=OffsetPaginator(limit=100, total_path=None),
        data_selector="data",
    )
    for page in pages:
        yield from page


def fanout(base):
    source = rest_api_source(
        {
            "client": {"base_url": base},
            "resources": [
                {
                    "name": "parents",
                    "endpoint": {
                        "path": "parents",
                        "data_selector": "data",
                        "paginator": {"type": "page_number", "base_page": 1, "total_path": None},
                    },
                },
                {
                    "name": "children",
                    "parallelized": True,
                    "endpoint": {
                        "path": "parents/{resources.parents.id}/children",
                        "data_selector": "data",
                        "paginator": "single_page",
                    },
                },
            ],
        }
    )
    yield from source.with_resources("children")


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--base", required=True)
    parser.add_argument("--scenario", required=True, choices=["open", "fanout"])
    args = parser.parse_args()
    started = time.perf_counter()
    records = 0
    id_sum = 0
    feed = open_feed(args.base) if args.scenario == "open" else fanout(args.base)
    for record in feed:
        records += 1
        id_sum += record["id"]
    print(json.dumps({"records": records, "id_sum": id_sum, "elapsed_s": time.perf_counter() - started}))


if __name__ == "__main__":
    main()
