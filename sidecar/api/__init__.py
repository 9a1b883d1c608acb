"""HTTP APIs for panels, admins and operators."""
