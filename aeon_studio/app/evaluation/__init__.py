"""The evaluation area of the desktop app: versions, metrics, golden prompts, Evaluate now."""
