"""Progress against the plans' targets: one computation (compute.py), rendered as JSON, Excel,
Word and a chart (render.py), for chat, the command line and subscriptions."""
