"""The headless commands and their renderers (text, JSON, TOML, Markdown, tables). Never imports
textual, rich, plotext or the dashboard: a script on a server pays for none of them."""
