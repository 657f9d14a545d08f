"""The SYNTHETIC joint-campaign set: calibrated totals, real failing items, labels, reproducibility."""

from __future__ import annotations

from collections import Counter

from loaders.canonical_sampling import read_sampling_table, write_sampling_table
from loaders.synthetic_campaigns import OUTPUT, generate


def test_the_totals_are_the_published_ones():
    recs = generate()
    y2019 = [r for r in recs if r.date.startswith("2019")]
    y2020 = [r for r in recs if r.date.startswith("2020")]
    assert (len(y2019), sum(r.result == "pass" for r in y2019)) == (243, 233)
    assert (len(y2020), sum(r.result == "fail" for r in y2020)) == (772, 59)
    assert {r.product for r in y2020} == {"安全帽", "电线电缆", "电动自行车充电器", "童车"}


def test_conductor_resistance_is_the_most_frequent_failure_of_wire():
    wire = Counter(i for r in generate() if r.product == "电线电缆" for i in r.failed_items)
    assert wire.most_common(1)[0][0] == "导体电阻"


def test_every_record_is_labelled_synthetic():
    for r in generate():
        assert r.synthetic and r.source == "synthetic"
        assert r.producer_name.startswith("合成样本") and r.seller.startswith("合成样本")
        assert not r.credit_code or r.credit_code.startswith("Y9")


def test_the_committed_file_is_what_the_default_seed_generates(tmp_path):
    write_sampling_table(generate(), tmp_path / "samplings.csv")
    assert (tmp_path / "samplings.csv").read_bytes() == OUTPUT.read_bytes()
    assert read_sampling_table(OUTPUT) == generate()
    assert generate(seed=1) != generate()
