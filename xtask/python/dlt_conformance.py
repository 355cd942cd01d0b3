"""dlt's side of `cargo xtask conformance`: runs dlt's `rest_api_source` for every scenario.

Reads a JSON list of jobs on stdin, each
    {"name": str, "config": <rest_api_source config>, "resources": [str], "runs": int,
     "settings": {str: str}}
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
        settings = job.get("settings") or {}
        # dlt.config["start_date"] reads the environment variable START_DATE
        for name, value in settings.items():
            os.environ[name.upper()] = value
        with Container().injectable_context(StateInjectableContext(state=state)):
            for _ in range(job.get("runs", 1)):
                runs.append(run_once(rest_api_source, job))
        for name in settings:
            os.environ.pop(name.upper(), None)
        results.write(json.dumps({"name": job["name"], "runs": runs}, default=str) + "\n")
        results.flush()
    return 0


def step_expression(text):
    """A processing step's expression as a Python function of the record.

    Scenarios write their expressions in the subset restgen's expression language shares
    with Python (`record['a'] == 1`, `record.get('b')`, `in [..]`, `.startswith()`), so dlt
    runs the very text restgen compiles."""
    text = text.strip()
    if text.startswith("{{") and text.endswith("}}"):
        text = text[2:-2].strip()
    code = compile(text, "<processing step>", "eval")
    builtins = {"len": len, "str": str, "int": int, "float": float}
    return lambda record: eval(code, {"__builtins__": builtins}, {"record": record})  # noqa: S307


def step_value(value):
    """An added field's value: an expression when written `{{ ... }}`, else a constant."""
    if isinstance(value, str) and value.strip().startswith("{{"):
        return step_expression(value)
    return lambda record: value


def step_path(path):
    return [path] if isinstance(path, str) else list(path)


def step_map(edit):
    """A map written as field edits (remove, rename, add) as the function dlt calls."""
    removes = edit.get("remove", [])
    removes = [removes] if isinstance(removes, str) else removes
    renames = edit.get("rename", {})
    adds = edit.get("add", {})
    if isinstance(adds, dict):
        adds = [{"path": [name], "value": value} for name, value in adds.items()]
    adds = [(step_path(a["path"]), step_value(a["value"])) for a in adds]

    def apply(record):
        values = [(path, value(record)) for path, value in adds]
        for path in removes:
            at = record
            path = step_path(path)
            for key in path[:-1]:
                at = at.get(key) if isinstance(at, dict) else None
            if isinstance(at, dict):
                at.pop(path[-1], None)
        for old, new in renames.items():
            if old in record:
                record[new] = record.pop(old)
        for path, value in values:
            at = record
            for key in path[:-1]:
                at = at.setdefault(key, {})
            at[path[-1]] = value
        return record

    return apply


def with_callables(config):
    """The config with each `processing_steps` item's text turned into dlt's callables."""
    holders = [r for r in config.get("resources", []) if isinstance(r, dict)]
    if isinstance(config.get("resource_defaults"), dict):
        holders.append(config["resource_defaults"])
    for holder in holders:
        steps = holder.get("processing_steps")
        if not steps:
            continue
        converted = []
        for step in steps:
            item = {}
            if "filter" in step:
                item["filter"] = step_expression(step["filter"])
            if "map" in step:
                item["map"] = step_map(step["map"])
            converted.append(item)
        holder["processing_steps"] = converted
    return config


def with_settings(value):
    """The config with each `{"config": name}` as `dlt.config[name]`, which a Python config
    writes in its place: dlt resolves the setting (from the environment) and the source gets
    the value."""
    import dlt

    if isinstance(value, dict):
        if len(value) == 1 and isinstance(value.get("config"), str):
            return dlt.config[value["config"]]
        return {k: with_settings(v) for k, v in value.items()}
    if isinstance(value, list):
        return [with_settings(v) for v in value]
    return value


def run_once(rest_api_source, job):
    """One run: a fresh source, then each resource in turn."""
    try:
        config = with_settings(json.loads(json.dumps(job["config"])))
        source = rest_api_source(with_callables(config))
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
