"""The A4 poster and the sheet of cards of an outreach action, and its QR code (SVG, PNG).

The QR code encodes the action's chat address (error correction level M, with its quiet zone); on the
PDFs it is drawn as vector squares from segno's matrix, at least 9 cm wide on the poster. Black on
white, large sans-serif type (headline ≥ 28 pt, body ≥ 16 pt), texts of knowledge/staff/poster.yml.
Every text is one line of the PDF's text layer: a line too wide is set smaller, then narrower, never
cut, so that the chat address, the keyword and the links can be read back from the file.
"""
from __future__ import annotations

import io
import string
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from functools import lru_cache
from pathlib import Path

import phonenumbers
import segno
from reportlab.lib.pagesizes import A4
from reportlab.lib.units import cm, mm
from reportlab.lib.utils import simpleSplit
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.pdfgen.canvas import Canvas

from api.core.config import Settings
from api.core.phones import SMS_REGIONS
from api.models import OutreachAction
from api.staff.actions import links
from api.territories import Territories
from knowledge import load
from knowledge.french import PARIS, spoken_day, spoken_time

QUIET_ZONE = 4                     # modules of white around the code, as the standard asks
FONT_DIRS = (Path("/usr/share/fonts/truetype/dejavu"), Path("/usr/share/fonts/dejavu"),
             Path("/usr/share/fonts/TTF"))
PERMANENCE_WITHIN = timedelta(days=42)
WIDTH, HEIGHT = A4

Part = tuple[str, bool]            # a piece of a line, and whether it is bold


@dataclass(frozen=True)
class Permanence:
    place: str
    address: str
    day: date
    start: time
    end: time


@dataclass(frozen=True)
class Facts:
    """What a poster says, gathered from the action, its territory and the settings."""

    code: str
    chat_url: str
    keyword: str
    sms_number: str | None
    telegram_link: str | None
    phone: str
    contact: str
    permanence: Permanence | None


def texts(part: str) -> dict[str, str]:
    return load("staff")[part]


def file_name(part: str, code: str) -> str:
    return texts(part)["file"].format(code=code)


# -- what the poster says ---------------------------------------------------------------------------------
def qr_code(url: str) -> segno.QRCode:
    return segno.make(url, error="m", boost_error=False, micro=False)


def qr_svg(url: str) -> bytes:
    out = io.BytesIO()
    qr_code(url).save(out, kind="svg", scale=10, border=QUIET_ZONE, title=url)
    return out.getvalue()


def qr_png(url: str) -> bytes:
    out = io.BytesIO()
    qr_code(url).save(out, kind="png", scale=10, border=QUIET_ZONE)
    return out.getvalue()


def sms_number(settings: Settings) -> str | None:
    """The SMS number as printed: SMS_PUBLIC_NUMBER, else TWILIO_FROM_NUMBER in national form (in
    international form when it is not French); None when neither is set."""
    shown = (settings.sms_public_number or "").strip()
    if shown or not settings.twilio_from_number:
        return shown or None
    try:
        number = phonenumbers.parse(settings.twilio_from_number, "FR")
    except phonenumbers.NumberParseException:
        return settings.twilio_from_number
    national = phonenumbers.region_code_for_number(number) in SMS_REGIONS
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.NATIONAL if national
                                      else phonenumbers.PhoneNumberFormat.INTERNATIONAL)


def next_permanence(territories: Territories, territory_id: str, day: date) -> Permanence | None:
    """The territory's first opening from that day on (closures and public holidays left out)."""
    territory = territories.get(territory_id)
    after = datetime.combine(day, time.min, tzinfo=PARIS)
    slots = territories.slots(territory_id, after=after, until=after + PERMANENCE_WITHIN)
    if territory is None or not slots:
        return None
    opening = territory.opening(slots[0].opening_id)
    return Permanence(opening.place.name, opening.place.address, slots[0].start.astimezone(PARIS).date(),
                      opening.start, opening.end)


def gather(settings: Settings, territories: Territories, action: OutreachAction) -> Facts:
    territory = territories.get(action.territory_id)
    own = links(settings, action)
    return Facts(code=action.code, chat_url=own["chat_url"], keyword=action.keyword,
                 sms_number=sms_number(settings),
                 telegram_link=own["telegram_link"] if settings.telegram_bot_token else None,
                 phone=territory.phone if territory else "", contact=territory.contact if territory else "",
                 permanence=next_permanence(territories, action.territory_id, action.day))


# -- type -------------------------------------------------------------------------------------------------
@lru_cache(maxsize=1)
def fonts() -> tuple[str, str]:
    """(regular, bold): DejaVu Sans when installed (every French letter, and €), else Helvetica."""
    for folder in FONT_DIRS:
        regular, bold = folder / "DejaVuSans.ttf", folder / "DejaVuSans-Bold.ttf"
        if regular.is_file() and bold.is_file():
            pdfmetrics.registerFont(TTFont("Poster", str(regular)))
            pdfmetrics.registerFont(TTFont("Poster-Bold", str(bold)))
            return "Poster", "Poster-Bold"
    return "Helvetica", "Helvetica-Bold"


def parts(template: str, **values: str) -> list[list[Part]]:
    """The lines of a template, each as its pieces: the {values} bold, the words around them not."""
    lines = []
    for line in template.split("\n"):
        pieces: list[Part] = []
        for literal, name, _, _ in string.Formatter().parse(line):
            if literal:
                pieces.append((literal, False))
            if name is not None:
                pieces.append((values[name], True))
        lines.append(pieces)
    return lines


def width_of(pieces: list[Part], size: float) -> float:
    regular, bold = fonts()
    return sum(pdfmetrics.stringWidth(text, bold if strong else regular, size) for text, strong in pieces)


class Page:
    """A column of centred lines drawn downwards from `top`, between `left` and `left + width`."""

    def __init__(self, canvas: Canvas, left: float, top: float, width: float):
        self.canvas, self.left, self.y, self.width = canvas, left, top, width

    def line(self, pieces: list[Part], size: float, smallest: float | None = None) -> None:
        """One line, centred: set smaller down to `smallest`, then narrower, until it fits."""
        smallest = smallest or size
        while size > smallest and width_of(pieces, size) > self.width:
            size -= 0.5
        squeeze = min(1.0, self.width / max(width_of(pieces, size), 1.0))
        self.y -= size
        regular, bold = fonts()
        text = self.canvas.beginText(self.left + (self.width - width_of(pieces, size) * squeeze) / 2, self.y)
        text.setHorizScale(squeeze * 100)
        for piece, strong in pieces:
            text.setFont(bold if strong else regular, size)
            text.textOut(piece)
        self.canvas.drawText(text)
        self.y -= size * 0.3

    def lines(self, template: str, size: float, smallest: float | None = None, **values: str) -> None:
        for pieces in parts(template, **values):
            self.line(pieces, size, smallest)

    def paragraph(self, text: str, size: float, bold: bool = False) -> None:
        """A plain text, cut into lines between words (and at its own line breaks)."""
        font = fonts()[1 if bold else 0]
        for line in text.split("\n"):
            for piece in simpleSplit(" ".join(line.split()), font, size, self.width):
                self.line([(piece, bold)], size)

    def space(self, height: float) -> None:
        self.y -= height

    def qr(self, url: str, size: float) -> None:
        draw_qr(self.canvas, qr_code(url), self.left + (self.width - size) / 2, self.y - size, size)
        self.y -= size


def draw_qr(canvas: Canvas, code: segno.QRCode, x: float, y: float, size: float) -> None:
    """The code as black squares (runs of dark modules in a row), `size` wide with its quiet zone."""
    module = size / code.symbol_size(border=QUIET_ZONE)[0]
    path = canvas.beginPath()
    for row, cells in enumerate(code.matrix_iter(scale=1, border=0)):
        cells = [bool(cell) for cell in cells] + [False]
        start = None
        for column, dark in enumerate(cells):
            if dark and start is None:
                start = column
            elif not dark and start is not None:
                top = y + size - (QUIET_ZONE + row + 1) * module
                path.rect(x + (QUIET_ZONE + start) * module, top, (column - start) * module, module)
                start = None
    canvas.setFillColorRGB(0, 0, 0)
    canvas.drawPath(path, stroke=0, fill=1)


def new_canvas(out: io.BytesIO, title: str) -> Canvas:
    canvas = Canvas(out, pagesize=A4, pageCompression=1)
    canvas.setTitle(title)
    return canvas


# -- the poster -------------------------------------------------------------------------------------------
MARGIN = 1.2 * cm
QR_LARGEST, QR_SMALLEST = 12 * cm, 9 * cm


def poster_pdf(facts: Facts) -> bytes:
    """One A4 page: headline, the large QR code and the chat address, SMS, Telegram, where to meet."""
    said = texts("poster")
    out = io.BytesIO()
    canvas = new_canvas(out, said["headline"])
    # Everything but the QR code is laid out once on a scratch page, to know the room left for it.
    scratch = Page(Canvas(io.BytesIO(), pagesize=A4), MARGIN, HEIGHT - MARGIN, WIDTH - 2 * MARGIN)
    _poster_text(scratch, facts, said, qr_size=0)
    room = scratch.y - MARGIN
    qr_size = max(QR_SMALLEST, min(QR_LARGEST, room))
    _poster_text(Page(canvas, MARGIN, HEIGHT - MARGIN, WIDTH - 2 * MARGIN), facts, said, qr_size)
    canvas.showPage()
    canvas.save()
    return out.getvalue()


def _poster_text(page: Page, facts: Facts, said: dict[str, str], qr_size: float) -> None:
    page.line([(said["headline"], True)], 44, smallest=30)
    page.paragraph(said["subline"], 20)
    if qr_size:
        page.qr(facts.chat_url, qr_size)
    page.line([(said["scan"], True)], 22, smallest=18)
    page.lines(said["or_open"], 16)
    page.line([(facts.chat_url, True)], 20, smallest=12)
    page.space(14)
    if facts.sms_number:
        page.lines(said["sms"], 20, smallest=16, keyword=facts.keyword, number=facts.sms_number)
    if facts.telegram_link:
        page.lines(said["telegram"], 16)
        page.line([(facts.telegram_link, False)], 16, smallest=12)
    page.space(14)
    if facts.permanence is not None:
        when = facts.permanence
        page.lines(said["meet"], 18)
        day = spoken_day(when.day)
        page.lines(said["opening"], 16, day=day[0].upper() + day[1:], start=spoken_time(when.start),
                   end=spoken_time(when.end))
        page.paragraph(when.place, 16, bold=True)
        page.paragraph(when.address, 16)
    elif facts.contact:
        page.paragraph(facts.contact, 16)
    if facts.phone:
        page.lines(said["phone"], 18, phone=facts.phone)


# -- the cards --------------------------------------------------------------------------------------------
COLUMNS, ROWS = 2, 4
CARD_WIDTH, CARD_HEIGHT = 92 * mm, 66 * mm
CARD_PADDING, CARD_QR = 4 * mm, 42 * mm
MARK = 5 * mm


def cards_pdf(facts: Facts) -> bytes:
    """One A4 sheet of 8 cards (QR code, headline, keyword, short address) with cut marks."""
    said = texts("cards")
    out = io.BytesIO()
    canvas = new_canvas(out, said["headline"])
    left, bottom = (WIDTH - COLUMNS * CARD_WIDTH) / 2, (HEIGHT - ROWS * CARD_HEIGHT) / 2
    _cut_marks(canvas, left, bottom)
    short_url = facts.chat_url.split("://", 1)[-1]
    code = qr_code(facts.chat_url)
    for row in range(ROWS):
        for column in range(COLUMNS):
            x, y = left + column * CARD_WIDTH, bottom + row * CARD_HEIGHT
            draw_qr(canvas, code, x + CARD_PADDING,
                    y + CARD_HEIGHT - CARD_PADDING - CARD_QR, CARD_QR)
            side = Page(canvas, x + CARD_PADDING + CARD_QR + 2 * mm, y + CARD_HEIGHT - CARD_PADDING - 2 * mm,
                        CARD_WIDTH - 2 * CARD_PADDING - CARD_QR - 2 * mm)
            side.paragraph(said["headline"], 15, bold=True)
            side.space(4)
            if facts.sms_number:
                side.lines(said["sms"], 13, smallest=9, keyword=facts.keyword)
                side.lines(said["sms_number"], 11, smallest=9, number=facts.sms_number)
            under = Page(canvas, x + CARD_PADDING, y + CARD_PADDING + 9 * mm, CARD_WIDTH - 2 * CARD_PADDING)
            under.line([(short_url, False)], 11, smallest=9)
    canvas.showPage()
    canvas.save()
    return out.getvalue()


def _cut_marks(canvas: Canvas, left: float, bottom: float) -> None:
    """Short lines in the margins where to cut, and a light dashed line along each cut."""
    right, top = left + COLUMNS * CARD_WIDTH, bottom + ROWS * CARD_HEIGHT
    xs = [left + column * CARD_WIDTH for column in range(COLUMNS + 1)]
    ys = [bottom + row * CARD_HEIGHT for row in range(ROWS + 1)]
    canvas.setStrokeColorRGB(0, 0, 0)
    canvas.setLineWidth(0.5)
    for x in xs:
        canvas.line(x, bottom - 2 * mm, x, bottom - 2 * mm - MARK)
        canvas.line(x, top + 2 * mm, x, top + 2 * mm + MARK)
    for y in ys:
        canvas.line(left - 2 * mm, y, left - 2 * mm - MARK, y)
        canvas.line(right + 2 * mm, y, right + 2 * mm + MARK, y)
    canvas.setStrokeColorRGB(0.6, 0.6, 0.6)
    canvas.setLineWidth(0.3)
    canvas.setDash(2, 3)
    for x in xs:
        canvas.line(x, bottom, x, top)
    for y in ys:
        canvas.line(left, y, right, y)
    canvas.setDash()
