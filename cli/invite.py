"""`scout invite-url`: the link a server admin opens to add the bot (scopes and permissions included)."""

from __future__ import annotations

from typing import Annotated

import typer

from cli._app import app, out


@app.command("invite-url")
def invite_url_cmd(
    client_id: Annotated[str, typer.Option("--client-id", envvar="SCOUT_DISCORD_CLIENT_ID",
                                           help="The application's client id (Developer Portal → OAuth2).")],
    guild: Annotated[str | None, typer.Option("--guild", help="Preselect this server id in Discord's dialog.")] = None,
    explain: Annotated[bool, typer.Option("--explain", help="Also list each permission and why the bot needs it.")]
    = False,
) -> None:
    """Print the OAuth2 URL that adds the bot with the `bot` and `applications.commands` scopes and
    exactly the permissions it uses (see docs/discord.md)."""
    from bot.invite import REQUIRED_PERMISSIONS, invite_url, required_permissions

    try:
        url = invite_url(client_id.strip(), guild.strip() if guild else None)
    except ValueError as exc:
        hint = "'--guild'" if "server" in str(exc) else "'--client-id'"
        raise typer.BadParameter(str(exc), param_hint=hint) from None
    out.print(url, markup=False, soft_wrap=True)
    if explain:
        out.print(f"permissions {required_permissions().value}:", markup=False)
        for name, why in REQUIRED_PERMISSIONS.items():
            out.print(f"  {name}: {why}", markup=False)
