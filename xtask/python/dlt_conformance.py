"""dlt's side of `cargo xtask conformance`: runs dlt's `rest_api_source` for every scenario.

Reads a JSON list of jobs on stdin, each
    {"name": str, "config": <rest_api_source config>, "resources": [str], "runs": int}
and writes one JSON line per job to stdout:
    {"name": str, "runs": [[{"resource": str, "records": [...], "error": str | null}]]}

Each run builds the source afresh, as a new pipeline run would; each resource is then
iterated on its own, item by item, so the records yielded before an error are kept. All runs
of a job share one injected state dict: that is where dlt's incremental keeps `last_value`
between runs, as a pipeline would. Nothing here writes outside a temporary directory.
"""

import json
import os
import sys
import tempfile
import traceback


def main() -> int:
    # dlt and its dependencies may print; keep stdout for the results only
    results = sys.stdout
    sys.stdout = sys.stderr

    workdir = tempfile.mkdtemp(prefix="restgen-conformance-")
    os.chdir(workdir)  # no stray .dlt/ config of the caller is read
    os.environ["DLT_DATA_DIR"] = workdir
    os.environ["RUNTIME__DLTHUB_TELEMETRY"] = "false"
    os.environ.setdefault("RUNTIME__LOG_LEVEL", "ERROR")

    # imported after the environment is set: dlt reads it on import
    from dlt.common.configuration.container import Container
    from dlt.common.pipeline import StateInjectableContext
    from dlt.sources.rest_api import rest_api_source

    jobs = json.load(sys.stdin)
    for job in jobs:
        state = {}
        runs = []
        with Container().injectable_context(StateInjectableContext(state=state)):
            for _ in range(job.get("runs", 1)):
                runs.append(run_once(rest_api_source, job))
        results.write(json.dumps({"name": job["name"], "runs": runs}, default=str) + "\n")
        results.flush()
    return 0


def run_once(rest_api_source, job):
    """One run: a fresh source, then each resource in turn."""
    try:
        source = rest_api_source(job["config"])
    except Exception as e:  # noqa: BLE001 - a rejected config is an outcome to compare
        error = failure(e)
        return [{"resource": name, "records": [], "error": error} for name in job["resources"]]
    return [run_resource(source, name) for name in job["resources"]]


def run_resource(source, name):
    """One resource of a run, item by item."""
    records = []
    error = None
    try:
        for item in source.resources[name]:
            records.append(item)
    except Exception as e:  # noqa: BLE001 - every failure is an outcome to compare
        error = failure(e)
    return {"resource": name, "records": records, "error": error}


def failure(e: BaseException) -> str:
    if os.environ.get("RESTGEN_CONFORMANCE_TRACE"):
        traceback.print_exc()
    return describe(e)


def describe(e: BaseException) -> str:
    """The exception and its causes, innermost last: dlt wraps errors of a resource."""
    parts = []
    seen = set()
    while e is not None and id(e) not in seen:
        seen.add(id(e))
        parts.append(f"{type(e).__name__}: {e}")
        e = e.__cause__ or e.__context__
    return " <- ".join(parts)


if __name__ == "__main__":
    sys.exit(main())
