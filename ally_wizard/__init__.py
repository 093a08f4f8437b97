"""ally-wizard: set up and verify the Canvas API developer key that Anthology Ally needs.

This module holds only the version, so that importing the package costs nothing: the command line
imports Textual, httpx or aiohttp only inside the command that needs them.
"""

__version__ = "0.1.0"
