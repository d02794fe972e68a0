"""The worked examples of the allocation specification (allocation.md §14, Examples 1-11), whose
figures were computed by an independent implementation (exact fractions or a second algorithm),
and Examples 3 and 4, which come from NHS England's published allocations. Each is checked to the
precision the specification states. Example 12 (Monte Carlo) is tested with the sensitivity module.
"""
from __future__ import annotations

from fractions import Fraction

import numpy as np
import pandas as pd
import pytest

import fairer
from fairer import allocation as al


def example1_units():
    return pd.DataFrame({"id": list("ABCD"), "population": [10_000, 20_000, 30_000, 40_000],
                         "need": [2.0, 1.5, 1.0, 0.5]})


def test_example1_blend_shares_exact_and_universal_floor():
    r = al.allocate(example1_units(), 1_000_000, need=al.direct_need("need"), universal_share=0.5)
    t = r.table
    for got, exact in zip(t["share"], [Fraction(3, 20), Fraction(1, 4), Fraction(3, 10), Fraction(3, 10)]):
        assert got == pytest.approx(float(exact), rel=1e-15)
    assert t["allocation"].tolist() == [150_000, 250_000, 300_000, 300_000]
    assert t["per_head"].tolist() == pytest.approx([15.0, 12.5, 10.0, 7.5], rel=1e-15)
    assert (t["target"] / t["population"] >= 5.0 - 1e-12).all()  # α T/ΣP = £5 a head (I6)
    assert t["allocation_pence"].sum() == 100_000_000


@pytest.mark.parametrize("ratio, alpha, per_head", [(2, 0.5, [15, 12.5, 10, 7.5]), (3, 0.2, [18, 14, 10, 6])])
def test_example1_calibration_from_target_ratio(ratio, alpha, per_head):
    r = al.allocate(example1_units(), 1_000_000, need=al.direct_need("need"), target_ratio=ratio)
    assert r.summary["universal_share"] == pytest.approx(alpha, rel=1e-14)
    assert (r.table["target"] / r.table["population"]).tolist() == pytest.approx(per_head, rel=1e-13)


EXAMPLE2_POP = [3000, 2500, 2200, 2000, 1800, 1700, 1600, 1500, 1400, 1300]


def test_example2_decile_gradient_rounded_to_pounds():
    units = pd.DataFrame({"id": [f"d{g:02d}" for g in range(1, 11)], "population": EXAMPLE2_POP,
                          "group": range(1, 11)})
    r = al.allocate(units, 1_000_000, need=al.gradient_need(10, 1.0, 2.0))
    t = r.table
    targets = [199_704.14, 157_174.56, 130_177.51, 110_946.75, 93_195.27, 81_730.77, 71_005.92, 61_020.71,
               51_775.15, 43_269.23]
    assert np.abs(t["target"] - targets).max() <= 0.005 + 1e-9
    per_head = [66.5680, 62.8698, 59.1716, 55.4734, 51.7751, 48.0769, 44.3787, 40.6805, 36.9822, 33.2840]
    assert np.abs(t["target"] / t["population"] - per_head).max() <= 0.00005 + 1e-12
    assert t["allocation"].tolist() == [199_704, 157_175, 130_177, 110_947, 93_195, 81_731, 71_006, 61_021,
                                        51_775, 43_269]
    assert t["allocation"].sum() == 1_000_000
    ph = t["target"] / t["population"]
    assert ph.iloc[0] / ph.iloc[9] == pytest.approx(2.0, rel=1e-14)  # I15


def test_example2_geometric_weights():
    expected = [2, 1.851749, 1.714488, 1.587401, 1.469734, 1.360790, 1.259921, 1.166529, 1.080060, 1]
    assert np.abs(al.gradient_weights(10, 1, 2, "geometric") - expected).max() <= 5e-7


# NHS England CCG allocations 2013/14, Annex A working paper (£000): raw pop, weighted pop,
# allocation, published target.
EXAMPLE3 = pd.DataFrame({
    "id": ["Eastern Cheshire", "South Cheshire", "Vale Royal", "Warrington", "West Cheshire", "Wirral"],
    "population": [202_256, 174_605, 102_219, 209_117, 254_106, 331_261],
    "weighted": [208_986, 181_827, 105_444, 220_611, 269_739, 389_047],
    "allocation_k": [219_307, 193_566, 120_033, 231_588, 308_328, 445_168],
    "target_k": [237_285, 206_448, 119_722, 250_484, 306_264, 441_728],
})


def test_example3_nhs_england_ccg_targets():
    units = EXAMPLE3.assign(need=EXAMPLE3["weighted"] / EXAMPLE3["population"])
    budget = int(units["target_k"].sum()) * 1000
    r = al.allocate(units, budget, need=al.direct_need("need"), rounding_unit=100_000)  # £1k units
    t = r.table
    assert (np.abs(t["target"] / 1000 - units["target_k"]) <= 1.0).all()
    assert (t["allocation"] / 1000 == units["target_k"]).all()
    dft = (units["allocation_k"] - t["target"] / 1000) / (t["target"] / 1000) * 100
    assert np.round(dft, 2).tolist() == [-7.58, -6.24, 0.26, -7.54, 0.67, 0.78]


def test_example3_recomputed_targets_distance_and_per_head():
    # The published rule: £1,135.41 per weighted head for every CCG, so the budget is that rate
    # times the total weighted population (£1,561,931,308.14); the engine's targets are then the
    # spec's "recomputed" column, and DfT (£000, %) and £/head reproduce the published figures.
    units = EXAMPLE3.assign(need=EXAMPLE3["weighted"] / EXAMPLE3["population"])
    budget = "1561931308.14"
    assert float(budget) == pytest.approx(1135.41 * units["weighted"].sum(), rel=1e-15)
    r = al.allocate(units, float(budget), need=al.direct_need("need"), rounding_unit=1)
    target_k = r.table["target"] / 1000
    assert np.round(target_k, 1).tolist() == [237_284.8, 206_448.2, 119_722.2, 250_483.9, 306_264.4, 441_727.9]
    assert np.round(units["allocation_k"] - target_k).tolist() == [-17_978, -12_882, 311, -18_896, 2_064, 3_440]
    per_head_alloc = units["allocation_k"] * 1000 / units["population"]
    per_head_target = r.table["target"] / units["population"]
    assert np.round(per_head_alloc).tolist() == [1_084, 1_109, 1_174, 1_107, 1_213, 1_344]
    assert np.round(per_head_target).tolist() == [1_173, 1_182, 1_171, 1_198, 1_205, 1_333]


# NHS England place-based tool data 2022/23 (OGL v3), sums by LA district of practice.
EXAMPLE4 = pd.DataFrame({
    "id": ["Liverpool", "Cheshire East", "Cheshire West & Chester", "Wirral", "Sefton", "Warrington",
           "St Helens", "Knowsley", "Halton"],
    "population": [572_936, 419_076, 378_237, 339_977, 279_461, 222_989, 200_906, 165_032, 135_553],
    "weighted": [653_817, 418_229, 383_330, 426_085, 319_749, 229_756, 241_084, 204_120, 157_346],
})


@pytest.mark.parametrize("alpha, expected", [
    (0.0, [2_155_311, 1_378_694, 1_263_649, 1_404_591, 1_054_054, 757_392, 794_735, 672_882, 518_692]),
    (0.5, [2_133_110, 1_461_363, 1_328_607, 1_328_596, 1_041_846, 789_483, 767_474, 640_461, 509_060]),
])
def test_example4_cheshire_and_merseyside_places(alpha, expected):
    units = EXAMPLE4.assign(need=EXAMPLE4["weighted"] / EXAMPLE4["population"])
    r = al.allocate(units, 10_000_000, need=al.direct_need("need"), universal_share=alpha)
    assert r.table["allocation"].tolist() == expected
    assert r.table["allocation_pence"].sum() == 1_000_000_000
    if alpha == 0.0:
        published_index = [1.0210, 0.8929, 0.9068, 1.1213, 1.0237, 0.9219, 1.0737, 1.1066, 1.0386]
        assert np.round(r.table["need"], 4).tolist() == published_index


def example5_units():
    return pd.DataFrame({"id": ["U1", "U2", "U3", "U4", "U5"], "population": [1.0] * 5,
                         "share": [0.11, 0.20, 0.16, 0.06, 0.47],
                         "baseline": [100_000, 200_000, 150_000, 50_000, 500_000]})


def test_example5_pace_of_change_with_floors_and_caps():
    r = al.allocate(example5_units(), 1_040_000, need=al.direct_need("share"), pace="damped", theta=0.5,
                    min_growth=0.03, max_below_target=0.08, over_target_threshold=0.05, over_target_growth=0.03)
    t = r.table
    assert t["target"].tolist() == pytest.approx([114_400, 208_000, 166_400, 62_400, 488_800], rel=1e-13)
    dft0 = np.round(r.audit["distance_from_target0"] * 100, 2)
    assert dft0.tolist() == [-9.09, 0.0, -6.25, -16.67, 6.38]
    assert t["proposal"].tolist() == pytest.approx([109_200, 208_000, 161_200, 57_200, 504_400], rel=1e-13)
    assert t["lower"].tolist() == [105_248, 206_000, 154_500, 57_408, 515_000]
    assert t["upper"].isna().tolist() == [True, True, True, True, False] and t["upper"].iloc[4] == 515_000
    assert np.abs(t["bounded"] - [105_642.92, 206_000, 155_949.08, 57_408, 515_000]).max() <= 0.005
    assert r.summary["scale"] == pytest.approx(32699 / 33800, rel=1e-13)
    assert t["allocation"].tolist() == [105_643, 206_000, 155_949, 57_408, 515_000]
    assert np.round(t["growth"] * 100, 2).tolist() == [5.64, 3.00, 3.97, 14.82, 3.00]
    assert np.round(t["distance_from_target"] * 100, 2).tolist() == [-7.65, -0.96, -6.28, -8.00, 5.36]
    assert t["bound_status"].tolist()[1] == "floor" and t["bound_status"].tolist()[3] == "floor"


def test_example5b_all_clamped_in_one_pass():
    a = np.array([126_000, 189_000, 183_750, 68_250, 483_000.0])
    lo = np.array([102e3, 204e3, 153e3, 51e3, 510e3])
    hi = np.array([110e3, 220e3, 165e3, 55e3, 550e3])
    alloc, kappa = fairer._core.bounded_fit(a, lo, hi, 1_050_000)
    assert kappa == pytest.approx(516 / 483, rel=1e-14)
    assert alloc.tolist() == pytest.approx([110_000, 204_000, 165_000, 55_000, 516_000], rel=1e-14)


@pytest.mark.parametrize("budget, expected", [(1100, [362.2222, 337.7778, 400]), (1200, [420, 380, 400]),
                                              (900, [300, 300, 300])])
def test_example6_gap_closing(budget, expected):
    units = pd.DataFrame({"id": ["a", "b", "c"], "population": [1.0, 1.0, 1.0], "share": [0.40, 0.35, 0.25],
                          "baseline": [300, 300, 400]})
    r = al.allocate(units, budget, need=al.direct_need("share"), pace="gap_closing", rounding_unit=1)
    assert np.abs(r.table["proposal"] - expected).max() <= 0.00005
    assert r.table["allocation_pence"].sum() == budget * 100


def test_example7_rounding_vectors():
    assert al.largest_remainder([47000, 16000, 15800, 12000, 6100, 3100], 10).tolist() == [5, 2, 1, 1, 1, 0]
    assert al.largest_remainder([1, 1, 1], 10_000, ids=["x", "y", "z"]).tolist() == [3334, 3333, 3333]
    assert al.largest_remainder([1, 1, 1], 10_000, ids=["z", "y", "x"]).tolist() == [3333, 3333, 3334]


def test_example8_imd_transform():
    assert fairer._core.imd_exponential_transform(np.array([1.0, 0.9, 0.5, 0.99])) == pytest.approx(
        [100, 50.426654, 15.646790, 86.957279], abs=5e-7)
    assert al.imd_transform([3285, 32844], 32844) == pytest.approx([50.429131, 0.000691], abs=5e-7)
    ranks = [[100], [250], [5000], [900], [12000], [30000], [20000]]
    assert al.imd_combine(ranks, 32844)[0] == pytest.approx(60.534732, abs=5e-7)
    assert al.imd_combine(ranks, 32844, renormalise=True)[0] == pytest.approx(60.595328, abs=5e-7)


def test_example9_composite_exponential_need():
    units = pd.DataFrame({"id": ["a", "b", "c", "d"], "population": [1000, 2000, 1500, 500],
                          "income": [30, 20, 12, 8], "smr": [380, 300, 250, 200], "uptake": [55, 65, 72, 80]})
    s = al.zscore_composite(units["population"], [units["income"], units["smr"], units["uptake"]], [1, 1, -1],
                            [0.5, 0.3, 0.2])
    assert s == pytest.approx([1.617372, 0.204989, -0.820520, -1.593139], abs=5e-7)
    need = al.composite_need(["income", "smr", "uptake"], [1, 1, -1], [0.5, 0.3, 0.2], ratio=2)
    assert fairer._core.calibrate_exponent(s, 2.0) == pytest.approx(0.215899, abs=5e-7)
    r = al.allocate(units, 500_000, need=need, universal_share=0.3)
    n = r.audit["need"]["need"]
    assert n == pytest.approx([1.384853, 1.020876, 0.818121, 0.692426], abs=5e-7)
    assert n.max() / n.min() == pytest.approx(2.0, rel=1e-12)
    assert (units["population"] * n).sum() / units["population"].sum() == pytest.approx(1.0, rel=1e-12)
    assert np.abs(r.table["target"] - [126_939.71, 202_922.68, 130_902.68, 39_234.93]).max() <= 0.005
    assert r.table["allocation"].tolist() == [126_940, 202_922, 130_903, 39_235]


@pytest.mark.parametrize("shape, per_head", [("linear", [75, 62.5, 50, 37.5, 25]),
                                             ("geometric", [81.6646, 62.0517, 47.1491, 35.8255, 27.2215])])
def test_example10_smr_groups(shape, per_head):
    units = pd.DataFrame({"id": list("12345"), "population": [100e3, 150e3, 200e3, 150e3, 100e3],
                          "group": [1, 2, 3, 4, 5]})
    r = al.allocate(units, 35_000_000, need=al.gradient_need(5, 1.0, 3.0, shape))
    assert np.abs(r.table["target"] / r.table["population"] - per_head).max() <= 0.00005 + 1e-12


def test_example11_efit_formula():
    units = pd.DataFrame({"id": ["a", "b", "c"], "population": [5000, 8000, 7000], "imd": [40, 20, 10],
                          "uptake": [50, 60, 70]})
    units["reversed_uptake"] = 1 - units["uptake"] / units["uptake"].sum()
    comps = [al.component("imd", al.direct_need("imd"), 0.5),
             al.component("uptake", al.direct_need("reversed_uptake"), 0.2),
             al.component("population", fairer._core.NeedSpec(), 0.3)]
    r = al.allocate(units, 100_000, components=comps, rounding_unit=1)
    assert r.table["allocation_pence"].tolist() == [3_621_800, 3_867_188, 2_511_012]


def test_result_table_keeps_ids_and_names_each_bound():
    # Equal need, £1,000 for three units: a is capped at £100 and c held at its £500 floor, so b
    # takes the rest (£400). The status column must name those places, and the ids come back as
    # text in row order whether they were given as text or as numbers.
    for ids, want in ((["a", "b", "c"], ["a", "b", "c"]), ([30, 10, 20], ["30", "10", "20"])):
        units = pd.DataFrame({"id": ids, "population": [100.0, 100.0, 100.0],
                              "cap": [100.0, np.nan, np.nan], "floor": [np.nan, np.nan, 500.0]})
        r = al.allocate(units, 1000)
        t = r.table
        assert t["id"].tolist() == want
        assert t["allocation"].tolist() == [100, 400, 500]
        assert t["bound_status"].tolist() == ["cap", "free", "floor"]
        assert list(t["bound_status"].cat.categories) == ["free", "floor", "cap"]


def test_missing_id_is_an_error_naming_the_row():
    units = pd.DataFrame({"id": ["a", None, "c"], "population": [1.0, 1.0, 1.0]})
    with pytest.raises(fairer.AllocationError) as e:
        al.allocate(units, 100)
    assert e.value.code == "E1" and e.value.units == ["row 1"]
    assert "row 1" in str(e.value)
