"""The LSP base protocol on a pipe, for the LSP tests: one message read from a
server's stdout (Content-Length headers, a blank line, the JSON body)."""
import json


def read_message(stdout):
    headers = {}
    while True:
        line = stdout.readline()
        if not line:
            raise EOFError("the server closed its output")
        line = line.decode("ascii").rstrip("\r\n")
        if not line:
            break
        k, v = line.split(":", 1)
        headers[k.strip().lower()] = v.strip()
    return json.loads(stdout.read(int(headers["content-length"])))
