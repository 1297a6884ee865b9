"""Where the user's answer to a note to self was found: kept in the store's marks until it is
read (the sync pass records it; the debrief reads its body after the pass).

Invariant: the place is the folder, its UIDVALIDITY and the UID; a changed UIDVALIDITY means
the answer cannot be found there any more (it is then said, never guessed).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime

ANSWER_MARK = "debrief.answer:"  # + the item's id -> where its answer was found
READ_MARK = "debrief.read:"  # + the item's id -> when its answer was read


@dataclass(frozen=True, slots=True)
class Answered:
    folder: str
    uidvalidity: int
    uid: int
    key: str  # the answer's Message-ID (or stable hash)
    at: datetime

    def encode(self) -> str:
        return json.dumps([self.folder, self.uidvalidity, self.uid, self.key, self.at.isoformat()])

    @classmethod
    def decode(cls, text: str) -> Answered:
        folder, validity, uid, key, at = json.loads(text)
        return cls(str(folder), int(validity), int(uid), str(key), datetime.fromisoformat(at))
