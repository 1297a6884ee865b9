"""The raw baseline of the first sync: a bare imapclient loop over the same UIDs and fields.

    python bench/rawloop.py HOST PORT USER PASSWORD_FILE SINCE FOLDER [FOLDER ...]

For each folder: EXAMINE, `UID SEARCH SINCE <day>` (the UIDs the daemon's backfill reads),
then FETCH of FLAGS, INTERNALDATE, RFC822.SIZE and BODY.PEEK[HEADER.FIELDS (HEADER_FIELDS)]
- the daemon's own item list, imported from followthru.adapters.imapdata - FETCH_BATCH UIDs
at a time (a list of ints: imapclient 4.1 refuses range strings), each batch dropped once
counted. Nothing is parsed beyond what imapclient does. TCP_NODELAY as the daemon sets it.
Prints {"messages", "fetch_seconds"} as JSON. Run by path, in a process of its own, so its
wall time and peak RSS compare with the daemon's.
"""

import json
import socket
import sys
import time
from datetime import date
from pathlib import Path

from imapclient import IMAPClient

from followthru.adapters.imapdata import FETCH_BATCH, HEADER_ITEM


def main() -> int:
    host, port, user, password_file, since, *folders = sys.argv[1:]
    client = IMAPClient(host, int(port), ssl=False, timeout=120)
    client.socket().setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    client.normalise_times = False
    client.login(user, Path(password_file).read_text().strip())
    items = ["FLAGS", "INTERNALDATE", "RFC822.SIZE", HEADER_ITEM]
    messages = 0
    started = time.perf_counter()
    for folder in folders:
        client.select_folder(folder, readonly=True)
        uids = client.search(["SINCE", date.fromisoformat(since)])
        for start in range(0, len(uids), FETCH_BATCH):
            reply = client.fetch(uids[start : start + FETCH_BATCH], items)
            messages += len(reply)
    seconds = time.perf_counter() - started
    client.logout()
    print(json.dumps({"messages": messages, "fetch_seconds": seconds}))
    return 0


if __name__ == "__main__":
    sys.exit(main())
