"""The comment tables on both databases: codebook saved whole, confirmations only added, quote decisions."""
from __future__ import annotations

import pytest

from impact.comments import CommentStore
from impact.comments.codebook import DEFAULT, Code
from impact.store import Store


def test_codebook_confirmations_and_quote_decisions_round_trip(db_url):
    store = Store(db_url)
    cs = CommentStore(store)
    assert cs.codebook() == DEFAULT  # nothing saved yet
    mine = (*DEFAULT[:3], Code("social", "Meeting people", "theme", "Friends made", ("meet", "friends")))
    cs.save_codebook(mine, who="AB")
    assert CommentStore(store).codebook() == mine
    cs.confirm([{"comment_id": "1.benefit", "codes": ["skills", "social"], "tone": "positive"}], coder="AB")
    cs.confirm([{"comment_id": "1.benefit", "codes": "skills", "tone": "mixed"}], coder="CD")
    confirmed = cs.confirmed()
    assert list(confirmed["codes"]) == ["skills; social", "skills"] and list(confirmed["coder"]) == ["AB", "CD"]
    with pytest.raises(ValueError):
        cs.confirm([{"comment_id": "2.benefit", "codes": "", "tone": "positive"}], coder=" ")
    cs.decide_quotes([{"comment_id": "1.benefit", "status": "approved", "text": "Lovely", "attribution": "a parent"}],
                     who="AB")
    cs.decide_quotes([{"comment_id": "1.benefit", "status": "rejected", "text": ""}], who="CD")
    decisions = cs.decisions()
    assert len(decisions) == 1 and decisions.iloc[0]["status"] == "rejected" and decisions.iloc[0]["decided_by"] == "CD"
    store.dispose()


def test_every_write_raises_the_version_and_reads_change_nothing(db_url):
    """Pages reread the comment tables only when `version()` moved: every kind of write must move it, in the
    same transaction, and a read or a second CommentStore on the same engine must not."""
    store = Store(db_url)
    cs = CommentStore(store)
    seen = [cs.version()]
    cs.codebook(), cs.confirmed(), cs.decisions()
    assert CommentStore(store).version() == seen[-1]  # reads and a second handle leave it alone
    cs.save_codebook(DEFAULT[:2], who="AB")
    seen.append(cs.version())
    cs.save_codebook(DEFAULT[:2], who="AB")  # the same codebook saved again, the same second: still a write
    seen.append(cs.version())
    cs.confirm([{"comment_id": "1.benefit", "codes": "skills", "tone": "positive"}], coder="AB")
    seen.append(cs.version())
    cs.confirm([], coder="AB")  # nothing added: nothing changed
    assert cs.version() == seen[-1]
    cs.decide_quotes([{"comment_id": "1.benefit", "status": "approved", "text": "Lovely"}], who="AB")
    seen.append(cs.version())
    cs.decide_quotes([{"comment_id": "1.benefit", "status": "rejected", "text": ""}], who="AB")  # same count, same second
    seen.append(cs.version())
    assert seen == sorted(set(seen)) and len(seen) == 6
    assert Store(db_url).engine is not store.engine and CommentStore(Store(db_url)).version() == seen[-1]
    store.dispose()
