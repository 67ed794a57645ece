"""Turns ESC/POS bytes back into what the cook reads: lines of styled text.

Knows the commands our slips use (and the few python-escpos sends around them);
any other command is an error, so a test notices bytes it did not expect.
"""

from dataclasses import dataclass, field, replace

ESC, GS, DLE, LF, CR = 0x1B, 0x1D, 0x10, 0x0A, 0x0D
CODE_PAGES = {0: "cp437", 2: "cp850", 19: "cp858"}


@dataclass(frozen=True)
class Style:
    bold: bool = False
    underline: bool = False
    double_width: bool = False
    double_height: bool = False
    inverted: bool = False
    small: bool = False  # font B

    @property
    def big(self) -> bool:
        return self.double_width and self.double_height


@dataclass
class Span:
    text: str
    style: Style


@dataclass
class Line:
    spans: list[Span] = field(default_factory=list)

    @property
    def text(self) -> str:
        return "".join(span.text for span in self.spans)

    def style_of(self, text: str) -> Style:
        """The style of the span holding `text` (it must sit in one span)."""
        for span in self.spans:
            if text in span.text:
                return span.style
        raise AssertionError(f"{text!r} is not in one span of {self.text!r}: {self.spans}")

    def add(self, char: str, style: Style) -> None:
        if self.spans and self.spans[-1].style == style:
            self.spans[-1].text += char
        else:
            self.spans.append(Span(char, style))


@dataclass
class Printout:
    lines: list[Line] = field(default_factory=list)
    inits: int = 0
    code_pages: list[int] = field(default_factory=list)
    cuts: list[str] = field(default_factory=list)
    feeds: list[int] = field(default_factory=list)
    status_queries: list[int] = field(default_factory=list)

    @property
    def text_lines(self) -> list[str]:
        return [line.text for line in self.lines]

    @property
    def text(self) -> str:
        return "\n".join(self.text_lines)

    def line_with(self, text: str) -> Line:
        matches = [line for line in self.lines if text in line.text]
        assert matches, f"no line holds {text!r}:\n{self.text}"
        assert len(matches) == 1, f"{len(matches)} lines hold {text!r}:\n{self.text}"
        return matches[0]


def decode(data: bytes) -> Printout:
    out = Printout()
    style = Style()
    encoding = CODE_PAGES[0]
    line = Line()
    i = 0

    def arg(offset: int = 1) -> int:
        if i + offset >= len(data):
            raise ValueError(f"command at {i} is cut short: {data[i:]!r}")
        return data[i + offset]

    def end_line() -> None:
        nonlocal line
        out.lines.append(line)
        line = Line()

    while i < len(data):
        byte = data[i]
        if byte == LF:
            end_line()
            i += 1
        elif byte == CR:
            i += 1
        elif byte == ESC:
            command = arg()
            if command == ord("@"):
                out.inits += 1
                style = Style()
                encoding = CODE_PAGES[0]
                i += 2
                continue
            n = arg(2)
            i += 3
            if command == ord("t"):
                if n not in CODE_PAGES:
                    raise ValueError(f"code page {n} is not known here")
                out.code_pages.append(n)
                encoding = CODE_PAGES[n]
            elif command == ord("!"):
                style = replace(
                    style,
                    small=bool(n & 0x01),
                    bold=bool(n & 0x08),
                    double_height=bool(n & 0x10),
                    double_width=bool(n & 0x20),
                    underline=bool(n & 0x80),
                )
            elif command == ord("E"):
                style = replace(style, bold=bool(n & 1))
            elif command == ord("-"):
                style = replace(style, underline=n in (1, 2, 49, 50))
            elif command == ord("M"):
                style = replace(style, small=n in (1, 49))
            elif command == ord("a"):
                pass  # alignment: the slips centre with spaces
            elif command == ord("d"):
                if line.spans:
                    end_line()
                out.feeds.append(n)
            else:
                raise ValueError(f"unexpected ESC {chr(command)!r} at {i - 3}")
        elif byte == GS:
            command = arg()
            if command == ord("V"):
                m = arg(2)
                if m in (65, 66):
                    i += 4
                    m -= 65
                else:
                    i += 3
                out.cuts.append("partial" if m in (1, 49) else "full")
                continue
            n = arg(2)
            i += 3
            if command == ord("B"):
                style = replace(style, inverted=bool(n & 1))
            elif command == ord("!"):
                style = replace(style, double_width=bool(n & 0x70), double_height=bool(n & 0x07))
            else:
                raise ValueError(f"unexpected GS {chr(command)!r} at {i - 3}")
        elif byte == DLE:
            if arg() != 0x04:
                raise ValueError(f"unexpected DLE {arg():#x} at {i}")
            out.status_queries.append(arg(2))
            i += 3
        elif byte < 0x20 or byte == 0x7F:
            raise ValueError(f"unexpected control byte {byte:#04x} at {i}")
        else:
            line.add(bytes([byte]).decode(encoding), style)
            i += 1
    if line.spans:
        end_line()
    return out
