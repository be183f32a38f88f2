"""Developer tooling: embedded services and the `make run` launcher (never imported by the site)."""
