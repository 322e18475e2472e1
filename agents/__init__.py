"""Learning agents for rltui: tabular methods and DQN, and their persistence.

Nothing here imports ``textual`` or ``rich``; a test proves it.
"""
