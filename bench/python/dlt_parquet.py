"""The dlt contender of the Parquet benchmark (`restgen-bench parquet`): dlt's
`rest_api_source` (the pinned dlt of target/dlt-venv) paging the loopback mock's offset
resource, run through a pipeline into the `filesystem` destination with
`loader_file_format="parquet"` (extract, normalize, load: files written by pyarrow). Prints
one JSON line in the same shape as the Rust contenders; records and id sum are read back
from the Parquet files after the clock stops."""

import argparse
import glob
import json
import os
import shutil
import tempfile
import time

from measure import cpu_seconds, peak_rss_kib


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--base", required=True)
    parser.add_argument("--out", required=True, help="a directory for the bucket")
    args = parser.parse_args()

    work = tempfile.mkdtemp(prefix="dlt-parquet-", dir=args.out)
    try:
        run(args.base, work)
    finally:
        # a round's pipeline state and files (about 30 MB) are of no use once counted
        shutil.rmtree(work, ignore_errors=True)


def run(base, work):
    os.environ["DLT_DATA_DIR"] = os.path.join(work, "data")
    os.environ["RUNTIME__LOG_LEVEL"] = "WARNING"
    started = time.perf_counter()
    cpu_started = cpu_seconds()

    import dlt
    from dlt.sources.rest_api import rest_api_source

    source = rest_api_source(
        {
            "client": {"base_url": base},
            "resources": [
                {
                    "name": "offset_items",
                    "primary_key": "id",
                    "endpoint": {
                        "path": "offset",
                        "data_selector": "data",
                        "paginator": {"type": "offset", "limit": 1000, "total_path": "total"},
                    },
                }
            ],
        }
    )
    bucket = os.path.join(work, "bucket")
    pipeline = dlt.pipeline(
        pipeline_name="bench_parquet",
        pipelines_dir=os.path.join(work, "pipelines"),
        destination=dlt.destinations.filesystem(bucket_url=bucket),
        dataset_name="loopback",
    )
    pipeline.run(source, loader_file_format="parquet")
    elapsed = time.perf_counter() - started
    cpu = cpu_seconds() - cpu_started
    peak = peak_rss_kib()

    import pyarrow.parquet as pq

    records = 0
    id_sum = 0
    files = glob.glob(os.path.join(bucket, "loopback", "offset_items", "*.parquet"))
    for path in files:
        ids = pq.read_table(path, columns=["id"]).column("id").to_pylist()
        records += len(ids)
        id_sum += sum(ids)
    print(
        json.dumps(
            {
                "records": records,
                "id_sum": id_sum,
                "bytes": sum(os.path.getsize(f) for f in files),
                "elapsed_s": elapsed,
                "cpu_s": cpu,
                "peak_rss_kib": peak,
            }
        )
    )


if __name__ == "__main__":
    main()
