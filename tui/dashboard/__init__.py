"""The dashboard: the Textual app, its screens, widgets, dialogs and stylesheet, the data side it runs
in workers (session) and the browser front end (serve). Never imports the command line."""
