"""The reference flattening of an event's payload, written independently of the C code, as
parsers/evtx.h documents it: EventData/Data[@Name] -> name, unnamed Data -> "#1", "#2", ...,
EventData/@Name -> "@Name", UserData wrapper dropped and nested paths joined with "/",
attributes as "path/@attr", repeats as "name[2]". Shared by the end-to-end checks."""
import html
import re

NS = "{http://schemas.microsoft.com/win/2004/08/events/event}"
FORGE_NS = "{urn:sandtrace:forge}"


def local(tag):
    return tag.split("}", 1)[1] if "}" in tag else tag


def flatten_payload(event, python_evtx_quirks=False):
    """EVENT is an ElementTree <Event>. With PYTHON_EVTX_QUIRKS, python-evtx's renderings are
    mapped to Windows' form: a string array written as escaped "<string>..</string>" text in one
    Data becomes one unnamed Data per string (none for an empty array), and an empty Binary is
    dropped (libevtx omits it)."""
    data, order = {}, []

    def add(name, value):
        seen = order.count(name)
        order.append(name)
        data[name if not seen else "%s[%d]" % (name, seen + 1)] = value or ""

    ed = event.find(NS + "EventData")
    if ed is not None:
        if ed.get("Name"):
            add("@Name", ed.get("Name"))
        unnamed = 0
        for c in ed:
            text = c.text or ""
            is_data = local(c.tag) == "Data"
            if is_data and c.get("Name"):
                add(c.get("Name"), c.text)
                continue
            if python_evtx_quirks and is_data and \
                    re.sub(r"<string>.*?</string>\s*", "", text, flags=re.S) == "":
                for part in re.findall(r"<string>(.*?)</string>", text, re.S):
                    unnamed += 1
                    add("#%d" % unnamed, html.unescape(part))
            elif is_data:
                unnamed += 1
                add("#%d" % unnamed, c.text)
            elif python_evtx_quirks and local(c.tag) == "Binary" and not text:
                continue
            else:
                add(local(c.tag), c.text)
    ud = event.find(NS + "UserData")
    if ud is not None:
        def walk(node, prefix):
            for c in node:
                path = (prefix + "/" if prefix else "") + local(c.tag)
                for k, v in c.attrib.items():
                    if not k.startswith(FORGE_NS):
                        add(path + "/@" + local(k), v)
                if len(c):
                    walk(c, path)
                else:
                    add(path, c.text)
        for wrapper in ud:
            walk(wrapper, "")
    return data
