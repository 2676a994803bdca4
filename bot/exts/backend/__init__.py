"""Bot infrastructure extensions (error handling)."""
