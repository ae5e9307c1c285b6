"""JSON placed inside HTML: the one escaper every ``<script>`` block uses.

Inside a ``<script>`` element the HTML parser, not JSON, decides where the
element ends: ``</script``, ``<!--`` and ``<script`` in a string can end it early
or swallow the rest of the page. Writing every ``<``, ``>`` and ``&`` as a JSON
escape keeps the data identical for JSON readers and inert for the HTML parser.
"""

from __future__ import annotations

import json
from typing import Any

from markupsafe import Markup

_UNSAFE = str.maketrans({"<": "\\u003c", ">": "\\u003e", "&": "\\u0026", "\u2028": "\\u2028", "\u2029": "\\u2029"})


def json_for_html(data: Any) -> Markup:
    """``data`` as compact JSON that is safe as the whole content of a ``<script>`` element."""
    text = json.dumps(data, ensure_ascii=False, separators=(",", ":"))
    return Markup(text.translate(_UNSAFE))
