"""`python -m sandbox.discord --dataset DIR --port N`: the Discord sandbox alone (`scout sandbox
--discord-port` runs it beside the GitHub one)."""

from __future__ import annotations

import argparse
import asyncio
import logging

from sandbox.discord.server import DiscordSandbox


async def _serve(args: argparse.Namespace) -> None:
    sb = await DiscordSandbox(args.dataset, request_log=args.request_log, token=args.token).start(args.host, args.port)
    print(f"discord sandbox: SCOUT_DISCORD_API_URL={sb.api_url} SCOUT_DISCORD_GATEWAY_URL={sb.gateway_url}",  # noqa: T201
          flush=True)
    try:
        await asyncio.Event().wait()
    finally:
        await sb.stop()


def main() -> None:
    p = argparse.ArgumentParser(prog="python -m sandbox.discord", description=__doc__)
    p.add_argument("--dataset", required=True)
    p.add_argument("--host", default="127.0.0.1")
    p.add_argument("--port", type=int, default=0)
    p.add_argument("--request-log")
    p.add_argument("--token", help="accept only this bot token (default: any)")
    args = p.parse_args()
    logging.basicConfig(level=logging.WARNING)
    try:
        asyncio.run(_serve(args))
    except KeyboardInterrupt:
        pass


if __name__ == "__main__":
    main()
