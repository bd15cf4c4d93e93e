"""Prints the plain-text pydoc page of each module named on stdin (one per line) as JSON lines.

Run by pydoc-corpus.ts. Lines that name this machine (FILE path, MODULE REFERENCE address) and
object addresses are dropped so that the text depends on the Python version only.
"""
import contextlib
import importlib
import io
import json
import pydoc
import re
import sys
import warnings

warnings.simplefilter("ignore")
ADDRESS = re.compile(r" at 0x[0-9a-f]+")


def page(name):
    with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(io.StringIO()):
        module = importlib.import_module(name)
    text = pydoc.render_doc(module, renderer=pydoc.plaintext)
    text = re.sub(r"\nFILE\n[^\n]*\n", "\n", text)
    text = re.sub(r"\nMODULE REFERENCE\n(?:    [^\n]*\n|\n)*?(?=\S)", "\n", text)
    return ADDRESS.sub("", text)


for line in sys.stdin:
    name = line.strip()
    if not name:
        continue
    try:
        print(json.dumps({"id": name, "text": page(name)}))
    except Exception:  # not installed here (a module of an optional OS package)
        print(json.dumps({"id": name, "text": None}))
