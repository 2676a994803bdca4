"""Validators from Discord's OpenAPI description (discord/discord-api-spec, MIT), for the part of the
API the sandbox serves. The subset lives in tests/data so tests do not depend on ../shared:

    python -m tests.helpers.discord_schema /path/to/discord-openapi.json   # regenerate the subset
"""

from __future__ import annotations

import json
import sys
from functools import lru_cache
from pathlib import Path
from typing import Any

import jsonschema
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT202012

SUBSET = Path(__file__).resolve().parents[1] / "data" / "discord-openapi-subset.json"

PATHS = (
    "/users/@me", "/users/@me/guilds", "/users/{user_id}", "/oauth2/applications/@me", "/gateway", "/gateway/bot",
    "/guilds/{guild_id}", "/guilds/{guild_id}/channels", "/guilds/{guild_id}/threads/active",
    "/guilds/{guild_id}/roles", "/guilds/{guild_id}/members", "/guilds/{guild_id}/members/{user_id}",
    "/channels/{channel_id}", "/channels/{channel_id}/messages", "/channels/{channel_id}/messages/{message_id}",
    "/channels/{channel_id}/messages/{message_id}/threads", "/channels/{channel_id}/threads/archived/public",
    "/channels/{channel_id}/threads/archived/private",
    "/applications/{application_id}/commands", "/applications/{application_id}/guilds/{guild_id}/commands",
    "/interactions/{interaction_id}/{interaction_token}/callback", "/webhooks/{webhook_id}/{webhook_token}",
    "/webhooks/{webhook_id}/{webhook_token}/messages/@original",
    "/webhooks/{webhook_id}/{webhook_token}/messages/{message_id}",
)
EXTRA_SCHEMAS = ("RatelimitedResponse", "Error", "ErrorResponse", "ThreadResponse", "GuildChannelResponse",
                 "MessageResponse", "GuildResponse", "UserResponse")


def _refs(node: Any, out: set[str]) -> None:
    if isinstance(node, dict):
        ref = node.get("$ref")
        if isinstance(ref, str) and ref.startswith("#/components/"):
            out.add(ref)
        for v in node.values():
            _refs(v, out)
    elif isinstance(node, list):
        for v in node:
            _refs(v, out)


def build_subset(spec: dict[str, Any]) -> dict[str, Any]:
    """The listed paths plus every component they reach (transitively)."""
    paths = {p: spec["paths"][p] for p in PATHS if p in spec["paths"]}
    todo: set[str] = set()
    _refs(paths, todo)
    todo |= {f"#/components/schemas/{n}" for n in EXTRA_SCHEMAS}
    done: set[str] = set()
    components: dict[str, dict[str, Any]] = {}
    while todo:
        ref = todo.pop()
        if ref in done:
            continue
        done.add(ref)
        _, _, kind, name = ref.split("/", 3)
        node = spec["components"][kind][name]
        components.setdefault(kind, {})[name] = node
        found: set[str] = set()
        _refs(node, found)
        todo |= found - done
    return {"openapi": spec["openapi"], "info": {**spec["info"], "x-subset-of": "discord/discord-api-spec (MIT)"},
            "paths": paths, "components": components}


@lru_cache(maxsize=1)
def _spec() -> dict[str, Any]:
    return json.loads(SUBSET.read_text(encoding="utf-8"))


@lru_cache(maxsize=1)
def _registry() -> Registry:
    return Registry().with_resource("urn:discord", Resource.from_contents(_spec(), default_specification=DRAFT202012))


def validator(schema: dict[str, Any] | str) -> jsonschema.Draft202012Validator:
    """A validator for a component name (e.g. "MessageResponse") or an inline schema using #/ refs."""
    if isinstance(schema, str):
        schema = {"$ref": f"urn:discord#/components/schemas/{schema}"}
    else:
        schema = json.loads(json.dumps(schema).replace('"#/components/', '"urn:discord#/components/'))
    return jsonschema.Draft202012Validator(schema, registry=_registry())


def response_schema(path: str, method: str = "get", status: str = "200") -> dict[str, Any]:
    op = _spec()["paths"][path][method]
    resp = op["responses"][status]
    if "$ref" in resp:
        resp = _spec()["components"]["responses"][resp["$ref"].rsplit("/", 1)[1]]
    return resp["content"]["application/json"]["schema"]


def request_schema(path: str, method: str, content_type: str = "application/json") -> dict[str, Any]:
    body = _spec()["paths"][path][method]["requestBody"]["content"]
    return body[content_type]["schema"]


def errors(schema: dict[str, Any] | str, instance: Any) -> list[str]:
    """Every validation error, as 'path: message' lines (empty when valid)."""
    v = validator(schema)
    return [f"/{'/'.join(map(str, e.absolute_path))}: {e.message[:200]}" for e in v.iter_errors(instance)]


if __name__ == "__main__":
    src = Path(sys.argv[1]) if len(sys.argv) > 1 else Path("../shared/specs/discord-openapi.json")
    SUBSET.write_text(json.dumps(build_subset(json.loads(src.read_text(encoding="utf-8"))), indent=None,
                                 separators=(",", ":"), sort_keys=True))
    print(f"wrote {SUBSET} ({SUBSET.stat().st_size} bytes)")
