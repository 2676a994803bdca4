"""GitHub's response schemas for the endpoints the sandbox serves, as JSON Schema validators.

`tests/data/github-rest-responses.json.gz` holds, per operation, the 2xx response schema copied
from GitHub's OpenAPI description (shared/specs/github-rest-subset.json, from @octokit/openapi,
MIT), so the tests need nothing outside the repository. Regenerate with
`python -m tests.sandbox.github_spec /path/to/github-rest-subset.json`.
"""

from __future__ import annotations

import gzip
import json
import sys
from functools import lru_cache
from pathlib import Path
from typing import Any

import jsonschema

DATA = Path(__file__).resolve().parents[1] / "data" / "github-rest-responses.json.gz"
OPERATIONS = [
    "/repos/{owner}/{repo}", "/repos/{owner}/{repo}/issues", "/repos/{owner}/{repo}/issues/{issue_number}",
    "/repos/{owner}/{repo}/issues/comments", "/repos/{owner}/{repo}/issues/{issue_number}/comments",
    "/repos/{owner}/{repo}/issues/events", "/repos/{owner}/{repo}/pulls", "/repos/{owner}/{repo}/pulls/{pull_number}",
    "/repos/{owner}/{repo}/pulls/{pull_number}/files", "/repos/{owner}/{repo}/pulls/{pull_number}/reviews",
    "/repos/{owner}/{repo}/pulls/comments", "/repos/{owner}/{repo}/contents/{path}", "/repos/{owner}/{repo}/labels",
    "/rate_limit", "/users/{username}",
]


def _jsonschema(node: Any) -> Any:
    """OpenAPI 3.0 -> JSON Schema: `nullable: true` becomes a null alternative."""
    if isinstance(node, list):
        return [_jsonschema(x) for x in node]
    if not isinstance(node, dict):
        return node
    out = {k: _jsonschema(v) for k, v in node.items() if k not in ("nullable", "example", "examples", "description")}
    return {"anyOf": [out, {"type": "null"}]} if node.get("nullable") else out


def extract(spec_path: Path) -> dict[str, Any]:
    spec = json.loads(spec_path.read_text())
    out = {}
    for op in OPERATIONS:
        responses = spec["paths"][op]["get"]["responses"]
        code = next(c for c in responses if c.startswith("2"))
        out[op] = _jsonschema(responses[code]["content"]["application/json"]["schema"])
    return out


@lru_cache(maxsize=1)
def schemas() -> dict[str, Any]:
    return json.loads(gzip.decompress(DATA.read_bytes()))


def validator(operation: str) -> jsonschema.Draft7Validator:
    return jsonschema.Draft7Validator(schemas()[operation])


def errors(operation: str, payload: Any) -> list[str]:
    return [
        f"{'/'.join(map(str, e.absolute_path))}: {e.message[:200]}" for e in validator(operation).iter_errors(payload)
    ][:5]


if __name__ == "__main__":
    DATA.parent.mkdir(parents=True, exist_ok=True)
    DATA.write_bytes(gzip.compress(json.dumps(extract(Path(sys.argv[1])), sort_keys=True).encode(), mtime=0))
    sys.stdout.write(f"wrote {DATA}\n")
