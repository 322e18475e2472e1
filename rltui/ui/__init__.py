"""rltui's terminal UI (Textual). The only part of rltui that imports textual or rich."""
