"""The sheet's arithmetic, without a database."""

from decimal import Decimal

import pytest

from poa.rules import dates, figures


@pytest.mark.parametrize(
    ("part", "whole", "printed"),
    [(172, 340, 51), (1, 6, 17), (16, 15, 107), (6, 4, 150), (1, 8, 13), (1, 2, 50), (0, 5, 0)],
)
def test_relative_rounds_half_up_to_a_whole_percent(part, whole, printed):
    assert figures.percent(part, whole) == printed


def test_relative_of_a_zero_target_is_empty_not_zero():
    assert figures.percent(3, 0) is None
    assert figures.format_percent(None) == ""


def test_absolute_adds_achieved_up_to_the_quarter_only():
    achieved = [Decimal(70), Decimal(102), Decimal(100), None]
    assert figures.avance_absoluto(achieved, 2) == 172
    assert figures.avance_absoluto(achieved, 3) == 272


def test_uncaptured_quarters_count_as_nothing():
    assert figures.avance_absoluto([Decimal(7), None, None, None], 2) == 7


def test_meta_305_reads_172_and_51_percent_at_the_end_of_q2():
    result = figures.meta_figures(
        annual=340,
        programmed=[70, 100, 100, 70],
        achieved=[70, 102, None, None],
        observations=["", "Nearshoring", "", ""],
        quarter=2,
    )
    assert (result.absolute, result.relative) == (172, 51)
    assert result.programmed_to_date == 170
    assert result.semaforo == "verde"
    assert result.warnings == []


def test_programmed_sum_different_from_target_is_named_with_its_difference():
    message = figures.programmed_total_message(6, [2, 1, 1, 1])
    assert "(5)" in message and "(6)" in message and "falta 1." in message
    assert "sobran 2" in figures.programmed_total_message(4, [2, 2, 1, 1])


def test_a_variance_without_observation_is_warned():
    result = figures.meta_figures(
        annual=1, programmed=[0, 0, 0, 1], achieved=[0, 1, None, None], quarter=2
    )
    assert any("Abr-Jun" in warning and "observación" in warning for warning in result.warnings)


def test_a_variance_with_observation_is_not_warned():
    result = figures.meta_figures(
        annual=4,
        programmed=[1, 1, 1, 1],
        achieved=[1, 3, None, None],
        observations=["", "Reuniones mensuales", "", ""],
        quarter=2,
    )
    assert result.warnings == []


def test_missing_achievement_up_to_the_quarter_is_warned():
    result = figures.meta_figures(
        annual=4, programmed=[1, 1, 1, 1], achieved=[1, None, None, None], quarter=2
    )
    assert result.warnings == ["Falta capturar lo alcanzado de Abr-Jun."]


@pytest.mark.parametrize(
    ("programmed", "achieved", "threshold", "needed"),
    [
        (100, 102, 0, True),
        (100, 102, 5, False),
        (100, 110, 5, True),
        (0, 1, 5, True),
        (3, 3, 0, False),
    ],
)
def test_observation_threshold(programmed, achieved, threshold, needed):
    assert figures.needs_observation(programmed, achieved, threshold) is needed


@pytest.mark.parametrize(
    ("achieved", "programmed", "light"),
    [(90, 100, "verde"), (89, 100, "amarillo"), (70, 100, "amarillo"), (69, 100, "rojo")],
)
def test_semaforo_compares_with_programmed_to_date(achieved, programmed, light):
    assert figures.semaforo(achieved, programmed) == light


def test_over_achievement_is_flagged_above_130_percent():
    assert figures.is_over_achieved(131, 100)
    assert not figures.is_over_achieved(130, 100)


def test_figures_print_with_thousands_comma_and_no_useless_decimals():
    assert figures.format_figure(Decimal("1234.00")) == "1,234"
    assert figures.format_figure(Decimal("1234.50")) == "1,234.5"
    assert figures.format_figure(None) == ""


def test_quarter_outside_1_to_4_is_refused():
    with pytest.raises(ValueError):
        figures.meta_figures(annual=1, programmed=[0, 0, 0, 1], achieved=[None] * 4, quarter=5)


def test_a_quarterly_split_adds_up_with_leftovers_to_the_largest_remainders():
    assert figures.split_evenly(10, (1, 1, 1, 1)) == [3, 3, 2, 2]
    assert figures.split_evenly(592, (0, 1, 1, 1)) == [0, 198, 197, 197]
    assert sum(figures.split_evenly(12345, (2, 3, 3, 2))) == 12345
    assert Decimal(sum(figures.split_evenly(1250, (3, 3, 2, 1)))) / 100 == Decimal("12.5")


def test_an_achievement_is_unprogrammed_only_when_nothing_was_programmed():
    assert figures.is_unprogrammed_achievement(0, 1)
    assert not figures.is_unprogrammed_achievement(0, 0)
    assert not figures.is_unprogrammed_achievement(0, None)
    assert not figures.is_unprogrammed_achievement(1, 3)


@pytest.mark.parametrize(("month", "quarter"), [(1, 1), (3, 1), (4, 2), (7, 3), (12, 4)])
def test_each_month_falls_in_its_quarter(month, quarter):
    assert dates.quarter_of_month(month) == quarter


# A group's avance -----------------------------------------------------------------------------


def test_a_group_s_avance_is_the_mean_of_its_metas_not_the_sum_of_their_figures():
    # 12,500 personas atendidas on plan and nine metas of 10 informes with nothing achieved:
    # adding the figures reads 99.3 %, the mean reads 10 %.
    metas = [(12500, 12500)] + [(0, 10)] * 9
    assert figures.percent_tenths(12500, 12590) == Decimal("99.3")
    assert figures.group_avance(metas).percent == Decimal("10.0")


def test_each_meta_is_capped_in_the_mean():
    # 300 % and 50 %: capped at 100 the mean is 75 %; at 200, 125 %
    assert figures.group_avance([(6, 2), (1, 2)]).percent == Decimal("75.0")
    assert figures.group_avance([(6, 2), (1, 2)], cap=200).percent == Decimal("125.0")


def test_metas_with_nothing_programmed_are_left_out_and_counted_apart():
    avance = figures.group_avance([(1, 2), (0, 0), (3, 0)])
    assert (avance.percent, avance.averaged, avance.unprogrammed) == (Decimal("50.0"), 1, 2)
    assert figures.group_avance([(0, 0)]).percent is None


def test_a_group_s_mark_follows_its_mean():
    assert figures.percent_light(Decimal("69.99")) == "rojo"
    assert figures.percent_light(Decimal("90")) == "verde"
    assert figures.percent_light(None) == "sin_programar"
