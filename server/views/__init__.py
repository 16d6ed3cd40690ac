"""The article's view-models: what the templates print, built from the bundle once at start-up."""
