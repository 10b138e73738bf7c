"""Shared by the benchmark scripts: a bundled config with some top-level sections
replaced, line by line, so the base's own formatting and comments stay."""


def replacing_sections(base, sections):
    """The text of the YAML file `base` without the top-level keys in `sections`
    (a dict key -> replacement YAML text, which is appended in its place)."""
    out, skip = [], False
    for line in open(base):
        if line[:1] not in (" ", "\t", "\n", "#"):
            skip = line.split(":")[0] in sections
        if not skip:
            out.append(line)
    out.extend(sections.values())
    return "".join(out)
