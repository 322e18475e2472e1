"""Turning scenes (plain data from rltui.core) into terminal cells."""
