"""`python -m bot` runs the `scout` command line."""

from cli import main

main()
