"""The web server of the Robustness Tour: pages, the JSON API over the bundle, static assets."""
