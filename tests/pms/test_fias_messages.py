"""Our FIAS records against the spec's own examples (spec p.87-89), field for field."""

import datetime
from decimal import Decimal

from pms_integration.fias import messages
from pms_integration.fias.records import Decoder, encode, parse
from pms_integration.models import Posting, RevenueRoute, TaxRoute

# Spec p.88-89: food 80.00 (S1), beverage 60.00 (S2), misc 40.00 (S3), their taxes (T1-T3),
# a food discount of 10.00 (D1), tip 5.00 and service charge 2.00: TA 228.50.
SPEC_POSTING = (
    "PR|SO123|WS456|IDELI|RN2781|G#12345|GNGast, Hr.|TA22850|S18000|S26000|S34000|T12575|T21525|T31050|"
    "D1-1000|TP500|SC200|C#1234|ST4|DA000915|TI124254|P#1738|PMROOM|"
)
# Spec p.89, the split check: 110.75 of it to the sharer, every part split too.
SPEC_SPLIT = (
    "PR|SO123|WS456|IDELI|RN2781|G#12381|GNSharer, Mr.|TA11075|S14000|S23000|S32000|T11287|T2763|T3525|C#1234|"
    "D1-500|ST4|DA000915|TI124254|P#1740|PMROOM|"
)
AMOUNT_FIELDS = {f"{kind}{n}" for kind in "STD" for n in range(1, 10)} | {"TA", "TP", "SC"}


def spec_setup(hotel):
    setup = hotel.setup
    setup.revenue_routes.all().delete()
    setup.tax_routes.all().delete()
    for category, slot in (("", 1), ("Beverage", 2), ("Misc", 3)):
        RevenueRoute.objects.create(posting_outlet=setup, category=category, subtotal=slot)
    # Whatever rates give the spec's taxes; each rate has its own slot.
    for percent, slot in (("32.18", 1), ("25.41", 2), ("26.25", 3)):
        TaxRoute.objects.create(posting_outlet=setup, tax_percent=Decimal(percent), slot=slot)
    return setup


def spec_posting(setup, *, food, beverage, misc, taxes, discount, tip=0, service=0) -> Posting:
    revenue = [
        {"category": "Food", "tax_percent": "32.18", "amount": food, "discount": discount, "tax": taxes[0]},
        {"category": "Beverage", "tax_percent": "25.41", "amount": beverage, "discount": 0, "tax": taxes[1]},
        {"category": "Misc", "tax_percent": "26.25", "amount": misc, "discount": 0, "tax": taxes[2]},
    ]
    amount = food + beverage + misc + sum(taxes) - discount + tip + service
    return Posting(
        hotel=setup.hotel,
        posting_outlet=setup,
        room="2781",
        guest_id="12345",
        guest_name="Gast, Hr.",
        amount=amount,
        tip=tip,
        service_charge=service,
        revenue=revenue,
        taxes_included=False,
        check_number=1234,
        business_date=datetime.date(2000, 9, 15),
        created_at=datetime.datetime(2000, 9, 15, 12, 42, 54),
    )


def amounts(record_text: str) -> dict[str, int]:
    record = parse(record_text)
    return {fid: int(value) for fid, value in record.fields if fid in AMOUNT_FIELDS}


def test_the_posting_amounts_are_the_spec_examples_to_the_cent(world, hotel):
    setup = spec_setup(hotel)
    whole = spec_posting(
        setup, food=8000, beverage=6000, misc=4000, taxes=(2575, 1525, 1050), discount=1000, tip=500, service=200
    )
    assert dict(messages.amount_fields(posting=whole, setup=setup)) == amounts(SPEC_POSTING)
    split = spec_posting(setup, food=4000, beverage=3000, misc=2000, taxes=(1287, 763, 525), discount=500)
    assert dict(messages.amount_fields(posting=split, setup=setup)) == amounts(SPEC_SPLIT)


def test_tax_inclusive_prices_put_the_tax_in_the_subtotals_and_send_no_tax_fields(world, hotel):
    setup = spec_setup(hotel)
    posting = spec_posting(setup, food=1090, beverage=1210, misc=0, taxes=(90, 210, 0), discount=0)
    posting.taxes_included = True
    posting.amount = 1090 + 1210
    assert messages.amount_fields(posting=posting, setup=setup) == [("TA", 2300), ("S1", 1090), ("S2", 1210)]


def test_parts_that_do_not_add_up_are_never_sent(world, hotel):
    setup = spec_setup(hotel)
    posting = spec_posting(setup, food=1000, beverage=0, misc=0, taxes=(0, 0, 0), discount=0)
    posting.amount = 999
    try:
        messages.amount_fields(posting=posting, setup=setup)
    except ValueError as error:
        assert "999" in str(error)
    else:
        raise AssertionError("a posting whose parts do not add up was built")


def test_the_whole_posting_record_carries_what_the_spec_example_does(world, hotel):
    setup = spec_setup(hotel)
    posting = spec_posting(
        setup, food=8000, beverage=6000, misc=4000, taxes=(2575, 1525, 1050), discount=1000, tip=500, service=200
    )
    posting.workstation, posting.waiter_code = "456", "ELI"
    opened = datetime.datetime(2000, 9, 15, 12, 42, 54)
    ours = dict(messages.charge(posting=posting, setup=setup, sequence=1738, workstation="456", check_opened=opened))
    spec = dict(parse(SPEC_POSTING).fields)
    # ST (serving time) we do not track; CT, CV and T# the spec example leaves out.
    for field_id in ("SO", "WS", "ID", "RN", "G#", "GN", "C#", "DA", "TI", "P#", "PM"):
        assert str(ours[field_id]) == spec[field_id], field_id


def test_framing_and_the_inquiry_record(world, hotel):
    now = datetime.datetime(2000, 9, 15, 12, 42, 54)
    fields = messages.inquiry(setup=hotel.setup, sequence=1734, room="2781", workstation="456", user="ELI", now=now)
    framed = encode("PR", fields)
    assert framed == b"\x02PR|PI2781|P#1734|WS456|SO123|IDELI|PMROOM|DA000915|TI124254|\x03"
    # The spec's inquiry example (p.87) has the same fields, in another order.
    spec = parse("PR|SO123|WS456|IDELI|PI2781|DA000915|TI124254|P#1734|PMROOM|")
    [ours] = Decoder().feed(framed)
    assert sorted(ours.fields) == sorted(spec.fields)


def test_a_guest_list_with_sharers_from_the_spec(world):
    record = parse("PL|SO123|WS456|IDELI|RN2781|G#12345|GNGuest, Mr.|RN2781|G#12381|GNSharer, Mr.|P#1734|")
    guests = messages.guests_of(record)
    assert [(g.room, g.guest_id, g.name) for g in guests] == [
        ("2781", "12345", "Guest, Mr."),
        ("2781", "12381", "Sharer, Mr."),
    ]
    names = parse(
        "PL|SO123|WS456|IDELI|RN2781|G#12345|GNGast, Hr.|RN352|G#12940|GNGandhi, Mr.|RN352|G#12875|GNGaribaldi, Mr.|P#1736|"
    )
    assert [g.room for g in messages.guests_of(names)] == ["2781", "352", "352"]


def test_the_decoder_takes_records_split_and_joined_across_reads():
    decoder = Decoder()
    assert decoder.feed(b"\x02LS|DA000915|TI12") == []
    first = decoder.feed(b"3045|\x03\x02PA|ASOK|P#7|\x03\x02NS|")
    assert [r.rid for r in first] == ["LS", "PA"]
    assert first[1].get("P#") == "7"
    assert [r.rid for r in decoder.feed(b"DA000915|\x03")] == ["NS"]
    # Our data never carries a separator or a control byte inside a field.
    assert encode("PR", [("GN", "A|B\x03C")]) == b"\x02PR|GNA/B C|\x03"
