#!/usr/bin/env python3
"""Writes the sample platforms that `make run` harvests (data/sample/sources.ini).

Illustrative content for the sample network (data/sample/network.json), one
platform per connector, written the way such platforms publish:
  ebooks/          the national e-book platform, recorded OAI-PMH responses
                   (two pages joined by a resumption token) for /map/ebooks
  agenda-eemland.ics   Bibliotheek Eemland's agenda as iCalendar
  agenda-zwolle.xml    Bibliotheek Zwolle's agenda as RSS 2.0 with event dates
  activiteiten-groningen.html  Bibliotheek Groningen's activities as JSON-LD
  cursussen-utrecht.csv        Bibliotheek Utrecht's course export (Windows-1252, ';')
  collectie-utrecht.csv        a few titles of Utrecht's collection, some of which
                               the e-book platform also offers (one work, two places)
  luisterboeken-onix.xml       an audiobook distributor's catalogue as ONIX 3.0
                               (the platform's audiobooks again: one work, two places)
  catalogus-utrecht.mrc        Utrecht's catalogue export as binary MARC (UTF-8) with
                               852 holdings and a separate holdings record
Run it again after changing it; the outputs are committed.
"""
import os

HERE = os.path.dirname(os.path.abspath(__file__))


def isbn13(stem12):
    s = sum(int(d) * (3 if i % 2 else 1) for i, d in enumerate(stem12))
    return stem12 + str((10 - s % 10) % 10)


BOOKS = [
    ("Het grote voorleesboek", "Annie M.G. Schmidt", "Voorlezen", "e-book"),
    ("De avonden", "Gerard Reve", "Romans", "e-book"),
    ("Max Havelaar", "Multatuli", "Romans", "e-book"),
    ("Het Achterhuis", "Anne Frank", "Geschiedenis", "e-book"),
    ("Koken met groenten", "Yvette van Boven", "Koken", "e-book"),
    ("Digitaal de weg vinden", "Sanne de Vries", "Digitale vaardigheden", "e-book"),
    ("Nederlands leren in tien stappen", "Karin Bakker", "Taal", "e-book"),
    ("Het diner", "Herman Koch", "Romans", "luisterboek"),
    ("Tonio", "A.F.Th. van der Heijden", "Romans", "luisterboek"),
    ("Gezond ouder worden", "Erik Scherder", "Gezondheid", "luisterboek"),
    ("Geldzaken voor beginners", "Marieke Visser", "Geldzaken", "e-book"),
    ("Op reis door Nederland", "Jan de Boer", "Reizen", "e-book"),
]


def oai_record(i, title, creator, subject, form):
    isbn = isbn13("978904%06d" % (1000 + i))
    dctype = "Electronic resource; e-book" if form == "e-book" else "Sound recording; audiobook"
    fmt = "application/epub+zip" if form == "e-book" else "audio/mpeg"
    return f"""    <record>
      <header>
        <identifier>oai:ebooks.example.nl:{i}</identifier>
        <datestamp>2026-11-{10 + i % 15:02d}T08:00:00Z</datestamp>
        <setSpec>nl</setSpec>
      </header>
      <metadata>
        <oai_dc:dc xmlns:oai_dc="http://www.openarchives.org/OAI/2.0/oai_dc/"
                   xmlns:dc="http://purl.org/dc/elements/1.1/">
          <dc:title>{title}</dc:title>
          <dc:creator>{creator}</dc:creator>
          <dc:subject>{subject}</dc:subject>
          <dc:description>{title} van {creator}, te lenen als {form} met uw bibliotheekpas.</dc:description>
          <dc:language>dut</dc:language>
          <dc:type>{dctype}</dc:type>
          <dc:format>{fmt}</dc:format>
          <dc:identifier>https://ebooks.example.nl/titel/{i}</dc:identifier>
          <dc:identifier>urn:isbn:{isbn}</dc:identifier>
        </oai_dc:dc>
      </metadata>
    </record>
"""


def oai_page(records, token, response_date):
    tok = ""
    if token:
        tok = f'    <resumptionToken completeListSize="{len(BOOKS) + 1}" cursor="0">{token}</resumptionToken>\n'
    elif token is not None:
        tok = '    <resumptionToken completeListSize="%d" cursor="7"/>\n' % (len(BOOKS) + 1)
    return f"""<?xml version="1.0" encoding="UTF-8"?>
<OAI-PMH xmlns="http://www.openarchives.org/OAI/2.0/">
  <responseDate>{response_date}</responseDate>
  <request verb="ListRecords" metadataPrefix="oai_dc">https://ebooks.example.nl/oai</request>
  <ListRecords>
{''.join(records)}{tok}  </ListRecords>
</OAI-PMH>
"""


def write(name, text, encoding="utf-8"):
    path = os.path.join(HERE, name)
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "w", encoding=encoding, newline="") as f:
        f.write(text)


def ebooks():
    recs = [oai_record(i + 1, *b) for i, b in enumerate(BOOKS)]
    deleted = """    <record>
      <header status="deleted">
        <identifier>oai:ebooks.example.nl:99</identifier>
        <datestamp>2026-11-20T08:00:00Z</datestamp>
      </header>
    </record>
"""
    write("ebooks/Identify.xml", """<?xml version="1.0" encoding="UTF-8"?>
<OAI-PMH xmlns="http://www.openarchives.org/OAI/2.0/">
  <responseDate>2026-11-28T08:00:00Z</responseDate>
  <request verb="Identify">https://ebooks.example.nl/oai</request>
  <Identify>
    <repositoryName>E-bookplatform (voorbeeld)</repositoryName>
    <baseURL>https://ebooks.example.nl/oai</baseURL>
    <protocolVersion>2.0</protocolVersion>
    <adminEmail>beheer@ebooks.example.nl</adminEmail>
    <earliestDatestamp>2020-01-01T00:00:00Z</earliestDatestamp>
    <deletedRecord>persistent</deletedRecord>
    <granularity>YYYY-MM-DDThh:mm:ssZ</granularity>
  </Identify>
</OAI-PMH>
""")
    write("ebooks/ListRecords-1.xml", oai_page(recs[:7], "\n      pagina-2\n    ", "2026-11-28T08:00:01Z"))
    write("ebooks/ListRecords-2.xml", oai_page(recs[7:] + [deleted], "", "2026-11-28T08:00:02Z"))
    # The next incremental harvest asks from the first page's responseDate:
    # nothing changed since.
    write("ebooks/NoRecordsMatch.xml", """<?xml version="1.0" encoding="UTF-8"?>
<OAI-PMH xmlns="http://www.openarchives.org/OAI/2.0/">
  <responseDate>2026-11-28T09:00:00Z</responseDate>
  <request verb="ListRecords" metadataPrefix="oai_dc" from="2026-11-28T08:00:01Z">https://ebooks.example.nl/oai</request>
  <error code="noRecordsMatch">Er zijn geen records gewijzigd sinds deze datum.</error>
</OAI-PMH>
""")
    write("ebooks/mapping.txt",
          "verb=Identify\nIdentify.xml\n"
          "metadataPrefix=oai_dc&verb=ListRecords\nListRecords-1.xml\n"
          "resumptionToken=pagina-2&verb=ListRecords\nListRecords-2.xml\n"
          "from=2026-11-28T08%3A00%3A01Z&metadataPrefix=oai_dc&verb=ListRecords\nNoRecordsMatch.xml\n")


def ical():
    events = [
        ("taalcafe-eemhuis", "20261203T140000", "20261203T160000", "FREQ=WEEKLY;BYDAY=TH;COUNT=20",
         "Taalcafé", "Oefen Nederlands in een ontspannen sfeer. Koffie en thee staan klaar\\, aanmelden is niet nodig.",
         "Bibliotheek Eemhuis\\, Eemplein 77\\, Amersfoort", "Taal,Nieuwkomers"),
        ("digicafe-vathorst", "20261207T100000", "20261207T120000", "FREQ=WEEKLY;BYDAY=MO;COUNT=12",
         "Digicafé", "Vragen over uw tablet\\, smartphone of laptop? Vrijwilligers helpen u op weg.",
         "Bibliotheek Vathorst", "Digitale vaardigheden,Volwassenen"),
        ("voorlezen-leusden", "20261212T103000", "20261212T111500", "FREQ=MONTHLY;BYDAY=2SA;COUNT=6",
         "Voorlezen voor peuters (2-4 jaar)", "Samen luisteren naar prentenboeken met een voorleesvrijwilliger.",
         "Bibliotheek Leusden", "Jeugd"),
        ("klik-en-tik-eemhuis", "20270112T093000", "20270112T113000", "FREQ=WEEKLY;BYDAY=TU;COUNT=4",
         "Klik & Tik: de basis", "Vier ochtenden leren werken met de computer: aanzetten\\, typen en mailen.",
         "Bibliotheek Eemhuis", "Cursus,Senioren"),
        ("lezing-eemhuis", "20270205T200000", "20270205T213000", None,
         "Lezing: de geschiedenis van Amersfoort", "Een avond over de stad en haar verhalen.",
         "Bibliotheek Eemhuis", "Lezing"),
    ]
    out = ["BEGIN:VCALENDAR", "VERSION:2.0", "PRODID:-//Bibliotheek Eemland//Agenda//NL",
           "X-WR-CALNAME:Agenda Bibliotheek Eemland"]
    for uid, start, end, rrule, summary, desc, loc, cats in events:
        out += ["BEGIN:VEVENT", f"UID:{uid}@bibliotheekeemland.example.nl", "DTSTAMP:20261120T080000Z",
                f"DTSTART;TZID=Europe/Amsterdam:{start}", f"DTEND;TZID=Europe/Amsterdam:{end}"]
        if rrule:
            out.append(f"RRULE:{rrule}")
        out += [f"SUMMARY:{summary}", f"DESCRIPTION:{desc}", f"LOCATION:{loc}", f"CATEGORIES:{cats}",
                f"URL:https://www.bibliotheekeemland.example.nl/agenda/{uid}", "END:VEVENT"]
    out.append("END:VCALENDAR")
    write("agenda-eemland.ics", "\r\n".join(out) + "\r\n")


def rss():
    items = [
        ("zw-1", "Tablet- en smartphonespreekuur", "2026-12-04T14:00:00+01:00", "2026-12-04T16:00:00+01:00",
         "Bibliotheek Stadkamer", "Hulp bij uw tablet of smartphone, elke vrijdagmiddag."),
        ("zw-2", "Leesclub: De avonden", "2026-12-15T19:30:00+01:00", "2026-12-15T21:30:00+01:00",
         "Bibliotheek Stadshagen", "We bespreken De avonden van Gerard Reve. Voor volwassenen."),
        ("zw-3", "CoderDojo voor kinderen van 8 t/m 12 jaar", "2027-01-09T10:00:00+01:00", "2027-01-09T12:00:00+01:00",
         "Bibliotheek Kampen", "Leer programmeren met Scratch en micro:bit."),
        ("zw-4", "Informatiepunt Digitale Overheid: hulp bij DigiD", "2026-12-08T10:00:00+01:00",
         "2026-12-08T12:00:00+01:00", "Bibliotheek Stadkamer", "Vragen over DigiD, toeslagen of belastingen? Loop binnen."),
    ]
    body = "".join(f"""    <item>
      <guid isPermaLink="false">{g}</guid>
      <title>{t}</title>
      <link>https://www.bibliotheekzwolle.example.nl/agenda/{g}</link>
      <description><![CDATA[<p>{d}</p>]]></description>
      <category>Agenda</category>
      <pubDate>Fri, 20 Nov 2026 08:00:00 +0100</pubDate>
      <ev:startdate>{s}</ev:startdate>
      <ev:enddate>{e}</ev:enddate>
      <ev:location>{loc}</ev:location>
    </item>
""" for g, t, s, e, loc, d in items)
    write("agenda-zwolle.xml", f"""<?xml version="1.0" encoding="UTF-8"?>
<rss version="2.0" xmlns:ev="http://purl.org/rss/1.0/modules/event/">
  <channel>
    <title>Agenda Bibliotheek Zwolle</title>
    <link>https://www.bibliotheekzwolle.example.nl/agenda</link>
    <description>Activiteiten in de bibliotheken van Zwolle en Kampen</description>
{body}  </channel>
</rss>
""")


def jsonld():
    write("activiteiten-groningen.html", """<!DOCTYPE html>
<html lang="nl">
<head>
<meta charset="utf-8">
<title>Activiteiten - Bibliotheek Groningen</title>
<script type="application/ld+json">
{
  "@context": "https://schema.org",
  "@graph": [
    {
      "@type": "Event",
      "@id": "https://www.bibliotheekgroningen.example.nl/activiteit/taalhuis-spreekuur",
      "name": "Taalhuis: spreekuur",
      "description": "Wilt u beter leren lezen, schrijven of rekenen? Kom langs bij het Taalhuis.",
      "startDate": "2026-12-09T13:00",
      "endDate": "2026-12-09T15:00",
      "location": {"@type": "Place", "name": "Bibliotheek Forum", "address": "Nieuwe Markt 1, Groningen"},
      "offers": {"@type": "Offer", "price": "0", "priceCurrency": "EUR"},
      "typicalAgeRange": "18-"
    },
    {
      "@type": "ChildrensEvent",
      "@id": "https://www.bibliotheekgroningen.example.nl/activiteit/boekstart",
      "name": "BoekStart voor baby's",
      "description": "Voorlezen en liedjes voor baby's en hun ouders.",
      "startDate": "2026-12-16T10:00",
      "endDate": "2026-12-16T10:45",
      "location": {"@type": "Place", "name": "Bibliotheek Vinkhuizen"},
      "typicalAgeRange": "0-1"
    },
    {
      "@type": "Course",
      "@id": "https://www.bibliotheekgroningen.example.nl/cursus/digisterker",
      "name": "Digisterker: werken met de e-overheid",
      "description": "In vier lessen leert u zaken regelen met de overheid via internet.",
      "hasCourseInstance": [
        {"@type": "CourseInstance", "courseMode": "onsite", "startDate": "2027-01-18T14:00", "endDate": "2027-01-18T16:00",
         "location": {"@type": "Place", "name": "Bibliotheek Beijum"}},
        {"@type": "CourseInstance", "courseMode": "onsite", "startDate": "2027-01-25T14:00", "endDate": "2027-01-25T16:00",
         "location": {"@type": "Place", "name": "Bibliotheek Beijum"}}
      ],
      "offers": {"@type": "Offer", "price": "0", "priceCurrency": "EUR"}
    }
  ]
}
</script>
</head>
<body><h1>Activiteiten</h1></body>
</html>
""")


def csv_files():
    rows = [
        ("U-101", "Klik & Tik voor beginners", "Leer de basis van de computer in vier lessen.", "12-01-2027", "10:00", "12:00",
         "Bibliotheek Neude", "gratis", "Computercursus voor beginners", "volwassenen"),
        ("U-102", "Taalcafé Leidsche Rijn", "Nederlands oefenen met anderen, elke week.", "14-01-2027", "19:30", "21:00",
         "Bibliotheek Leidsche Rijn", "gratis", "Taalcafé", "nieuwkomers"),
        ("U-103", "Workshop Grip op je geld", "Inzicht in uw uitgaven en inkomsten.", "20-01-2027", "19:00", "21:00",
         "Bibliotheek Overvecht", "€ 5,00", "Grip op je geld", "volwassenen"),
        ("U-104", "Codeclub; programmeren met Scratch", "Voor kinderen van 9 t/m 12 jaar.", "23-01-2027", "10:00", "11:30",
         "Bibliotheek Kanaleneiland", "gratis", "Codeclub", "9 t/m 12 jaar"),
    ]
    lines = ["Nummer;Titel;Omschrijving;Datum;Begin;Einde;Locatie;Prijs;Soort;Doelgroep"]
    for r in rows:
        cells = ['"%s"' % c if ";" in c else c for c in r]
        lines.append(";".join(cells))
    write("cursussen-utrecht.csv", "\r\n".join(lines) + "\r\n", encoding="cp1252")
    col = ["ISBN,Titel,Auteur,Vorm,Link"]
    for i, (title, creator, _subject, form) in enumerate(BOOKS[:5]):
        isbn = isbn13("978904%06d" % (1000 + i + 1))
        col.append(f'{isbn},"{title}","{creator}",boek,https://utrecht.example.nl/catalogus/{isbn}')
    write("collectie-utrecht.csv", "\n".join(col) + "\n")


def onix():
    products = []
    for i, (title, creator, subject, form) in enumerate(BOOKS):
        if form != "luisterboek":
            continue
        isbn = isbn13("978904%06d" % (1000 + i + 1))
        first, _, last = creator.rpartition(" ")
        products.append(f"""  <Product>
    <RecordReference>nl.luisterboeken.{isbn}</RecordReference>
    <NotificationType>03</NotificationType>
    <ProductIdentifier><ProductIDType>15</ProductIDType><IDValue>{isbn}</IDValue></ProductIdentifier>
    <DescriptiveDetail>
      <ProductComposition>00</ProductComposition>
      <ProductForm>AJ</ProductForm>
      <ProductFormDetail>A103</ProductFormDetail>
      <TitleDetail>
        <TitleType>01</TitleType>
        <TitleElement><TitleElementLevel>01</TitleElementLevel><TitleText>{title}</TitleText></TitleElement>
      </TitleDetail>
      <Contributor><SequenceNumber>1</SequenceNumber><ContributorRole>A01</ContributorRole>
        <NamesBeforeKey>{first}</NamesBeforeKey><KeyNames>{last}</KeyNames></Contributor>
      <Contributor><SequenceNumber>2</SequenceNumber><ContributorRole>E07</ContributorRole>
        <PersonName>Voorlezer {i + 1}</PersonName></Contributor>
      <Language><LanguageRole>01</LanguageRole><LanguageCode>dut</LanguageCode></Language>
      <Subject><SubjectSchemeIdentifier>32</SubjectSchemeIdentifier><SubjectCode>301</SubjectCode>
        <SubjectHeadingText>{subject}</SubjectHeadingText></Subject>
    </DescriptiveDetail>
    <CollateralDetail>
      <TextContent><TextType>03</TextType><ContentAudience>00</ContentAudience>
        <Text textformat="02">&lt;p&gt;{title} van {creator}, voorgelezen.&lt;/p&gt;&lt;p&gt;Te beluisteren met uw bibliotheekpas.&lt;/p&gt;</Text>
      </TextContent>
    </CollateralDetail>
    <PublishingDetail>
      <Publisher><PublishingRole>01</PublishingRole><PublisherName>Voorbeeld Luisterboeken</PublisherName></Publisher>
      <PublishingStatus>04</PublishingStatus>
      <PublishingDate><PublishingDateRole>01</PublishingDateRole><Date dateformat="00">2025{(i % 12) + 1:02d}15</Date></PublishingDate>
    </PublishingDetail>
    <ProductSupply>
      <SupplyDetail>
        <Supplier><SupplierRole>09</SupplierRole><SupplierName>Voorbeeld Luisterboeken</SupplierName></Supplier>
        <ProductAvailability>20</ProductAvailability>
        <Price><PriceType>04</PriceType><PriceAmount>0.00</PriceAmount><CurrencyCode>EUR</CurrencyCode></Price>
      </SupplyDetail>
    </ProductSupply>
  </Product>
""")
    write("luisterboeken-onix.xml", """<?xml version="1.0" encoding="UTF-8"?>
<ONIXMessage release="3.0" xmlns="http://ns.editeur.org/onix/3.0/reference">
  <Header>
    <Sender><SenderName>Voorbeeld Luisterboeken</SenderName></Sender>
    <SentDateTime>20261128T0800Z</SentDateTime>
    <DefaultLanguageOfText>dut</DefaultLanguageOfText>
  </Header>
""" + "".join(products) + "</ONIXMessage>\n")


def iso2709(leader_type, fields):
    """One ISO 2709 record (UTF-8, leader/09 'a'): fields are (tag, text) for
    control fields and (tag, indicators, [(code, text), ...]) for data fields."""
    data, directory = b"", b""
    for f in fields:
        if len(f) == 2:
            body = f[1].encode() + b"\x1e"
        else:
            body = f[1].encode() + b"".join(b"\x1f" + c.encode() + t.encode() for c, t in f[2]) + b"\x1e"
        directory += f[0].encode() + b"%04d%05d" % (len(body), len(data))
        data += body
    base = 24 + len(directory) + 1
    length = base + len(data) + 1
    leader = b"%05dn%sm a22%05d   4500" % (length, leader_type.encode(), base)
    return leader + directory + b"\x1e" + data + b"\x1d"


def marc():
    branches = ["Bibliotheek Neude", "Bibliotheek Leidsche Rijn", "Bibliotheek Overvecht"]
    records = []
    for i, (title, creator, subject, _form) in enumerate(BOOKS[:6]):
        isbn = isbn13("978904%06d" % (1000 + i + 1))
        given, _, surname = creator.rpartition(" ")
        records.append(iso2709("a", [
            ("001", "utr-%04d" % (i + 1)),
            ("008", "261128s2025    ne            000 1 dut d"),
            ("020", "  ", [("a", isbn)]),
            ("100", "1 ", [("a", f"{surname}, {given}")]),
            ("245", "10", [("a", title + ".")]),
            ("520", "  ", [("a", f"{title} van {creator}, in de kast van de bibliotheek.")]),
            ("650", " 4", [("a", subject)]),
            ("852", "  ", [("a", "Bibliotheek Utrecht"), ("b", branches[i % 3]), ("c", subject),
                           ("h", surname[:4].upper())]),
        ]))
    # where a title also stands, delivered as a holdings record of its own
    records.append(iso2709("x", [
        ("001", "utr-h-0001"), ("004", "utr-0002"),
        ("852", "  ", [("b", "utrecht-kanaleneiland"), ("c", "Romans"), ("h", "REVE")]),
        ("866", " 0", [("a", "2 ex.")]),
    ]))
    path = os.path.join(HERE, "catalogus-utrecht.mrc")
    with open(path, "wb") as f:
        f.write(b"".join(records))


if __name__ == "__main__":
    ebooks()
    ical()
    rss()
    jsonld()
    csv_files()
    onix()
    marc()
