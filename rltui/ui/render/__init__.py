"""Turning scenes (plain data from rltui.envs.scenes) into terminal cells."""
