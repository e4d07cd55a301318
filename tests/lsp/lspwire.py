"""The LSP base protocol on a pipe, for the LSP tests: a message framed for the
server's stdin, and one read from its stdout (Content-Length headers, a blank
line, the JSON body)."""
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


def frame(msg):
    """msg: an object (sent as JSON) or raw bytes (sent as they are)."""
    body = msg if isinstance(msg, bytes) else json.dumps(msg).encode()
    return b"Content-Length: %d\r\n\r\n" % len(body) + body
