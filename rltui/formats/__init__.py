"""rltui's files and other tools' formats: episodes (JSON Lines), agent saves' places and
listings, TensorBoard event files, Minari datasets, GIFs."""
