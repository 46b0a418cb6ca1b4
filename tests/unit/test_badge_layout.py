"""Where the words go on the badge image: inside the ring at any length, as large as
they fit, wrapped on whole words, shortened only as a last resort."""
from __future__ import annotations

import pytest

from hub.certificates.badge_layout import AVERAGE_WIDTH, AVERAGE_WIDTH_BOLD, badge_texts, fit_text, room_at
from hub.courses.media import svg_problem


def inside(block, factor: float) -> bool:
    return all(len(line) * block.size * factor <= room_at(y - 0.8 * block.size, y + 0.25 * block.size)
               for line, y in zip(block.lines, block.baselines, strict=True))


def test_the_ring_is_widest_at_the_middle():
    assert room_at(190, 210) > room_at(280, 300) > room_at(320, 340) > 0
    assert room_at(360, 380) == 0


def test_a_short_name_keeps_the_largest_size_on_one_line():
    block = badge_texts("Inclusion Hub", "Introduction")["course"]
    assert block.size == 20 and block.lines == ("Introduction",)


@pytest.mark.parametrize("title", [
    "Employer engagement and placement",
    "Guideline for working with public administrations",
    "Qualification, language learning and employability: short routes into recognised skills for adults",
    "Εισαγωγή: εργασία για την κοινωνική ένταξη και την ένταξη στην αγορά εργασίας",
    "Supercalifragilisticexpialidocious-Donaudampfschifffahrtsgesellschaftskapitän-Ausbildung",
])
def test_every_course_name_fits_inside_the_ring(title):
    block = badge_texts("Inclusion Hub", title)["course"]
    assert inside(block, AVERAGE_WIDTH)
    assert 1 <= len(block.lines) <= 4
    assert all(b > 250 for b in block.baselines)  # below the tick


def test_wrapping_keeps_words_whole_and_in_order():
    title = "Follow-up, cooperation and evaluation of the inclusion pathway"
    block = badge_texts("Inclusion Hub", title)["course"]
    assert len(block.lines) > 1 and " ".join(block.lines) == title


def test_only_a_name_too_long_for_every_size_is_shortened():
    block = fit_text("word " * 80, baseline=284, sizes=(20, 12), max_lines=3)
    assert block.size == 12 and block.lines[-1].endswith("…") and inside(block, AVERAGE_WIDTH)


def test_a_shortened_name_keeps_its_words_in_order_and_loses_only_its_end():
    title = ("Psychosocial support and wellbeing for people on the way into work, with referral pathways, "
             "peer support, stabilisation, substance use and professional wellbeing of the staff")
    block = badge_texts("Inclusion Hub", title)["course"]
    shown = " ".join(block.lines)
    assert shown.endswith("…") and title.startswith(shown[:-1].rstrip())
    assert inside(block, AVERAGE_WIDTH)


def test_the_issuer_grows_upwards_above_the_tick():
    block = badge_texts("European Network of Public Employment Services and Partners", "x")["issuer"]
    assert inside(block, AVERAGE_WIDTH_BOLD) and max(block.baselines) == 112 and len(block.lines) == 2


@pytest.mark.parametrize("svg, ok", [
    (b'<svg xmlns="http://www.w3.org/2000/svg"><path d="M0 0 L10 10" fill="url(#g)"/></svg>', True),
    (b'<svg xmlns="http://www.w3.org/2000/svg"><foreignObject/></svg>', False),
    (b'<svg xmlns="http://www.w3.org/2000/svg"><style>rect{}</style></svg>', False),
    (b'<svg xmlns="http://www.w3.org/2000/svg"><rect fill="url(https://x.example/a.svg#g)"/></svg>', False),
    (b'<svg xmlns="http://www.w3.org/2000/svg"><a href="javascript:alert(1)"><rect/></a></svg>', False),
    (b'<svg><rect/></svg>', False),  # no SVG namespace: browsers would not draw it as an image
])
def test_svg_check(svg, ok):
    assert (svg_problem(svg) is None) is ok
