"""Platform plugins: everything one video platform knows, behind small Protocols."""
