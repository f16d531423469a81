"""Services: use cases that combine engines, the lake and the store; the CLI and API are thin over these."""
