"""Per-platform renderers of the lab's show commands (pure: state in, text out)."""
