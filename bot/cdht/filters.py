"""Filters for the admin export, shared by `khuyenhoc export` and /xuatdulieu."""

from __future__ import annotations

import argparse
import shlex
from dataclasses import dataclass
from typing import TYPE_CHECKING

from bot.matching.normalize import clean, fold

if TYPE_CHECKING:
    from bot.cdht.assessment import AssessmentContent

RESULTS = ("dat", "chua-dat", "chua-danh-gia")


class FilterError(ValueError):
    """A filter value is not understood; the message says which."""


class _Parser(argparse.ArgumentParser):
    """An argument parser that raises instead of exiting (for the chat command)."""

    def error(self, message: str) -> None:  # type: ignore[override]
        """Raise the problem instead of printing usage and exiting."""
        raise FilterError(message)


def add_filter_arguments(parser: argparse.ArgumentParser) -> None:
    """Add --xa, --nhom, --nam and --ket-qua to a parser (CLI and /xuatdulieu share them)."""
    parser.add_argument("--xa", help="xã/phường, có dấu hay không (vd. 'Lấp Vò')")
    parser.add_argument("--nhom", help="nhóm: nguoi-dan, nguoi-lao-dong, can-bo, hoc-sinh")
    parser.add_argument("--nam", type=int, help="năm đánh giá, vd. 2026")
    parser.add_argument("--ket-qua", dest="ket_qua", help="dat, chua-dat hoặc chua-danh-gia")


@dataclass(frozen=True)
class Filters:
    """Which registrations and results to export."""

    place: str | None = None
    group: str | None = None
    year: int | None = None
    result: str | None = None

    @classmethod
    def from_args(cls, args: argparse.Namespace, content: AssessmentContent) -> Filters:
        """Check parsed arguments and turn them into filters."""
        group = None
        if args.nhom:
            wanted = fold(clean(args.nhom))
            codes = [
                g.code
                for g in content.groups
                if wanted in (g.code.replace("-", " "), fold(clean(g.label)))
            ]
            if not codes:
                raise FilterError(f"nhóm không rõ: {args.nhom}")
            group = codes[0]
        result = None
        if args.ket_qua:
            result = fold(clean(args.ket_qua)).replace(" ", "-")
            if result not in RESULTS:
                raise FilterError(
                    f"kết quả không rõ: {args.ket_qua} (dat, chua-dat, chua-danh-gia)"
                )
        if args.nam is not None and not 2000 <= args.nam <= 2100:
            raise FilterError(f"năm không hợp lệ: {args.nam}")
        return cls(place=args.xa, group=group, year=args.nam, result=result)

    @classmethod
    def from_text(cls, text: str, content: AssessmentContent) -> Filters:
        """Parse filters typed after a chat command, e.g. `--xa "Lấp Vò" --nam 2026`."""
        parser = _Parser(prog="/xuatdulieu", add_help=False)
        add_filter_arguments(parser)
        try:
            words = shlex.split(text)
        except ValueError as error:
            raise FilterError(str(error)) from error
        return cls.from_args(parser.parse_args(words), content)
