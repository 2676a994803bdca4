"""Copy the parts of the official API descriptions that the simulator's tests validate against.

Run by hand when the specs change (the tests never read ../shared):
    python tests/data/schemas/extract_schemas.py /work/shared/specs
GitHub: the item schema of each list endpoint a dataset file mirrors (OpenAPI 3.0 `nullable`
turned into JSON Schema null alternatives). Discord: the response schemas we emit and everything
they reference, as an OpenAPI-shaped `components/schemas` document.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
GITHUB = {
    "repo.json": ("/repos/{owner}/{repo}", False),
    "issues.json": ("/repos/{owner}/{repo}/issues", True),
    "pulls.json": ("/repos/{owner}/{repo}/pulls", True),
    "issue_comments.json": ("/repos/{owner}/{repo}/issues/comments", True),
    "reviews.json": ("/repos/{owner}/{repo}/pulls/{pull_number}/reviews", True),
    "review_comments.json": ("/repos/{owner}/{repo}/pulls/comments", True),
    "issue_events.json": ("/repos/{owner}/{repo}/issues/events", True),
    "labels.json": ("/repos/{owner}/{repo}/labels", True),
    "pull_files.json": ("/repos/{owner}/{repo}/pulls/{pull_number}/files", True),
}
DISCORD = (
    "MessageResponse",
    "GuildResponse",
    "GuildChannelResponse",
    "ThreadResponse",
    "GuildMemberResponse",
    "UserResponse",
)


def nullable_to_jsonschema(node):
    if isinstance(node, list):
        return [nullable_to_jsonschema(x) for x in node]
    if not isinstance(node, dict):
        return node
    out = {k: nullable_to_jsonschema(v) for k, v in node.items() if k != "nullable"}
    return {"anyOf": [out, {"type": "null"}]} if node.get("nullable") else out


def main(specs: Path) -> None:
    gh = json.loads((specs / "github-rest-subset.json").read_text())
    schemas = {}
    for name, (path, item) in GITHUB.items():
        responses = gh["paths"][path]["get"]["responses"]
        code = next(c for c in responses if c.startswith("2"))
        s = responses[code]["content"]["application/json"]["schema"]
        schemas[name] = nullable_to_jsonschema(s["items"] if item and s.get("type") == "array" else s)
    (HERE / "github.json").write_text(json.dumps(schemas, sort_keys=True) + "\n")

    dc = json.loads((specs / "discord-openapi.json").read_text())["components"]["schemas"]
    keep: set[str] = set()

    def walk(node) -> None:
        if isinstance(node, dict):
            ref = node.get("$ref", "")
            if ref.startswith("#/components/schemas/") and ref.rsplit("/", 1)[1] not in keep:
                keep.add(ref.rsplit("/", 1)[1])
                walk(dc[ref.rsplit("/", 1)[1]])
            for v in node.values():
                walk(v)
        elif isinstance(node, list):
            for v in node:
                walk(v)

    for n in DISCORD:
        keep.add(n)
        walk(dc[n])
    doc = {"components": {"schemas": {n: dc[n] for n in sorted(keep)}}}
    (HERE / "discord.json").write_text(json.dumps(doc, sort_keys=True) + "\n")


if __name__ == "__main__":
    main(Path(sys.argv[1] if len(sys.argv) > 1 else "../shared/specs"))
