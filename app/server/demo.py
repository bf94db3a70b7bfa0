"""The demo workspace: sample groups, publications with hotspots, and a product catalogue in
the embedded server's database, for a first start, screenshots and trying Folio out.

Everything is written the way the API writes it: the route handlers run in-process (no HTTP;
the local account is the caller), conversions run through the server's ConversionWorker and
the feed import through its FeedImportWorker, synchronously in the calling thread. So every
write lands in the change feed, and a desktop mirror syncing from ``/v2/changes`` sees it all.

Each part is created only when it is missing (groups, metatags, collections and publications
are found by title, the catalogue by the group having products), so running it again
duplicates nothing and completes a run that was cut short. The sample PDFs and the feed stay
in ``<data dir>/demo`` for trying ``folio hotspots`` and the hotspot editor on.
"""

from __future__ import annotations

import json
import logging
import threading
import time
from collections.abc import Callable
from concurrent.futures import Future
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from typing import Any, TypeVar
from xml.sax.saxutils import escape

from sqlalchemy import func, make_url, select
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session
from starlette.requests import Request
from starlette.responses import Response

from app.core.enums import ConversionState, KeyScope
from app.core.errors import FolioError
from app.core.slugs import slugify
from app.core.timestamps import format_datetime, utc_now
from app.pdf.demo_documents import (
    MAGAZINE,
    DemoDocument,
    DemoProduct,
    Labels,
    Palette,
    ProductPage,
    ProductShape,
    StoryPage,
    demo_pdf,
)
from app.server.accounts import Principal, ensure_account
from app.server.app_factory import create_app
from app.server.config import DEFAULT_HOST, DEFAULT_PORT
from app.server.conversion_jobs import ACTIVE_STATES, claim_next
from app.server.conversion_worker import ConversionWorker
from app.server.database import Database
from app.server.embedded import FIRST_GROUP_TITLE, LOCAL_ACCOUNT, embedded_config
from app.server.errors import ApiError, FieldErrors
from app.server.feed_import import RUNNING_STATES, SUCCESS, FeedImportWorker
from app.server.group_service import create_group
from app.server.models import (
    Account,
    Collection,
    Conversion,
    Group,
    HotspotRow,
    Metatag,
    Page,
    Product,
    ProductFeed,
    Publication,
)
from app.server.render_pool import RenderPool
from app.server.routes import (
    collections,
    metatags,
    product_feeds,
    publication_states,
    publications,
)

# The upload route's own spooling and storing, so a demo file is an upload like any other.
from app.server.routes.uploads import _Spool, _store_upload
from app.server.write_context import WriteRequest

log = logging.getLogger(__name__)

T = TypeVar("T")
DemoProgress = Callable[[str, int, int], None]
"""``progress(what is being done, steps done, steps in all)``."""

CATALOGUES = "Demo: Seasonal catalogues"
MAGAZINES = "Demo: Brand magazines"
DEMO_GROUP_TITLES = (CATALOGUES, MAGAZINES)
FILES_DIR = "demo"
FEED_FILE = "fjord-and-field-products.xml"
# Upload URLs name this server by `folio serve`'s default address; conversions and imports
# find an upload by its id, whatever port the embedded server has later.
BASE_URL = f"http://{DEFAULT_HOST}:{DEFAULT_PORT}"
OTHERS_TIMEOUT = 120.0  # seconds to wait for work a running server's workers took over
OTHERS_POLL = 0.1


class DemoError(FolioError):
    """The demo could not be created; the message says why. What was made so far stays, and
    running it again completes it."""


class DemoCanceled(DemoError):
    """``cancel`` was set; what was made so far stays, and running it again completes it."""


@dataclass(frozen=True)
class DemoSummary:
    created: bool
    """False when everything was there already and nothing was written."""
    groups: int
    publications: int
    pages: int
    hotspots: int
    products: int
    files_dir: Path
    """Where the sample PDFs and the product feed are."""
    seconds: float


# --- the content: Fjord & Field, a home and garden brand -------------------------------------

BRAND = "Fjord & Field"
SHOP = "https://fjordandfield.example"
ADDRESS = (
    "Fjord & Field Home GmbH",
    "Hafenstrasse 12, 20457 Hamburg",
    "hello@fjordandfield.example",
    "+49 40 555 0142",
)
# fmt: off
TEAL = Palette((0.11, 0.29, 0.33), (0.94, 0.69, 0.33), (0.98, 0.97, 0.94), (0.12, 0.13, 0.15))
PINE = Palette((0.16, 0.34, 0.28), (0.98, 0.76, 0.56), (0.98, 0.97, 0.94), (0.12, 0.13, 0.15))
RUST = Palette((0.45, 0.18, 0.14), (0.93, 0.62, 0.28), (0.98, 0.96, 0.93), (0.16, 0.11, 0.10))
MOSS = Palette((0.22, 0.38, 0.22), (0.86, 0.88, 0.47), (0.97, 0.98, 0.94), (0.12, 0.14, 0.12))
NIGHT = Palette((0.12, 0.16, 0.30), (0.86, 0.32, 0.32), (0.97, 0.97, 0.98), (0.10, 0.11, 0.16))
FJORD = Palette((0.17, 0.30, 0.45), (0.98, 0.60, 0.45), (0.98, 0.97, 0.95), (0.11, 0.13, 0.17))
PLUM = Palette((0.35, 0.25, 0.36), (0.93, 0.80, 0.62), (0.98, 0.96, 0.95), (0.15, 0.12, 0.16))
LABELS = {
    "en": Labels(),
    "de": Labels("Inhalt", "Art.-Nr.", "Zur Kollektion", "Online bestellen", "Besuchen Sie uns", "Seite"),
    "fr": Labels("Sommaire", "Réf.", "Découvrir la collection", "Boutique en ligne", "Rendez-nous visite", "Page"),
}
# fmt: on


@dataclass(frozen=True)
class CatalogueItem:
    """A product as the feed lists it and the PDFs print it."""

    sku: str
    name: str
    title: str
    euros: float
    colour: tuple[float, float, float]
    shape: ProductShape
    notes: dict[str, str]
    """A line about it, by language."""
    in_feed: bool = True

    def card(self, language: str, euros: float | None = None) -> DemoProduct:
        amount = f"{euros or self.euros:.2f}"
        price = f"{amount if language == 'en' else amount.replace('.', ',')} EUR"
        return DemoProduct(
            (self.sku,), self.name, self.notes[language], price, self.colour, self.shape
        )


C, L, V, P, S = (ProductShape.CHAIR, ProductShape.LAMP, ProductShape.VASE, ProductShape.PLANT, ProductShape.CUSHION)  # fmt: skip
# fmt: off
ITEMS = {item.sku: item for item in (
    CatalogueItem("DEMO-1001", "Hagen", "Hagen lounge chair", 449, (0.80, 0.45, 0.30), C, {"en": "Lounge chair in oiled oak and wool.", "de": "Loungesessel aus geölter Eiche und Wolle.", "fr": "Fauteuil en chêne huilé et laine."}),
    CatalogueItem("DEMO-1002", "Lys", "Lys table lamp", 129, (0.93, 0.78, 0.42), L, {"en": "Table lamp with a linen shade and brass stem.", "de": "Tischleuchte mit Leinenschirm und Messingfuss.", "fr": "Lampe à poser, abat-jour en lin, pied laiton."}),
    CatalogueItem("DEMO-1003", "Fjell tall", "Fjell stoneware vase, tall", 39.9, (0.35, 0.55, 0.62), V, {"en": "Tall stoneware vase, glazed by hand.", "de": "Hohe Steinzeugvase, von Hand glasiert.", "fr": "Grand vase en grès émaillé main."}),
    CatalogueItem("DEMO-1004", "Fjell small", "Fjell stoneware vase, small", 24.9, (0.45, 0.62, 0.66), V, {"en": "Small stoneware vase.", "de": "Kleine Steinzeugvase.", "fr": "Petit vase en grès."}),
    CatalogueItem("DEMO-1005", "Mose", "Mose fern in a clay pot", 24.5, (0.35, 0.60, 0.35), P, {"en": "Easy-care fern in a clay pot.", "de": "Pflegeleichter Farn im Tontopf.", "fr": "Fougère facile à vivre, pot en terre."}),
    CatalogueItem("DEMO-1006", "Tove", "Tove linen cushion", 34.9, (0.86, 0.62, 0.55), S, {"en": "Washed linen cushion, 50 x 50 cm.", "de": "Kissen aus gewaschenem Leinen, 50 x 50 cm.", "fr": "Coussin en lin lavé, 50 x 50 cm."}),
    CatalogueItem("DEMO-1007", "Strand", "Strand deck chair", 189, (0.26, 0.50, 0.66), C, {"en": "Folding deck chair in teak and canvas.", "de": "Klappbarer Liegestuhl aus Teak und Canvas.", "fr": "Chilienne pliante en teck et toile."}),
    CatalogueItem("DEMO-1008", "Sol", "Sol solar lantern", 59, (0.96, 0.70, 0.30), L, {"en": "Solar lantern for terrace and balcony.", "de": "Solarlaterne für Terrasse und Balkon.", "fr": "Lanterne solaire pour terrasse et balcon."}),
    CatalogueItem("DEMO-1009", "Oliva", "Oliva olive tree", 89, (0.50, 0.60, 0.35), P, {"en": "Olive tree, 120 cm, in a terracotta pot.", "de": "Olivenbaum, 120 cm, im Terrakottatopf.", "fr": "Olivier, 120 cm, en pot de terre cuite."}),
    CatalogueItem("DEMO-1010", "Bris", "Bris outdoor cushion", 29.9, (0.90, 0.55, 0.35), S, {"en": "Weatherproof outdoor cushion.", "de": "Wetterfestes Outdoor-Kissen.", "fr": "Coussin d'extérieur résistant."}),
    CatalogueItem("DEMO-1011", "Havn", "Havn garden bench", 329, (0.55, 0.42, 0.30), C, {"en": "Garden bench in FSC acacia, seats three.", "de": "Gartenbank aus FSC-Akazie, für drei.", "fr": "Banc de jardin en acacia FSC, trois places."}),
    CatalogueItem("DEMO-1012", "Eik", "Eik floor lamp", 219, (0.70, 0.55, 0.40), L, {"en": "Floor lamp in oak with a dimmer.", "de": "Stehleuchte aus Eiche mit Dimmer.", "fr": "Lampadaire en chêne avec variateur."}),
    CatalogueItem("DEMO-1013", "Lyng", "Lyng herb set", 19.9, (0.42, 0.66, 0.40), P, {"en": "Three kitchen herbs to grow on the sill.", "de": "Drei Küchenkräuter für die Fensterbank.", "fr": "Trois herbes aromatiques pour le rebord."}),
    CatalogueItem("DEMO-1014", "Vinter", "Vinter wool throw", 79, (0.62, 0.30, 0.30), S, {"en": "Throw in lambswool, 130 x 170 cm.", "de": "Plaid aus Lammwolle, 130 x 170 cm.", "fr": "Plaid en laine d'agneau, 130 x 170 cm."}),
    CatalogueItem("DEMO-1015", "Glød", "Glød candle holder", 17.5, (0.85, 0.66, 0.35), V, {"en": "Brass candle holder for dinner candles.", "de": "Kerzenhalter aus Messing.", "fr": "Bougeoir en laiton."}),
    CatalogueItem("DEMO-1016", "Skog", "Skog armchair", 549, (0.30, 0.45, 0.35), C, {"en": "Armchair in bouclé with a walnut frame.", "de": "Sessel in Bouclé mit Nussbaumgestell.", "fr": "Fauteuil en bouclette, structure en noyer."}),
    CatalogueItem("DEMO-1017", "Snø", "Snø pendant lamp", 169, (0.85, 0.86, 0.88), L, {"en": "Pendant lamp in opal glass.", "de": "Pendelleuchte aus Opalglas.", "fr": "Suspension en verre opalin."}),
    CatalogueItem("DEMO-1018", "Is", "Is glass vase", 45, (0.55, 0.75, 0.80), V, {"en": "Mouth-blown glass vase.", "de": "Mundgeblasene Glasvase.", "fr": "Vase en verre soufflé bouche."}),
    CatalogueItem("DEMO-1019", "Rim", "Rim velvet cushion", 39.9, (0.45, 0.35, 0.55), S, {"en": "Velvet cushion with piping.", "de": "Samtkissen mit Paspel.", "fr": "Coussin en velours passepoilé."}),
    CatalogueItem("DEMO-1020", "Fyr", "Fyr potted pine", 34, (0.25, 0.45, 0.30), P, {"en": "Dwarf pine, hardy outdoors all year.", "de": "Zwergkiefer, ganzjährig winterhart.", "fr": "Pin nain, rustique toute l'année."}),
    # Printed in the catalogues but not (yet) in the feed: what `folio hotspots lint` reports.
    CatalogueItem("DEMO-1099", "Nord", "Nord sofa", 1290, (0.40, 0.48, 0.55), C, {"en": "Three-seater sofa. Arrives in May."}, in_feed=False),
    CatalogueItem("DEMO-2001", "Kveld", "Kveld wall lamp", 99, (0.75, 0.50, 0.35), L, {"en": "Wall lamp in brass. Sold out."}, in_feed=False),
)}

# slug: (headline, standfirst, more text, button)
STORIES = {slug: StoryPage(heading, f"{first}\n\n{rest}", link, f"{SHOP}/journal/{slug}") for slug, (heading, first, rest, link) in {
    "makers": ("Made by hand in Jutland", "Every Hagen chair starts as a plank of Danish oak that has dried for two winters. In a workshop of eleven people near Silkeborg, it is cut, joined and oiled by hand.", "And signed underneath by the person who finished it. We visit our makers every season: that is where the next pieces begin, with a sketch on the workbench and a cup of strong coffee.", "Meet the makers"),
    "oak-care": ("Caring for oiled oak", "Oiled oak lives with you. Wipe it with a damp cloth, never a wet one, and dry it at once.", "Twice a year, sand lightly with fine paper and rub in a thin coat of our natural oil. Let it soak in for twenty minutes, then polish off what is left. Rings and scratches fade, and the wood turns a deeper honey colour year after year.", "Read the care guide"),
    "slow-mornings": ("Slow mornings by the water", "At six the fjord is still. Steam rises from a cup, a blanket hangs over the back of the Strand chair, and nobody has said a word yet.", "We asked five families along the coast how they begin the day. None of them hurry. All of them go outside first.", "Read the full story"),
    "lofoten": ("A weekend in the Lofoten huts", "Red fishing huts, white peaks and a light that never quite sets: the Lofoten islands in June are made for long evenings.", "Photographer Ingrid Dahl spent three days there with a rucksack, two lanterns and our Vinter throw. Her pictures are in this issue; her route is online.", "See the route"),
    "outdoor-kitchen": ("The outdoor kitchen, reconsidered", "A grill, a bench and a table that can stand the rain: that is all an outdoor kitchen needs.", "Chef Mads Holm shows how he cooks for twelve on his allotment. His rule: prepare everything indoors, finish everything outside.", "Get the recipes"),
    "lanterns": ("Light after dark", "When the sun goes down, the garden does not have to.", "Lanterns at knee height, a string of lights in the tree, candles on the table: three layers of light turn a terrace into a room. Our lighting designer explains where each one goes.", "Plan your garden light"),
    "less": ("Living with less", "Fewer things, chosen better, kept longer. The idea is old; living by it is hard.", "Three readers show us the one room in their home where they managed it, and what they kept.", "Read their stories"),
    "calm": ("The colour of calm", "Clay, moss, fog and oat: the colours of the new season come from the landscape outside our studio window.", "How to combine them without the room turning grey, in four steps.", "See the palette"),
    "table": ("A table for everyone", "The dining table is the most used piece of furniture in most homes: homework, dinners, tax returns and birthday cakes.", "Why we made ours two centimetres lower, and why nobody notices.", "Read more"),
    "de/handgemacht": ("Handgemacht in Jütland", "Jeder Hagen-Sessel beginnt als Brett dänischer Eiche, das zwei Winter lang getrocknet ist.", "In einer Werkstatt mit elf Menschen bei Silkeborg wird es gesägt, verbunden und von Hand geölt, und unten signiert von der Person, die ihn fertiggestellt hat.", "Die Werkstatt kennenlernen"),
    "de/langsame-morgen": ("Langsame Morgen am Wasser", "Um sechs Uhr ist der Fjord still. Dampf steigt aus einer Tasse, über der Lehne des Strand-Liegestuhls hängt eine Decke.", "Wir haben fünf Familien an der Küste gefragt, wie ihr Tag beginnt. Keine hat es eilig. Alle gehen zuerst nach draussen.", "Zur ganzen Geschichte"),
    "de/lofoten": ("Ein Wochenende in den Lofoten", "Rote Fischerhütten, weisse Gipfel und ein Licht, das nie ganz untergeht.", "Die Fotografin Ingrid Dahl war drei Tage dort, mit Rucksack, zwei Laternen und unserem Vinter-Plaid.", "Zur Route"),
    "de/licht": ("Licht nach Sonnenuntergang", "Wenn die Sonne untergeht, muss der Garten es nicht.", "Laternen auf Kniehöhe, eine Lichterkette im Baum, Kerzen auf dem Tisch: drei Lichtebenen machen aus der Terrasse einen Raum.", "Gartenlicht planen"),
    "fr/fait-main": ("Fait main au Jutland", "Chaque fauteuil Hagen commence par une planche de chêne danois séchée pendant deux hivers.", "Dans un atelier de onze personnes près de Silkeborg, elle est sciée, assemblée et huilée à la main, puis signée, dessous, par la personne qui l'a terminée.", "Rencontrer l'atelier"),
}.items()}
# fmt: on


def _cards(language: str, *skus: str) -> tuple[DemoProduct, ...]:
    return tuple(ITEMS[sku].card(language) for sku in skus)


def _set(language: str, name: str, euros: float, *skus: str) -> DemoProduct:
    """One card for several products: a product hotspot with more than one SKU."""
    card = ITEMS[skus[0]].card(language, euros)
    return DemoProduct(skus, name, card.note, card.price, card.colour, card.shape)


def _document(
    language: str,
    titles: tuple[str, str, str],
    palette: Palette,
    pages: tuple[ProductPage | StoryPage, ...],
    shop_path: str,
    **options: Any,
) -> DemoDocument:
    """``titles``: the title, the kicker above it and the tagline below it."""
    title, kicker, tagline = titles
    shop_url = f"{SHOP}/{shop_path}"
    labels = LABELS[language]
    return DemoDocument(
        BRAND, title, kicker, tagline, palette, pages, shop_url, ADDRESS, labels, **options
    )


@dataclass(frozen=True)
class DemoPublication:
    document: DemoDocument
    language: str
    description: str
    tags: tuple[tuple[str, str], ...] = ()
    """(category, value) metatags."""
    state: str = "offline"
    """online, unlisted or offline."""
    collection: str | None = None
    valid_from: str | None = None
    online_in_days: int | None = None
    offline_in_days: int | None = None
    layout_type: str = "booklet"
    extraction_options: dict[str, Any] | None = None

    @property
    def title(self) -> str:
        return self.document.title


@dataclass(frozen=True)
class DemoGroup:
    title: str
    publications: tuple[DemoPublication, ...]
    collections: tuple[str, ...]
    with_catalogue: bool = False


SPRING, SUMMER, AUTUMN, WINTER = (("Season", s) for s in ("Spring", "Summer", "Autumn", "Winter"))
EU, US = ("Region", "EU"), ("Region", "US")
OUTDOOR, INTERIORS = ("Topic", "Outdoor"), ("Topic", "Interiors")
CATALOGUES_2026, JOURNAL = "2026 catalogues", "Journal"


# fmt: off
def _catalogue_group() -> DemoGroup:
    spring_en = _document("en", ("Spring/Summer 2026 Catalogue", "Spring / Summer 2026", "Light rooms, long evenings: the new season for home and garden."), TEAL, (
        ProductPage("Living room", "Soft textures and warm wood for the room you live in most.", _cards("en", "DEMO-1001", "DEMO-1002", "DEMO-1006", "DEMO-1016")),
        ProductPage("Dining", "Set the table for long summer dinners.", (_set("en", "Fjell vase set", 59.9, "DEMO-1003", "DEMO-1004"), *_cards("en", "DEMO-1015", "DEMO-1012"))),
        STORIES["makers"],
        ProductPage("Bedroom", "Layers of wool, velvet and soft light for slow evenings.", _cards("en", "DEMO-1014", "DEMO-1019", "DEMO-1017", "DEMO-1018")),
        ProductPage("Garden", "Teak, acacia and canvas: built for sun and rain.", _cards("en", "DEMO-1007", "DEMO-1011", "DEMO-1009", "DEMO-1010")),
        ProductPage("Balcony", "Small spaces, big summers.", _cards("en", "DEMO-1008", "DEMO-1013", "DEMO-1005", "DEMO-1020")),
        ProductPage("Coming soon", "A first look at what arrives later this season.", _cards("en", "DEMO-1099", "DEMO-2001")),
        STORIES["oak-care"],
        ProductPage("Bestsellers", "The pieces our customers come back for.", _cards("en", "DEMO-1001", "DEMO-1002", "DEMO-1007", "DEMO-1009")),
    ), "spring")
    spring_de = _document("de", ("Frühjahr/Sommer 2026 Katalog", "Frühjahr / Sommer 2026", "Helle Räume, lange Abende: die neue Saison für Haus und Garten."), PINE, (
        ProductPage("Wohnzimmer", "Weiche Stoffe und warmes Holz für den Raum, in dem Sie am meisten leben.", _cards("de", "DEMO-1001", "DEMO-1002", "DEMO-1006", "DEMO-1016")),
        ProductPage("Garten", "Teak, Akazie und Canvas: gemacht für Sonne und Regen.", _cards("de", "DEMO-1007", "DEMO-1011", "DEMO-1009", "DEMO-1010")),
        STORIES["de/handgemacht"],
        ProductPage("Balkon", "Kleine Flächen, grosse Sommer.", _cards("de", "DEMO-1008", "DEMO-1013", "DEMO-1005", "DEMO-1020")),
        ProductPage("Esszimmer", "Der Tisch für lange Sommerabende.", (_set("de", "Fjell Vasen-Set", 59.9, "DEMO-1003", "DEMO-1004"), *_cards("de", "DEMO-1015", "DEMO-1012"))),
    ), "de/fruehjahr")
    autumn_fr = _document("fr", ("Catalogue Automne/Hiver 2026", "Automne / Hiver 2026", "Des soirées douces et des matières chaudes pour la saison froide."), RUST, (
        ProductPage("Salon", "Bouclette, laine et noyer pour se retrouver au chaud.", _cards("fr", "DEMO-1016", "DEMO-1014", "DEMO-1019", "DEMO-1012")),
        ProductPage("Lumière", "Quand les jours raccourcissent, la lumière fait la pièce.", _cards("fr", "DEMO-1017", "DEMO-1002", "DEMO-1008", "DEMO-1015")),
        STORIES["fr/fait-main"],
        ProductPage("Chambre", "Des textiles doux pour les nuits longues.", _cards("fr", "DEMO-1014", "DEMO-1019", "DEMO-1018")),
        ProductPage("Plantes", "Du vert toute l'année, dedans comme dehors.", _cards("fr", "DEMO-1005", "DEMO-1009", "DEMO-1020", "DEMO-1013")),
    ), "fr/automne")
    # SKUs printed without product notes: the conversion finds them in the text.
    price_list = _document("en", ("Garden Price List 2026", "Price list 2026", "Every garden piece with its article number, for dealers and planners."), MOSS, (
        ProductPage("Garden furniture", "Teak, acacia and canvas.", _cards("en", "DEMO-1007", "DEMO-1011", "DEMO-1010")),
        ProductPage("Plants and pots", "Hardy plants in frost-proof pots.", _cards("en", "DEMO-1009", "DEMO-1005", "DEMO-1013", "DEMO-1020")),
        ProductPage("Outdoor light", "Solar and mains lighting for garden and terrace.", _cards("en", "DEMO-1008", "DEMO-1012")),
    ), "dealers", annotate_products=False)
    sale = _document("en", ("Winter Sale 2025", "Winter sale", "Up to 30 % off wool, velvet and warm light. While stocks last."), NIGHT, (
        ProductPage("Up to 30 % off", "Sale prices, valid until 15 January.", (ITEMS["DEMO-1014"].card("en", 55), ITEMS["DEMO-1019"].card("en", 27.9), ITEMS["DEMO-1017"].card("en", 129), ITEMS["DEMO-1016"].card("en", 449))),
    ), "sale")
    return DemoGroup(CATALOGUES, (
        DemoPublication(spring_en, "en", "Light rooms and long evenings: new furniture, lighting and plants for home, garden and balcony.", (SPRING, SUMMER, EU), "online", CATALOGUES_2026, "2026-03-01", offline_in_days=200),
        DemoPublication(spring_de, "de", "Helle Räume und lange Abende: neue Möbel, Leuchten und Pflanzen für Haus, Garten und Balkon.", (SPRING, SUMMER, EU), "online", CATALOGUES_2026, "2026-03-01"),
        DemoPublication(autumn_fr, "fr", "Des matières chaudes et une lumière douce pour l'automne et l'hiver.", (AUTUMN, EU), "offline", CATALOGUES_2026, "2026-09-01", online_in_days=21),
        DemoPublication(price_list, "en", "Dealer price list with article numbers; product links come from the catalogue.", (US,), "unlisted", CATALOGUES_2026, extraction_options={"products": {"icons": True}}),
        DemoPublication(sale, "en", "Last winter's sale flyer, kept for reference.", (WINTER, US), "offline", valid_from="2025-12-26"),
    ), (CATALOGUES_2026,), with_catalogue=True)


def _magazine_group() -> DemoGroup:
    journal = "Fjord & Field Journal"
    issue_7 = _document("en", ("Journal No. 7: The Outdoor Issue", journal, "Stories about living outside, from the fjord to the allotment."), FJORD,
                        tuple(STORIES[s] for s in ("slow-mornings", "lofoten", "outdoor-kitchen", "lanterns", "makers")), "journal", size=MAGAZINE)
    issue_7_de = _document("de", ("Journal Nr. 7: Draußen leben", journal, "Geschichten vom Leben draussen, vom Fjord bis zum Schrebergarten."), FJORD,
                           tuple(STORIES[s] for s in ("de/langsame-morgen", "de/lofoten", "de/licht")), "de/journal", size=MAGAZINE)
    issue_6 = _document("en", ("Journal No. 6: Slow Living", journal, "Fewer things, chosen better, kept longer."), PLUM,
                        tuple(STORIES[s] for s in ("less", "calm", "table")), "journal/6", size=MAGAZINE)
    return DemoGroup(MAGAZINES, (
        # Links: the e-mail address on the back cover becomes a hotspot too.
        DemoPublication(issue_7, "en", "Slow mornings, Lofoten huts and an outdoor kitchen: our summer issue.", (OUTDOOR, EU), "online", JOURNAL, "2026-05-01", extraction_options={"links": {"icons": True}}),
        DemoPublication(issue_7_de, "de", "Langsame Morgen, Hütten auf den Lofoten und Licht im Garten: unsere Sommerausgabe.", (OUTDOOR, EU), "offline", JOURNAL, "2026-05-01"),
        DemoPublication(issue_6, "en", "Living with less, the colour of calm and a table for everyone.", (INTERIORS, US), "online", JOURNAL, "2025-11-01", layout_type="single"),
    ), (JOURNAL,))
# fmt: on


def demo_groups() -> tuple[DemoGroup, ...]:
    """What the demo creates, group by group."""
    return (_catalogue_group(), _magazine_group())


def feed_xml(items: list[CatalogueItem]) -> bytes:
    """An RSS 2.0 product feed with the ``g:`` namespace (Google Merchant Center's format)."""
    entries = "".join(
        f"<item><g:id>{escape(i.sku)}</g:id><title>{escape(i.title)}</title>"
        f"<description>{escape(i.notes['en'])}</description>"
        f"<link>{SHOP}/p/{i.sku.lower()}</link>"
        f"<g:image_link>{SHOP}/images/{i.sku.lower()}.jpg</g:image_link>"
        f"<g:price>{i.euros:.2f} EUR</g:price><g:availability>in stock</g:availability>"
        f"<g:brand>{escape(BRAND)}</g:brand></item>\n"
        for i in items
    )
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        '<rss version="2.0" xmlns:g="http://base.google.com/ns/1.0"><channel>\n'
        f"<title>{escape(BRAND)} products</title><link>{SHOP}</link>\n{entries}</channel></rss>\n"
    ).encode()


# --- making it -------------------------------------------------------------------------------


class _InlinePool(RenderPool):
    """The server's rendering tasks, run in this thread instead of spawned processes: the
    demo's pages are few and simple, and a spawned process needs over a second to import
    PyMuPDF before it draws anything (this process has it imported already)."""

    def __init__(self) -> None:
        super().__init__(1)

    def submit(self, fn: Callable[..., T], *args: Any) -> Future[T]:
        future: Future[T] = Future()
        try:
            future.set_result(fn(*args))
        except Exception as exc:
            future.set_exception(exc)
        return future

    def call(self, fn: Callable[..., T], *args: Any, timeout: float) -> T:
        return fn(*args)


def _reason(exc: ApiError) -> str:
    if isinstance(exc, FieldErrors):
        return "; ".join(f"{name} {', '.join(texts)}" for name, texts in exc.errors.items())
    return exc.message


@dataclass
class _Plan:
    group_id: int
    spec: DemoGroup
    missing: list[DemoPublication]
    needs_catalogue: bool


class _DemoRun:
    """One run: the server's app without its listener or background threads; its route
    handlers and workers are driven from here, in turn."""

    def __init__(
        self,
        db: Database,
        data_dir: Path,
        progress: DemoProgress | None,
        cancel: threading.Event | None,
    ) -> None:
        self.db = db
        self.config = embedded_config(data_dir, db.url)
        self.app = create_app(self.config, db)  # migrates the database
        self.conversions: ConversionWorker = self.app.state.conversions
        self.conversions.pool = _InlinePool()
        self.feed_imports: FeedImportWorker = self.app.state.feed_imports
        # Handlers reach the app through the request only to wake its workers.
        self.request = Request({"type": "http", "app": self.app})
        self.files_dir = data_dir / FILES_DIR
        self.progress = progress
        self.cancel = cancel
        self.done, self.total = 0, 1
        self.created = False
        # key_id 0: no API key is involved, the caller is this process.
        self.principal = Principal(self._local_account(), 0, KeyScope.ADMIN)

    # -- plumbing -------------------------------------------------------------------------

    def check_cancel(self) -> None:
        if self.cancel is not None and self.cancel.is_set():
            raise DemoCanceled("The demo workspace was canceled; run it again to complete it")

    def step(self, what: str) -> None:
        self.check_cancel()
        if self.progress is not None:
            self.progress(what, self.done, self.total)
        self.done += 1

    def write(self, body: dict[str, Any]) -> WriteRequest:
        return WriteRequest(
            db=self.db,
            principal=self.principal,
            body=body,
            base_url=BASE_URL,
            idempotency_key=None,
            fingerprint="",
            if_match=None,
            idempotency_ttl=timedelta(seconds=self.config.idempotency_ttl_seconds),
        )

    def call(self, what: str, handler: Callable[..., Response], *args: Any) -> dict[str, Any]:
        """A route handler's answer as data; its refusal as a DemoError naming ``what``."""
        try:
            response = handler(*args)
        except ApiError as exc:
            raise DemoError(f"Could not {what}: {_reason(exc)}") from None
        self.created = True
        return json.loads(bytes(response.body)) if response.body else {}

    def _local_account(self) -> int:
        with self.db.write() as session:
            account = ensure_account(session, LOCAL_ACCOUNT)
            # As the embedded server does on a first start: the user's own group comes first.
            if session.scalar(select(Group.id).where(Group.account_id == account.id)) is None:
                create_group(session, account.id, FIRST_GROUP_TITLE)
            return account.id

    def upload(self, name: str, data: bytes, content_type: str) -> str:
        """Keep ``data`` in the demo folder and upload it as POST /v2/uploads does; returns
        the upload's source_url."""
        self.files_dir.mkdir(parents=True, exist_ok=True)
        (self.files_dir / name).write_bytes(data)
        spool = _Spool(self.config.work_dir, self.config.max_upload_bytes)
        try:
            spool.write(data)
            spool.close()
        except BaseException:
            spool.discard()
            raise
        answer = _store_upload(
            self.db,
            self.app.state.files,
            spool,
            Path(name).suffix,
            self.principal.account_id,
            name,
            content_type,
            BASE_URL,
        )
        return str(answer["upload"]["source_url"])

    # -- the parts ------------------------------------------------------------------------

    def plan(self, spec: DemoGroup) -> _Plan:
        account_id = self.principal.account_id
        with self.db.write() as session:
            group_id = session.scalar(
                select(Group.id).where(Group.account_id == account_id, Group.title == spec.title)
            )
            if group_id is None:
                self.created = True
                group_id = int(create_group(session, account_id, spec.title)["id"])
            # An archived publication counts as made: the user removed it.
            titles = set(
                session.scalars(select(Publication.title).where(Publication.group_id == group_id))
            )
            has_products = session.scalar(select(Product.id).where(Product.group_id == group_id))
        missing = [p for p in spec.publications if p.title not in titles]
        return _Plan(group_id, spec, missing, spec.with_catalogue and has_products is None)

    def metatags(self, group_id: int, wanted: set[tuple[str, str]]) -> dict[tuple[str, str], int]:
        with self.db.read() as session:
            rows = session.execute(
                select(Metatag.category, Metatag.value, Metatag.id).where(
                    Metatag.group_id == group_id
                )
            )
            ids = {(category, value): tag_id for category, value, tag_id in rows}
        for category, value in sorted(wanted - set(ids)):
            answer = self.call(
                f"create the metatag {category}: {value}",
                metatags.create_metatag,
                group_id,
                self.write({"metatag": {"category": category, "value": value}}),
            )
            ids[(category, value)] = answer["metatag"]["id"]
        return ids

    def collections(self, group_id: int, titles: tuple[str, ...]) -> dict[str, int]:
        with self.db.read() as session:
            rows = session.execute(
                select(Collection.title, Collection.id).where(Collection.group_id == group_id)
            )
            ids = {title: collection_id for title, collection_id in rows}
        for title in titles:
            if title not in ids:
                answer = self.call(
                    f"create the collection {title!r}",
                    collections.create_collection,
                    group_id,
                    self.write({"collection": {"title": title}}),
                )
                ids[title] = answer["collection"]["id"]
        return ids

    def catalogue(self, group_id: int) -> None:
        """Import the product feed (or finish an import that is under way)."""
        self.step("Importing the product catalogue")
        with self.db.read() as session:
            feed_id = session.scalar(
                select(ProductFeed.id).where(
                    ProductFeed.group_id == group_id, ProductFeed.state.in_(RUNNING_STATES)
                )
            )
        if feed_id is None:
            feed = feed_xml([item for item in ITEMS.values() if item.in_feed])
            url = self.upload(FEED_FILE, feed, "application/rss+xml")
            answer = self.call(
                "create the product feed",
                product_feeds.create_product_feed,
                self.request,
                group_id,
                self.write({"product_feed": {"url": url}}),
            )
            feed_id = answer["product_feed"]["id"]
        # The worker's own claim (private, but the loop around it is the worker thread's).
        while (job := self.feed_imports._claim()) is not None:
            self.feed_imports.run_import(job)
        self._wait_for_import(feed_id)

    def _wait_for_import(self, feed_id: int) -> None:
        """Until the import succeeded (a server running on the same data dir may have taken
        it over); raises DemoError when it failed."""
        deadline = time.monotonic() + OTHERS_TIMEOUT
        while True:
            with self.db.read() as session:
                feed = session.get(ProductFeed, feed_id)
                state, error = (feed.state, feed.error) if feed else ("deleted", None)
            if state == SUCCESS:
                return
            if state not in RUNNING_STATES or time.monotonic() > deadline:
                reason = error or f"the import ended {state}"
                raise DemoError(f"Could not import the demo product catalogue: {reason}")
            time.sleep(OTHERS_POLL)

    def publication(
        self,
        plan: _Plan,
        spec: DemoPublication,
        tags: dict[tuple[str, str], int],
        collection_ids: dict[str, int],
    ) -> None:
        self.step(f"Creating {spec.title}")
        pdf = demo_pdf(spec.document)
        url = self.upload(f"{slugify(spec.title)}.pdf", pdf, "application/pdf")
        now = utc_now()
        fields: dict[str, Any] = {
            "title": spec.title,
            "source_url": url,
            "browser_title": f"{spec.title} | {BRAND}",
            "description": spec.description,
            "language": spec.language,
            "metatag_ids": [tags[tag] for tag in spec.tags],
            "layout_type": spec.layout_type,
            "valid_from": spec.valid_from,
            "extraction_options": spec.extraction_options,
        }
        if spec.collection:
            fields["collection_id"] = collection_ids[spec.collection]
        for name, days in (
            ("schedule_online_at", spec.online_in_days),
            ("schedule_offline_at", spec.offline_in_days),
        ):
            if days is not None:
                fields[name] = format_datetime(now + timedelta(days=days))
        self.call(
            f"create the publication {spec.title!r}",
            publications.create_publication,
            self.request,
            plan.group_id,
            self.write({"publication": fields}),
        )

    def demo_publications(self, plans: list[_Plan]) -> dict[int, tuple[int, DemoPublication]]:
        """Every live demo publication, made by this run or an earlier one, by id: its group
        id and what it should be."""
        found: dict[int, tuple[int, DemoPublication]] = {}
        with self.db.read() as session:
            for plan in plans:
                specs = {spec.title: spec for spec in plan.spec.publications}
                rows = session.execute(
                    select(Publication.id, Publication.title).where(
                        Publication.group_id == plan.group_id, Publication.archived.is_(False)
                    )
                )
                found.update(
                    (publication_id, (plan.group_id, specs[title]))
                    for publication_id, title in rows
                    if title in specs
                )
        return found

    def convert(self, demo: dict[int, DemoPublication]) -> None:
        """Run the waiting conversions with the server's worker code in this thread, then
        make sure every demo publication's conversion finished."""
        waiting = self._waiting(demo)
        self.total = self.done + len(waiting) + 1
        # Only while a demo conversion waits: the queue may hold older work of the user's
        # (claimed first, as the worker would), but none that comes after the demo's.
        while any(state == ConversionState.NEW.value for state in waiting.values()):
            self.check_cancel()  # before a claim: a claimed job must be run
            job = claim_next(self.db)
            if job is None:
                break
            spec = demo.get(job.publication_id)
            if spec is not None:
                self.step(f"Converting {spec.title}")
            self.conversions.run_job(job)
            waiting = self._waiting(demo)
        deadline = time.monotonic() + OTHERS_TIMEOUT
        while waiting:
            if time.monotonic() > deadline:
                title = demo[next(iter(waiting))].title
                raise DemoError(f"The conversion of {title!r} did not finish")
            time.sleep(OTHERS_POLL)  # a server running on the same data dir took it over
            waiting = self._waiting(demo)

    def _waiting(self, demo: dict[int, DemoPublication]) -> dict[int, str]:
        """The state of each demo publication's newest conversion that is waiting or
        running, by publication id; raises DemoError for one that failed."""
        waiting: dict[int, str] = {}
        with self.db.read() as session:
            for publication_id, spec in demo.items():
                newest = session.execute(
                    select(Conversion.state, Conversion.state_details)
                    .where(Conversion.publication_id == publication_id)
                    .order_by(Conversion.id.desc())
                    .limit(1)
                ).first()
                state, details = newest if newest is not None else (None, None)
                if state == ConversionState.FAILED.value:
                    reason = (details or {}).get("error", "no reason given")
                    raise DemoError(f"Could not convert {spec.title!r}: {reason}")
                if state in (ConversionState.NEW.value, *ACTIVE_STATES):
                    waiting[publication_id] = state
        return waiting

    def publish(self, group_id: int, publication_id: int, spec: DemoPublication) -> None:
        """Put the publication online or unlisted as the demo wants, unless it has been
        online before (then this or an earlier run did it, and the user may have changed
        it since)."""
        handler = {
            "online": publication_states.publication_online,
            "unlisted": publication_states.publication_unlisted,
        }.get(spec.state)
        with self.db.read() as session:
            online_before = session.scalar(
                select(Publication.online_at).where(Publication.id == publication_id)
            )
        if handler is None or online_before is not None:
            return
        try:
            self.call(
                f"put {spec.title!r} {spec.state}",
                handler,
                group_id,
                publication_id,
                self.write({}),
            )
        except DemoError as exc:
            # Over the account's online limit: it stays offline, still a fine demo.
            log.info("%s", exc)

    def run(self, groups: tuple[DemoGroup, ...]) -> None:
        plans = [self.plan(spec) for spec in groups]
        missing = sum(len(plan.missing) for plan in plans)
        self.total = 2 * missing + sum(plan.needs_catalogue for plan in plans) + 1
        for plan in plans:
            if plan.needs_catalogue:
                self.catalogue(plan.group_id)
        for plan in plans:
            if not plan.missing:
                continue
            tags = self.metatags(plan.group_id, {tag for p in plan.missing for tag in p.tags})
            collection_ids = self.collections(plan.group_id, plan.spec.collections)
            for spec in plan.missing:
                self.publication(plan, spec, tags, collection_ids)
        demo = self.demo_publications(plans)
        self.convert({publication_id: spec for publication_id, (_, spec) in demo.items()})
        self.step("Publishing")
        for publication_id, (group_id, spec) in demo.items():
            self.publish(group_id, publication_id, spec)
        if self.progress is not None:
            self.progress("Done", self.total, self.total)


def _demo_group_ids(session: Session, account_id: int) -> list[int]:
    return list(
        session.scalars(
            select(Group.id).where(
                Group.account_id == account_id, Group.title.in_(DEMO_GROUP_TITLES)
            )
        )
    )


def _summary(run: _DemoRun, seconds: float) -> DemoSummary:
    with run.db.read() as session:
        group_ids = _demo_group_ids(session, run.principal.account_id)
        live = select(Publication.id).where(
            Publication.group_id.in_(group_ids), Publication.archived.is_(False)
        )
        count, pages = session.execute(
            select(func.count(), func.coalesce(func.sum(Publication.page_count), 0)).where(
                Publication.id.in_(live)
            )
        ).one()
        hotspots = session.scalar(
            select(func.count())
            .select_from(HotspotRow)
            .join(Page, Page.id == HotspotRow.page_id)
            .where(Page.publication_id.in_(live))
        )
        products = session.scalar(
            select(func.count()).select_from(Product).where(Product.group_id.in_(group_ids))
        )
    return DemoSummary(
        created=run.created,
        groups=len(group_ids),
        publications=int(count),
        pages=int(pages),
        hotspots=int(hotspots or 0),
        products=int(products or 0),
        files_dir=run.files_dir,
        seconds=seconds,
    )


def create_demo(
    database_url: str,
    data_dir: Path,
    progress: DemoProgress | None = None,
    cancel: threading.Event | None = None,
) -> DemoSummary:
    """Fill the embedded server's database (``database_url``; its files under ``data_dir``)
    with the demo workspace in the ``local`` account, creating only what is missing. Takes
    a second or two. Safe while a server runs on the same database: work its workers take
    over is waited for.

    PyMuPDF runs in the calling thread (drawing and converting the PDFs), so no other
    PyMuPDF work may run in other threads meanwhile. ``progress`` is called from this
    thread before each step; ``cancel`` is looked at between steps. Raises DemoError (a
    FolioError, with a message for the user), DemoCanceled when canceled.
    """
    started = time.monotonic()
    db = Database(database_url)
    try:
        run = _DemoRun(db, data_dir, progress, cancel)
        run.run(demo_groups())
        return _summary(run, time.monotonic() - started)
    except SQLAlchemyError as exc:
        reason = getattr(exc, "orig", None) or exc
        raise DemoError(f"Could not write the database {database_url}: {reason}") from exc
    except OSError as exc:
        where = f" {exc.filename}" if exc.filename else ""
        raise DemoError(f"Could not write{where}: {exc.strerror or exc}") from exc
    finally:
        db.dispose()


def demo_exists(database_url: str) -> bool:
    """Whether the demo workspace was loaded into this database (a demo group is in the
    ``local`` account). Writes nothing; False for a database that doesn't exist yet."""
    url = make_url(database_url)
    if url.get_backend_name() == "sqlite" and not Path(url.database or "").is_file():
        return False  # checked first: opening it would create the file
    db = Database(database_url)
    try:
        with db.read() as session:
            account = session.scalar(select(Account.id).where(Account.name == LOCAL_ACCOUNT))
            return account is not None and bool(_demo_group_ids(session, account))
    except SQLAlchemyError:
        return False  # no tables yet: nothing was loaded
    finally:
        db.dispose()
