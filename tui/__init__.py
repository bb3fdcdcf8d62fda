"""The terminal: the command line with its headless renderers, and the Textual dashboard.

Only the dashboard's modules import textual or plotext; the command line imports them lazily, on
the dashboard's path only.
"""
