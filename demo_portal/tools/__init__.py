"""Dev-only scripts that (re)generate committed demo content; never imported at runtime."""
