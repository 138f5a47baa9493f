"""Pure ticket knowledge, below the engine: forms, titles and drafts, support hours,
incident matching and account rules, read from ``data/``. No sockets, no store."""
