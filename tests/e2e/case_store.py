"""Opening a sandtrace case store from the Python tests, with events.xml readable.

events.xml is kept in the SQLite Archive layout (METHOD.md §8.12): `xml` holds the rendered record
compressed with zlib when that is shorter, else as is, and `xml_size` its length in bytes. sandtrace
and the sqlite3 shell read it with sqlar_uncompress(xml, xml_size); Python's sqlite3 module has no
such function, so connect() registers one, written here from the layout with Python's own zlib (not
from sandtrace's code): a test reading the XML this way checks the stored bytes independently.
"""
import sqlite3
import zlib

# The stored XML as text, in any query on events (alias e or none).
XML = "CAST(sqlar_uncompress(xml, xml_size) AS TEXT)"
E_XML = "CAST(sqlar_uncompress(e.xml, e.xml_size) AS TEXT)"


def sqlar_uncompress(data, size):
    """DATA as it is when it is NULL or SIZE equals its length, else DATA inflated to SIZE bytes."""
    if data is None or size is None or size <= 0:
        return data
    raw = data.encode("utf-8") if isinstance(data, str) else bytes(data)
    if len(raw) == size:
        return raw
    text = zlib.decompress(raw)
    if len(text) != size:
        raise ValueError("stored XML inflates to %d bytes, xml_size says %d" % (len(text), size))
    return text


def connect(path, uri=False):
    """sqlite3.connect(PATH) with sqlar_uncompress registered."""
    con = sqlite3.connect(path, uri=uri)
    con.create_function("sqlar_uncompress", 2, sqlar_uncompress, deterministic=True)
    return con
