"""rltui's terminal-free core: catalog, sessions, returns and what the views draw.

Nothing under this package imports ``textual`` or ``rich``; a test proves it.
"""
