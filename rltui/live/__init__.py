"""The play-along owner: one thread steps the env while a person and an agent share it;
the timeline, controls, hand-off, real time, knobs and the snapshots the UI draws."""
