"""What the demo workspace holds: Fjord & Field, a home and garden brand, with its seasonal
catalogues and brand magazines (their pages drawn by ``app.pdf.demo_documents``), the
product catalogue they print, and the product feed that lists it.

Plain data: ``app.server.demo_steps`` writes it into the database.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any
from xml.sax.saxutils import escape

from app.pdf.demo_documents import (
    MAGAZINE,
    DemoDocument,
    DemoProduct,
    Labels,
    Palette,
    ProductPage,
    ProductShape,
    StoryPage,
)

CATALOGUES = "Demo: Seasonal catalogues"
MAGAZINES = "Demo: Brand magazines"
DEMO_GROUP_TITLES = (CATALOGUES, MAGAZINES)

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
