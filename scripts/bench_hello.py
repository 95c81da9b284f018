"""The bench's floor: a bare Flask "hello" served by the same gunicorn settings as the app."""

from flask import Flask

app = Flask(__name__)


@app.get("/")
def hello():
    return "hello"
