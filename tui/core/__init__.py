"""What both front ends share, below them: the usage error, opening a study for a command, the
snapshot library. Never imports textual, rich, plotext, the dashboard or the command line."""
