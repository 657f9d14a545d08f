"""Risk signals on hand-built record sets whose answers are known, and the statistics under them."""

from __future__ import annotations

import math

import pytest

from graph.model import Sampling
from graph.risk import (
    RiskThresholds,
    analyse,
    failure_rates,
    fisher_greater,
    ranked_items,
    repeat_offenders,
    wilson,
)
from graph.sampling import YRD_PROVINCES
from graph.settings import Settings

SH, JS, ZJ, AH = YRD_PROVINCES


def batch(product: str, province: str, failed: int, passed: int, year: int = 2022, item: str = "导体电阻",
          producer: str = "", source: str = "") -> list[Sampling]:  # fmt: skip
    """``failed`` failed and ``passed`` passed batches of a product in a province."""
    out = []
    for i in range(failed + passed):
        fail = i < failed
        out.append(Sampling(
            id=f"{product}-{province}-{year}-{item}-{producer}-{i}", date=f"{year}-06-01", level="provincial",
            province=province, product=product, product_name=product, result="fail" if fail else "pass",
            failed_items=(item,) if fail else (), producer_name=producer or f"{province}{product}厂{i}",
            source=source,
        ))  # fmt: skip
    return out


def background(n: int = 100, year: int = 2022) -> list[Sampling]:
    """A product that never fails, in every province: it sets a low regional baseline."""
    return [r for p in YRD_PROVINCES for r in batch("背景产品", p, 0, n, year)]


def test_wilson_interval_matches_the_textbook_values():
    lo, hi = wilson(5, 10)
    assert (round(lo, 4), round(hi, 4)) == (0.2366, 0.7634)
    assert wilson(0, 10)[0] == 0.0 and round(wilson(0, 10)[1], 4) == 0.2775


def test_fisher_exact_one_sided_p_value_is_exact():
    assert fisher_greater(3, 3, 0, 3) == pytest.approx(1 / math.comb(6, 3))  # the only table as extreme
    assert fisher_greater(1, 10, 1, 10) == pytest.approx(1 - 45 / 190)  # P(X ≥ 1) with 2 fails in 20


def test_a_product_failing_above_the_baseline_in_three_of_four_provinces_is_systemic():
    recs = background() + [r for p in (SH, JS, ZJ) for r in batch("电线", p, 5, 15)] + batch("电线", AH, 0, 20)
    [sig] = [s for s in analyse(recs).signals if s.kind == "systemic"]
    assert (sig.subject, sig.period) == ("电线", "2022")
    assert sorted(sig.numbers["provinces"]) == sorted([SH, JS, ZJ])
    assert sig.numbers["baseline"] == round(15 / 480, 4)
    assert len(sig.record_ids) == 15 and all(i.startswith("电线-") for i in sig.record_ids)


def test_two_provinces_above_the_baseline_are_not_systemic():
    recs = background() + [r for p in (SH, JS) for r in batch("电线", p, 5, 15)]
    recs += [r for p in (ZJ, AH) for r in batch("电线", p, 0, 20)]
    assert not [s for s in analyse(recs).signals if s.kind == "systemic"]


def test_one_province_far_above_the_others_is_regional():
    recs = batch("童车", AH, 6, 14) + [r for p in (SH, JS, ZJ) for r in batch("童车", p, 0, 20)]
    [sig] = [s for s in analyse(recs).signals if s.kind == "regional"]
    assert (sig.subject, sig.province) == ("童车", AH)
    assert sig.numbers["failed"] == 6 and sig.numbers["rest_failed"] == 0 and sig.numbers["rest_batches"] == 60
    assert sig.numbers["p_value"] == pytest.approx(fisher_greater(6, 20, 0, 60))
    assert len(sig.record_ids) == 6


def test_a_province_slightly_above_the_others_is_not_regional():
    recs = batch("童车", AH, 2, 18) + [r for p in (SH, JS, ZJ) for r in batch("童车", p, 1, 19)]
    assert not [s for s in analyse(recs).signals if s.kind == "regional"]


def test_a_significant_rise_between_adjacent_periods_is_emerging():
    recs = batch("安全帽", JS, 1, 29, year=2021) + batch("安全帽", JS, 8, 22, year=2022)
    [sig] = [s for s in analyse(recs).signals if s.kind == "emerging_rate"]
    assert (sig.subject, sig.period, sig.numbers["previous_period"]) == ("安全帽", "2022", "2021")
    assert (sig.numbers["previous_failed"], sig.numbers["failed"]) == (1, 8)


def test_an_item_failing_for_the_first_time_is_emerging_and_an_old_one_is_not():
    recs = batch("充电器", ZJ, 2, 18, year=2021, item="温升") + batch("充电器", ZJ, 1, 19, year=2022, item="温升")
    recs += batch("充电器", ZJ, 1, 0, year=2022, item="泄漏电流")
    items = [s for s in analyse(recs).signals if s.kind == "emerging_item"]
    assert [(s.numbers["item"], s.period, s.numbers["earlier_batches"]) for s in items] == [("泄漏电流", "2022", 20)]


def test_sources_that_publish_failures_only_are_left_out_of_rates():
    recs = batch("淀粉", SH, 0, 20) + batch("淀粉", SH, 12, 0, source="只报不合格")
    [cell] = failure_rates(recs)
    assert (cell.batches, cell.failed) == (20, 0)
    assert analyse(recs).excluded_sources == {"只报不合格": 12}
    assert ranked_items(recs)[0].failed_batches == 12  # their failed items still count


def test_a_producer_failing_in_two_provinces_under_two_spellings_is_a_repeat_offender():
    recs = batch("电线", SH, 1, 0, producer="苏州某某电缆有限公司") + batch("电线", JS, 1, 0, producer="苏州某某电缆")
    recs += batch("电线", ZJ, 2, 0, producer="杭州另一家电缆有限公司")  # two failures, one province
    [sig] = repeat_offenders(recs, RiskThresholds())
    assert sig.numbers["provinces"] == sorted([SH, JS]) and sig.numbers["failed_batches"] == 2


def test_thresholds_come_from_the_settings():
    th = RiskThresholds.from_settings(Settings(risk_min_batches=30, risk_alpha=0.01))
    assert (th.min_batches, th.alpha, th.provinces) == (30, 0.01, YRD_PROVINCES)
    recs = batch("童车", AH, 6, 14) + [r for p in (SH, JS, ZJ) for r in batch("童车", p, 0, 20)]
    assert not [s for s in analyse(recs, th).signals if s.kind == "regional"]  # 20 batches < 30


def test_records_outside_the_scope_provinces_are_ignored_unless_the_scope_is_everything():
    recs = batch("童车", "广东省", 6, 14) + [r for p in (SH, JS, ZJ) for r in batch("童车", p, 0, 20)]
    assert not [s for s in analyse(recs).signals if s.kind == "regional"]
    everywhere = analyse(recs, RiskThresholds(provinces=()))
    assert [s.province for s in everywhere.signals if s.kind == "regional"] == ["广东省"]
