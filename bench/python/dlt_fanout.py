"""The dlt contender of the fan-out benchmark (`restgen-bench fanout`): dlt's
`rest_api_source` (the pinned dlt of target/dlt-venv) with a parent resource and a child
resource bound to it, run sequentially or with `parallelized: true` at dlt's default
workers. Records are taken as the source yields them, with no destination. Prints one JSON
line in the same shape as the Rust contenders."""

import argparse
import json
import time

import dlt
from dlt.sources.rest_api import rest_api_source

from measure import cpu_seconds, peak_rss_kib


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--base", required=True)
    parser.add_argument("--parallelized", action="store_true")
    args = parser.parse_args()

    started = time.perf_counter()
    cpu_started = cpu_seconds()
    link = {"type": "json_link", "next_url_path": "next"}
    source = rest_api_source(
        {
            "client": {"base_url": args.base},
            "resources": [
                {
                    "name": "parents",
                    "endpoint": {"path": "parents", "paginator": link, "data_selector": "data"},
                    "selected": False,
                },
                {
                    "name": "children",
                    "parallelized": args.parallelized,
                    "endpoint": {
                        "path": "parents/{resources.parents.id}/children",
                        "paginator": link,
                        "data_selector": "data",
                    },
                },
            ],
        }
    )
    records = 0
    id_sum = 0
    for record in source.with_resources("children"):
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
