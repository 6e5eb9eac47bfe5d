"""The contact sheet keeps each item's tiles in order and wraps long rows."""

import torch

from gigs_core.report.contact_sheet import GAP, LABEL_HEIGHT, MIN_TILE, render_contact_sheet, wrap_rows


def row(count: int, size: int = 8):
    return [(torch.full((1, size, size), index / count), f"v{index}") for index in range(count)]


def test_a_row_of_a_thousand_variants_wraps_into_lines_of_twelve():
    sheet = render_contact_sheet([row(1002)])
    lines = -(-1002 // 12)
    assert sheet.size == (GAP + 12 * (MIN_TILE + GAP), GAP + lines * (MIN_TILE + LABEL_HEIGHT + GAP))


def test_wrapping_keeps_order_and_each_item_on_its_own_lines():
    first, second = row(5), row(3)
    lines = wrap_rows([first, second], columns=2)
    assert [len(line) for line in lines] == [2, 2, 1, 2, 1]
    assert [label for line in lines for _, label in line] == [label for _, label in first + second]


def test_tiles_land_where_the_grid_says():
    white, black = torch.ones(1, 8, 8), torch.zeros(1, 8, 8)
    sheet = render_contact_sheet([[(white, ""), (black, ""), (white, "")]], max_columns=2)
    second_line_top = GAP + MIN_TILE + LABEL_HEIGHT + GAP
    assert sheet.getpixel((GAP + 5, GAP + 5)) == (255, 255, 255)
    assert sheet.getpixel((2 * GAP + MIN_TILE + 5, GAP + 5)) == (0, 0, 0)
    assert sheet.getpixel((GAP + 5, second_line_top + 5)) == (255, 255, 255)
