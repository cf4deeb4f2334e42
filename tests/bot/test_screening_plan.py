"""Which questions are asked: only those the answers so far make necessary."""
from actions.screening_plan import NOT_MICRO, UNKNOWN, needed_questions, next_question, unsettled


def ask_all(answers, life_event=None):
    """Answer the plan's questions with `answers` until it stops; return the questions asked."""
    asked, current = [], {}
    while (question := next_question(current, life_event)) is not None:
        asked.append(question)
        current[question] = answers.get(question, True if question == "recap" else None)
        assert current[question] is not None, f"unexpected question {question}"
    return asked


def test_single_worker_without_children_is_asked_only_what_matters():
    asked = ask_all({"age": 35, "couple": False, "children": 0, "pregnant": False, "commune": {"code": "54395"},
                     "housing_status": "locataire", "rent": 450, "activity": "salarie", "salary": 900})
    assert asked == ["age", "couple", "children", "pregnant", "commune", "housing_status", "rent", "activity",
                     "salary", "recap"]


def test_a_senior_is_not_asked_about_a_baby_and_the_recap_comes_last():
    asked = ask_all({"age": 70, "couple": False, "commune": {"code": "54395"}, "housing_status": "proprietaire",
                     "pension": 800})
    assert "pregnant" not in asked and asked[-1] == "recap"


def test_the_couple_button_without_children_skips_the_children_question():
    current = {"age": 30}
    current.update(couple=False, children=0)
    assert "children" not in [q for q in needed_questions(current) if current.get(q) is None]


def test_an_owner_is_not_asked_for_rent():
    assert "rent" not in needed_questions({"housing_status": "proprietaire"})
    assert "rent" in needed_questions({"housing_status": "logement_social"})


def test_rent_is_asked_when_housing_is_unknown():
    assert "rent" in needed_questions({"housing_status": UNKNOWN})


def test_single_parent_gets_alimony_and_separation_questions():
    questions = needed_questions({"age": 31, "couple": False, "children": 2, "children_ages": [4, 9]})
    assert "alimony" in questions and "single_parent_recent" in questions
    assert "partner_income" not in questions


def test_separation_date_is_not_asked_when_the_youngest_is_under_three():
    questions = needed_questions({"age": 24, "couple": False, "children": 1, "children_ages": [1]})
    assert "single_parent_recent" not in questions


def test_couple_gets_partner_age_income_then_activity():
    questions = needed_questions({"age": 40, "couple": True})
    assert questions.index("partner_age") < questions.index("partner_income") < questions.index("partner_activity")


def test_the_partner_disability_is_asked_when_they_do_not_work_because_of_it():
    assert "partner_disability" in needed_questions({"couple": True, "partner_activity": "inactif",
                                                     "partner_reason": "handicap"})
    assert "partner_disability" not in needed_questions({"couple": True, "partner_activity": "salarie"})


def test_self_employed_are_asked_their_turnover_and_kind_or_their_income():
    micro = needed_questions({"age": 30, "activity": "independant", "self_employed": 1200})
    assert "self_employed_kind" in micro and "salary" not in micro
    other = needed_questions({"age": 30, "activity": "independant", "self_employed": NOT_MICRO})
    assert "self_employed_kind" not in other and "salary" in other


def test_students_are_asked_about_their_grant():
    assert "student_grant" in needed_questions({"age": 20, "activity": "etudiant"})


def test_a_disability_rate_from_50_to_79_brings_the_work_restriction_question():
    assert "work_restriction" in needed_questions({"activity": "inactif", "disability": 0.5})
    assert "work_restriction" not in needed_questions({"activity": "inactif", "disability": 0.8})


def test_not_working_because_of_a_disability_brings_the_disability_question():
    assert "disability" in needed_questions({"activity": "inactif", "activity_reason": "handicap"})
    assert "disability" in needed_questions({"activity": "salarie", "disability_said": True})


def test_a_town_without_its_arrondissement_or_among_homonyms_is_not_settled():
    assert unsettled({"commune": {"code": "69123", "name": "Lyon", "arrondissements": [{"code": "69387"}]}}, "commune")
    assert not unsettled({"commune": {"code": "69387", "name": "Lyon 7e Arrondissement"}}, "commune")
    assert not unsettled({"commune": UNKNOWN}, "commune")


def test_ages_for_fewer_children_than_said_are_not_settled():
    assert unsettled({"children": 3, "children_ages": [2, 5]}, "children_ages")
    assert not unsettled({"children": 2, "children_ages": [2, 5]}, "children_ages")


def test_seniors_are_asked_for_their_pension_not_their_activity_nor_children():
    questions = needed_questions({"age": 70, "couple": False})
    assert "pension" in questions
    assert "activity" not in questions and "children" not in questions


def test_other_income_only_when_declared_income_is_zero():
    working = needed_questions({"age": 30, "couple": False, "activity": "salarie", "salary": 1200})
    assert "other_income" not in working
    idle = needed_questions({"age": 30, "couple": False, "activity": "chomeur", "unemployment": 0})
    assert "other_income" in idle


def test_disability_is_asked_for_inactive_people_and_after_the_handicap_life_event():
    assert "disability" in needed_questions({"activity": "inactif"})
    assert "disability" not in needed_questions({"activity": "salarie"})
    assert needed_questions({}, "handicap")[:2] == ["age", "disability"]


def test_life_events_bring_their_questions_first():
    assert needed_questions({"age": 68}, "senior")[:3] == ["age", "couple", "pension"]
    assert needed_questions({"activity": "chomeur"}, "perte_emploi")[:3] == ["age", "activity", "unemployment"]


def test_dont_know_answers_count_as_answered():
    assert next_question({"age": UNKNOWN}) == "couple"


def test_typical_households_need_at_most_sixteen_questions_with_the_recap():
    single_parent = {"age": 29, "couple": False, "children": 2, "children_ages": [2, 6], "alimony": 0,
                     "pregnant": False, "commune": {"code": "69259"}, "housing_status": "logement_social",
                     "rent": 380, "activity": "chomeur", "unemployment": 820}
    couple = {"age": 41, "couple": True, "partner_age": 40, "children": 2, "children_ages": [8, 12],
              "pregnant": False, "commune": {"code": "67482"}, "housing_status": "locataire", "rent": 700,
              "activity": "salarie", "salary": 1500, "partner_income": 0, "partner_activity": "inactif",
              "other_income": 0, "partner_disability": 0.0, "couple_type": "marie"}
    senior = {"age": 72, "couple": False, "commune": {"code": "54395"}, "housing_status": "locataire",
              "rent": 420, "pension": 650}
    for answers in (single_parent, couple, senior):
        assert len(ask_all(answers)) <= 16
