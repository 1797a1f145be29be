"""Demo data and the screenshot of each tab, for ``scripts/screenshots.py`` and the docs.

Never imported by the running app: each module seeds a scratch home and renders its tab to PNG.
"""

#: (module in this package, render function) for each tab, in the window's order.
RENDERERS: list[tuple[str, str]] = [
    ("chat", "render_chat"),
    ("personas", "render_persona"),
    ("routing", "render_persona_routing"),  # the Personas tab's "Route by domain" box
    ("routing", "render_routed_chat"),  # replies routed to the adapter of their domain
    ("memory", "render_memory"),
    ("memory", "render_embedding_model_dialog"),  # the Memory tab's "Change model…" dialog
    ("models", "render_models"),
    ("models", "render_add_model"),  # the "Add model…" dialog
    ("datasets", "render_dataset"),
    ("dataset_kinds", "render_dataset_kinds"),  # bad examples, preference pairs, a tool call
    ("training", "render_training"),
    ("training", "render_gate"),
    ("schedule", "render_schedule"),  # the "Automatic retraining" dialog
    ("schedule", "render_schedule_verdict"),  # the verdict banner of a scheduled retrain
    ("evaluation", "render_evaluation"),
    ("evaluation", "render_compare"),
    ("dashboard", "render_dashboard"),
    ("welcome", "render_welcome"),
]
