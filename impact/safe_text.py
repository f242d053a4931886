"""User text as text: what a file says is shown as written, never run as markdown, HTML or a link.

`markdown(text)` escapes the punctuation that makes markdown (CommonMark lets any be escaped) so st.markdown,
st.success and friends show `[Phish](http://…)` or `![t](http://…/t.png)` as typed, never as a live link or a
fetched image; web addresses are broken with an invisible word joiner so they are not auto-linked either.
`html_text(text)` escapes <, > and & for Plotly, whose labels and hovers understand a little HTML (<a href>).
"""
from __future__ import annotations

import html
import re

_PUNCTUATION = re.compile(r"([\\`*_\[\]<>!|~${}#]|:(?=[\w/+-]))")  # links, images, emphasis, HTML, directives, maths
_BLOCK_START = re.compile(r"^(\s*)([-+=]|\d+[.)])")  # a list item or heading underline when it starts the text
_AUTOLINK = re.compile(r"(?i)(://|www\.|@)")
JOINER = "\u2060"


def markdown(text) -> str:
    """Any value -> markdown that renders as exactly its text (one line)."""
    s = " ".join(str(text).split()) if text is not None else ""
    s = _AUTOLINK.sub(lambda m: m.group(1)[0] + JOINER + m.group(1)[1:], s)
    s = _PUNCTUATION.sub(r"\\\1", s)
    return _BLOCK_START.sub(lambda m: m.group(1) + "\\".join(["", *m.group(2)]) if len(m.group(2)) == 1 else
                            m.group(1) + m.group(2)[:-1] + "\\" + m.group(2)[-1], s)


def html_text(text):
    """A string -> the same text with <, > and & escaped (Plotly shows the entities as the characters);
    anything else as it is."""
    return html.escape(text, quote=False) if isinstance(text, str) else text
