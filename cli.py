"""Thin entry to the ``abcd-map`` command (``python cli.py build`` works from a checkout).

The Typer app itself lives in :mod:`abcd_map.cli`, so the installed console
command and this file run the same code.
"""

from abcd_map.cli import main

if __name__ == "__main__":
    main()
