"""Demo data and the screenshot of each tab, for ``scripts/screenshots.py`` and the docs.

Never imported by the running app: each module seeds a scratch home and renders its tab to PNG.
"""

#: (module in this package, render function) for each tab, in the window's order.
RENDERERS: list[tuple[str, str]] = [
    ("chat", "render_chat"),
    ("personas", "render_persona"),
    ("memory", "render_memory"),
    ("models", "render_models"),
    ("datasets", "render_dataset"),
    ("training", "render_training"),
    ("evaluation", "render_evaluation"),
    ("welcome", "render_welcome"),
]
