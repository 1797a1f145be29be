"""Talking to Ollama the way Ollama itself does: its host variable, its model names, its local library."""
