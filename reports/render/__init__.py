"""Renderers: Markdown (and the shortlist's CSV/JSON), Discord embeds, the digest chart."""
