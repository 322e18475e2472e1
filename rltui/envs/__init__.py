"""Everything that knows an environment: the catalog, adapters to third-party envs' internals,
wrappers, scenes (what the UI draws), value-map cells, frames, MiniGrid and Atari, saving and
restoring an env's state, the session that plays one, and rltui's own envs (PortalRescue,
grid worlds from maps), registered with Gymnasium when this package is imported."""
