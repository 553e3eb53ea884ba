"""Reference runner for the differential tests.

Reads a JSON list of {"template": str, "text": str} cases on stdin and prints a
JSON list of results computed by Google's Python TextFSM:
  {"ok": true, "header": [...], "rows": [[...], ...]}
  {"ok": false, "error": "TextFSMTemplateError" | "TextFSMError" | ..., "message": str}
"""
import io
import json
import sys

import textfsm


def run(case):
    try:
        fsm = textfsm.TextFSM(io.StringIO(case["template"], newline=None))
        rows = fsm.ParseText(case["text"])
        return {"ok": True, "header": fsm.header, "rows": rows}
    except (textfsm.TextFSMTemplateError, textfsm.TextFSMError) as err:
        return {"ok": False, "error": type(err).__name__, "message": str(err)}
    except Exception as err:  # pylint: disable=broad-except
        return {"ok": False, "error": type(err).__name__, "message": str(err)}


def main():
    cases = json.loads(sys.stdin.buffer.read().decode("utf-8"))
    json.dump([run(case) for case in cases], sys.stdout)


if __name__ == "__main__":
    main()
