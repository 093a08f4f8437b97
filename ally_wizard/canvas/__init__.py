"""The Canvas client and verification engine. Never imports Textual."""
