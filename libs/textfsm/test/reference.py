"""Reference runner for the differential tests.

Reads a JSON list of {"template": str, "text": str} cases on stdin and prints a
JSON list of results computed by Google's Python TextFSM:
  {"ok": true, "header": [...], "rows": [[...], ...]}
  {"ok": false, "error": "TextFSMTemplateError" | "TextFSMError" | ..., "message": str}

Other modes, selected by a JSON object on stdin:
  {"mode": "compile", "templates": [str, ...]} -> [{"ok": true} | {"ok": false, "error", "message"}]
    (compiles each template with textfsm.TextFSM);
  {"mode": "regex", "cases": [{"pattern": str, "subject": str}, ...]} ->
    [{"ok": true, "match": null | {"groups": [str|null, ...], "spans": [[start, end], ...]}}
     | {"ok": false, "error", "message"}]
    (re.match; group 0 first; a span is [-1, -1] when the group did not participate).
"""
import io
import json
import re
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


def compile_template(template):
    try:
        textfsm.TextFSM(io.StringIO(template, newline=None))
        return {"ok": True}
    except Exception as err:  # pylint: disable=broad-except
        return {"ok": False, "error": type(err).__name__, "message": str(err)}


def match_regex(case):
    try:
        m = re.match(case["pattern"], case["subject"])
    except Exception as err:  # pylint: disable=broad-except
        return {"ok": False, "error": type(err).__name__, "message": str(err)}
    if m is None:
        return {"ok": True, "match": None}
    count = len(m.groups()) + 1
    return {
        "ok": True,
        "match": {
            "groups": [m.group(i) for i in range(count)],
            "spans": [list(m.span(i)) for i in range(count)],
        },
    }


def main():
    request = json.loads(sys.stdin.buffer.read().decode("utf-8"))
    if isinstance(request, dict) and request.get("mode") == "compile":
        json.dump([compile_template(t) for t in request["templates"]], sys.stdout)
    elif isinstance(request, dict) and request.get("mode") == "regex":
        json.dump([match_regex(case) for case in request["cases"]], sys.stdout)
    else:
        json.dump([run(case) for case in request], sys.stdout)


if __name__ == "__main__":
    main()
