"""gunicorn's settings for Föreningen; gunicorn reads ./gunicorn.conf.py from the directory it
starts in. Command-line options (workers, bind address) still apply on top."""

import gunicorn
import gunicorn.http.wsgi

# Answers do not name the server software ("Server: gunicorn" helps a scanner pick its
# exploits). gunicorn has no setting for this (benoitc/gunicorn#825); the value it sends is
# this module attribute, read for every response, so an empty one leaves the header blank.
gunicorn.SERVER = ""
gunicorn.http.wsgi.SERVER = ""

# The application's own log lines carry no personal data; keep gunicorn's access log off
# by default, because a URL may still be read as a visit to the association's pages.
accesslog = None
