"""`python -m bot` runs the `scout` command line."""

from bot.cli import main

main()
