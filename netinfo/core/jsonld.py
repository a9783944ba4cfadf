"""schema.org data for search engines, written into pages as JSON-LD."""

import json


def to_script_json(data):
    """JSON safe to place inside <script type="application/ld+json">: no <, > or & survive."""
    text = json.dumps(data, ensure_ascii=False, sort_keys=True)
    return text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")
